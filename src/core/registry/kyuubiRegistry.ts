// Kyuubi's use of the HiveServer2 layout (ZookeeperDiscoveryClient, EngineRef): servers under
// /<kyuubi.ha.namespace> named "serviceUri=host:port;version=…;sequence=…", and engines under
// /<serverSpace>_<version>_<SHARE_LEVEL>_<ENGINE_TYPE>/<user>/<subdomain>/ with the same names plus refId.

import { HiveZkError, isHiveZkError } from '../errors';
import type { Hs2Instance } from './hs2Instance';
import { listInstances, type NamespaceListing } from './hs2Registry';
import { parseEngineSpace, type EngineSpace } from './namespaceDiscovery';
import { unlessMissing } from '../zk/missingZnode';
import type { ZkSession } from '../zk/session';
import { namespacePath } from '../zk/znodePath';

export const DEFAULT_KYUUBI_NAMESPACE = 'kyuubi';

export { parseEngineSpace, type EngineSpace } from './namespaceDiscovery';

/** Kyuubi servers: the namespace reads exactly like an HS2 one (Hive's driver can resolve it). */
export function listKyuubiServers(session: ZkSession, namespace = DEFAULT_KYUUBI_NAMESPACE): Promise<NamespaceListing> {
  return listInstances(session, namespace);
}

export interface KyuubiEngine extends EngineSpace {
  /** User (or group, or the server's user for SERVER_LOCAL) and subdomain (engine ref id for CONNECTION). */
  user: string;
  subdomain: string;
  refId?: string;
  instance: Hs2Instance;
}

function children(session: ZkSession, path: string): Promise<string[]> {
  return unlessMissing(session.getChildren(path).then((r) => r.children.sort()), () => []);
}

/** Lists every engine registered in one engine space, two levels down. */
export async function listKyuubiEngines(session: ZkSession, space: string): Promise<KyuubiEngine[]> {
  const root = namespacePath(space);
  const parsed = parseEngineSpace(root.slice(1));
  if (!parsed) {
    throw new HiveZkError('BAD_ARGUMENT', `${root} is not a Kyuubi engine space (<serverSpace>_<version>_<SHARE_LEVEL>_<ENGINE_TYPE>).`);
  }
  const users = await children(session, root);
  const pairs = (await Promise.all(users.map(async (user) => (await children(session, `${root}/${user}`)).map((sub) => [user, sub] as const)))).flat();
  const listings = await Promise.all(
    pairs.map(async ([user, subdomain]) => {
      try {
        return { user, subdomain, listing: await listInstances(session, `${root.slice(1)}/${user}/${subdomain}`) };
      } catch (error) {
        if (isHiveZkError(error, 'NAMESPACE_MISSING')) {
          return undefined; // the subdomain went away between the two listings
        }
        throw error;
      }
    }),
  );
  const engines: KyuubiEngine[] = [];
  for (const entry of listings) {
    for (const instance of entry?.listing.instances ?? []) {
      const engine: KyuubiEngine = { ...parsed, user: entry?.user ?? '', subdomain: entry?.subdomain ?? '', instance };
      const refId = /(?:^|;)refId=([^;]*)/.exec(instance.znode)?.[1];
      if (refId !== undefined) {
        engine.refId = refId;
      }
      engines.push(engine);
    }
  }
  return engines;
}
