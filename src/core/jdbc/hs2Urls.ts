// JDBC URLs built from the registry: a discovery URL for an ensemble + namespace, and a direct
// URL for one instance carrying the settings its znode publishes (as the driver would apply them).

import type { ConnectString } from '../zk/connectString';
import { differenceById, has, type HiveDriverVersion } from './driverVersions';
import { HiveZkError, preview } from '../errors';
import { connectTarget, type Hs2Instance } from '../registry/hs2Instance';
import { formatJdbcUrl } from './jdbcUrl';
import { applyPublishedSettings } from './resolver';

export interface UrlOptions {
  database?: string;
  /** Extra session variables chosen by the user (never a password). */
  sessionVars?: Record<string, string>;
}

/**
 * The URL clients use for service discovery. A JDBC URL cannot carry a ZooKeeper chroot (its first
 * "/" ends the host list), so a chroot is folded into zooKeeperNamespace, which the driver reads as a path.
 */
export function discoveryUrl(connect: ConnectString, namespace: string, options: UrlOptions & { ha?: boolean; driver?: HiveDriverVersion } = {}): string {
  if (options.ha && options.driver !== undefined && !has(options.driver, 'zooKeeperHA')) {
    const row = differenceById('zooKeeperHA');
    throw new HiveZkError('BAD_ARGUMENT', `A Hive ${options.driver} driver has no active/passive HA discovery (${row.hiveIssue}, Hive ${row.firstRelease}): connect to the active instance's own URL instead.`);
  }
  const chroot = connect.chroot ? connect.chroot.replace(/^\//, '') + '/' : '';
  return formatJdbcUrl({
    hosts: connect.servers,
    database: options.database ?? 'default',
    sessionVars: {
      serviceDiscoveryMode: options.ha ? 'zooKeeperHA' : 'zooKeeper',
      zooKeeperNamespace: chroot + namespace.replace(/^\/+/, ''),
      ...options.sessionVars,
    },
  });
}

/** A direct URL to one instance, with transport, http path, SSL, principal and QOP from its znode. */
export function instanceUrl(instance: Hs2Instance, options: UrlOptions = {}): string {
  const target = connectTarget(instance);
  if ('problem' in target) {
    throw new HiveZkError('BAD_ZNODE_DATA', `The registration ${preview(instance.znode)} has no address a client can use: ${preview(target.problem, 200)}.`);
  }
  const applied = applyPublishedSettings(instance.settings, options.sessionVars ?? {});
  return formatJdbcUrl({
    hosts: [target],
    database: options.database ?? 'default',
    sessionVars: { ...applied.fromZnode, ...options.sessionVars },
  });
}
