// Reads hive-site.xml as HiveConf does for what this tool needs: the ZooKeeper quorum and namespaces of
// HiveServer2 discovery, the lock manager and the metastore, and the JDBC settings a discovery URL
// needs; and the ensembles it describes. Files are untrusted input (hadoopXml.ts reads them).

import { parseConnectString } from '../zk/connectString';
import { isHiveZkError, preview } from '../errors';
import { parseHadoopXml } from './hadoopXml';
import { haRegistryNames } from '../registry/haRegistry';
import { DEFAULT_HA_NAMESPACE, DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE, DEFAULT_METASTORE_NAMESPACE, type EnsembleEntry } from './ensemble';

const isTrue = (value: string | undefined): boolean => value?.trim().toLowerCase() === 'true';

/** hive.zookeeper.quorum with hive.zookeeper.client.port appended to hosts that have no port (HiveConf.getZKConfig). */
export function quorumWithPort(quorum: string, clientPort: string | undefined): string {
  const port = clientPort?.trim() || '2181';
  return quorum
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '')
    .map((server) => (server.includes(':') ? server : `${server}:${port}`))
    .join(',');
}

export interface HiveSiteSettings {
  /** The ZooKeeper connect string HiveServer2 and the lock manager use, port applied; undefined if unset. */
  quorum?: string;
  discoveryEnabled: boolean;
  hs2Namespace: string;
  haEnabled: boolean;
  haNamespace: string;
  lockNamespace: string;
  lockManagerEnabled: boolean;
  /** Metastore ZooKeeper discovery (Hive 4): its ensemble is hive.metastore.uris. */
  metastore?: { connectString: string; namespace: string };
  zooKeeperSsl: boolean;
  /** JDBC settings a discovery URL for this server needs (what beeline derives from hive-site.xml). */
  transportMode?: string;
  httpPath?: string;
  ssl?: boolean;
  principal?: string;
  warnings: string[];
}

export function readHiveSite(text: string): HiveSiteSettings {
  const { get, warnings } = parseHadoopXml(text);
  const settings: HiveSiteSettings = {
    discoveryEnabled: isTrue(get('hive.server2.support.dynamic.service.discovery')),
    hs2Namespace: get('hive.server2.zookeeper.namespace')?.trim() || DEFAULT_HS2_NAMESPACE,
    haEnabled: isTrue(get('hive.server2.active.passive.ha.enable')),
    haNamespace: get('hive.server2.active.passive.ha.registry.namespace')?.trim() || DEFAULT_HA_NAMESPACE,
    lockNamespace: get('hive.zookeeper.namespace')?.trim() || DEFAULT_LOCK_NAMESPACE,
    lockManagerEnabled: isTrue(get('hive.support.concurrency')),
    zooKeeperSsl: isTrue(get('hive.zookeeper.ssl.client.enable')),
    warnings,
  };
  const quorum = get('hive.zookeeper.quorum')?.trim();
  if (quorum) {
    settings.quorum = quorumWithPort(quorum, get('hive.zookeeper.client.port'));
  } else {
    warnings.push('hive.zookeeper.quorum is not set: HiveServer2 discovery and the ZooKeeper lock manager have no ensemble.');
  }
  if (quorum && !settings.discoveryEnabled) {
    warnings.push('hive.server2.support.dynamic.service.discovery is not true: HiveServer2 does not register in ZooKeeper.');
  }
  const transportMode = get('hive.server2.transport.mode')?.trim();
  if (transportMode) {
    settings.transportMode = transportMode;
    if (transportMode.toLowerCase() === 'http') {
      settings.httpPath = get('hive.server2.thrift.http.path')?.trim() || 'cliservice';
    }
  }
  if (get('hive.server2.use.SSL') !== undefined) {
    settings.ssl = isTrue(get('hive.server2.use.SSL'));
  }
  const principal = get('hive.server2.authentication.kerberos.principal')?.trim();
  if (principal && get('hive.server2.authentication')?.trim().toUpperCase() === 'KERBEROS') {
    settings.principal = principal;
  }
  const discoveryMode = (get('metastore.service.discovery.mode') ?? get('hive.metastore.service.discovery.mode'))?.trim().toLowerCase();
  if (discoveryMode === 'zookeeper') {
    const uris = (get('metastore.thrift.uris') ?? get('hive.metastore.uris'))?.trim();
    // MetastoreConf: metastore.zookeeper.namespace, whose Hive name is hive.zookeeper.namespace (the lock manager's key too).
    const namespace = get('metastore.zookeeper.namespace')?.trim() || get('hive.zookeeper.namespace')?.trim() || DEFAULT_METASTORE_NAMESPACE;
    if (!get('metastore.zookeeper.namespace') && get('hive.zookeeper.namespace')) {
      warnings.push(`hive.zookeeper.namespace (${preview(namespace, 40)}) is also the metastore's discovery namespace: the metastore and the lock manager share it.`);
    }
    if (uris) {
      settings.metastore = { connectString: quorumWithPort(uris, get('metastore.zookeeper.client.port') ?? get('hive.zookeeper.client.port')), namespace };
    } else {
      warnings.push('Metastore discovery mode is zookeeper but hive.metastore.uris (the ensemble) is not set.');
    }
  }
  return settings;
}

/** The ensembles a hive-site.xml describes: HiveServer2/lock quorum, and the metastore's if it differs. */
export function ensemblesFromHiveSite(text: string, baseName = 'hive-site'): { ensembles: EnsembleEntry[]; settings: HiveSiteSettings } {
  const settings = readHiveSite(text);
  const ensembles: EnsembleEntry[] = [];
  const checked = (connectString: string, what: string): string | undefined => {
    try {
      parseConnectString(connectString);
      return connectString;
    } catch (error) {
      settings.warnings.push(`${what}: ${isHiveZkError(error) ? error.message : String(error)}`);
      return undefined;
    }
  };
  const quorum = settings.quorum === undefined ? undefined : checked(settings.quorum, 'hive.zookeeper.quorum');
  if (quorum) {
    const hs2Namespaces = settings.haEnabled ? haRegistryNames(settings.haNamespace) : [settings.hs2Namespace];
    ensembles.push({ name: baseName, connectString: quorum, hs2Namespaces, lockNamespace: settings.lockNamespace });
  }
  if (settings.metastore && settings.metastore.connectString !== quorum) {
    const metastore = checked(settings.metastore.connectString, 'hive.metastore.uris');
    if (metastore) {
      ensembles.push({ name: `${baseName} (metastore)`, connectString: metastore, hs2Namespaces: [], lockNamespace: settings.lockNamespace });
    }
  }
  return { ensembles, settings };
}
