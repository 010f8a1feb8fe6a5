// Znode path helpers shared by the HiveServer2 registry, the lock walk and the tree.
import { HiveZkError, preview } from './errors';

const MAX_NAMESPACE_CHARS = 1024;

export function namespacePath(namespace: string): string {
  const trimmed = namespace.length > MAX_NAMESPACE_CHARS ? '' : namespace.replace(/^\/+|\/+$/g, '');
  if (trimmed === '' || /[\u0000-\u001f\u007f]|\/\//.test(trimmed)) {
    throw new HiveZkError('BAD_ARGUMENT', `Invalid namespace "${preview(namespace)}".`);
  }
  return `/${trimmed}`;
}

/** The path of a child znode ("/" has no trailing slash to add to). */
export function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
