// An ensemble as the user configures it (the hiveZk.ensembles setting, or what hive-site.xml
// describes) and HiveConf's default namespaces, which fill in what is not given. Imports nothing.

/** hive.server2.zookeeper.namespace's default. */
export const DEFAULT_HS2_NAMESPACE = 'hiveserver2';
/** hive.server2.active.passive.ha.registry.namespace's default. */
export const DEFAULT_HA_NAMESPACE = 'hs2ActivePassiveHA';
/** hive.zookeeper.namespace's default (the lock manager's). */
export const DEFAULT_LOCK_NAMESPACE = 'hive_zookeeper_namespace';
/** metastore.zookeeper.namespace's default. */
export const DEFAULT_METASTORE_NAMESPACE = 'hive_metastore';

/** Where an ensemble's Hive registrations and locks are: what hive-site.xml can say, and what every configured ensemble has. */
export interface EnsembleEntry {
  name: string;
  connectString: string;
  hs2Namespaces: string[];
  lockNamespace: string;
}
