// Znode path helpers shared by the HiveServer2 registry, the lock walk and the tree.
import { HiveZkError, preview } from '../errors';
import { isSlash, trimEndWhere, trimStartWhere } from '../untrusted';

const MAX_NAMESPACE_CHARS = 1024;

export function namespacePath(namespace: string): string {
  const trimmed = namespace.length > MAX_NAMESPACE_CHARS ? '' : trimStartWhere(trimEndWhere(namespace, isSlash), isSlash);
  if (trimmed === '' || /[\u0000-\u001f\u007f]|\/\//.test(trimmed)) {
    throw new HiveZkError('BAD_ARGUMENT', `Invalid namespace "${preview(namespace)}".`);
  }
  return `/${trimmed}`;
}

/** The path of a child znode ("/" has no trailing slash to add to). */
export function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/**
 * Each path as its parent and a child name: how a lock walk hands its 100k lock paths to a batched
 * read, which writes them into the request from their parts instead of joining 100k strings.
 */
export interface ChildPaths {
  readonly parents: readonly string[];
  readonly names: readonly string[];
}

/** Paths for a batched read: plain, or as parents and child names. */
export type ZnodePaths = readonly string[] | ChildPaths;

export function pathCount(paths: ZnodePaths): number {
  return isChildPaths(paths) ? paths.names.length : paths.length;
}

/** The path at `index` as a string (for messages and single reads: made only when needed). */
export function pathAt(paths: ZnodePaths, index: number): string {
  return isChildPaths(paths) ? childPath(paths.parents[index] ?? '', paths.names[index] ?? '') : (paths[index] ?? '');
}

/** The paths at `indices` (increasing), in the same form. */
export function pickPaths(paths: ZnodePaths, indices: readonly number[]): ZnodePaths {
  if (indices.length === pathCount(paths)) {
    return paths; // all of them (a walk's chunk fits one batch): no copy
  }
  if (isChildPaths(paths)) {
    return { parents: indices.map((i) => paths.parents[i] ?? ''), names: indices.map((i) => paths.names[i] ?? '') };
  }
  return indices.map((i) => paths[i] ?? '');
}

export function isChildPaths(paths: ZnodePaths): paths is ChildPaths {
  return !Array.isArray(paths);
}
