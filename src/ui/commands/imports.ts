// Commands that import the files users already keep (hive-site.xml, beeline-site.xml) as ensembles,
// and copy a beeline-site.xml entry for a tree item. Parsing lives in core/config/ (hiveSite.ts, beelineFiles.ts).
import * as vscode from 'vscode';
import { parseConnectString } from '../../core/zk/connectString';
import { HiveZkError } from '../../core/errors';
import type { EnsembleEntry } from '../../core/config/ensemble';
import { discoveryUrl } from '../../core/jdbc/hs2Urls';
import { haRegistryNames } from '../../core/registry/haRegistry';
import { parseJdbcUrl } from '../../core/jdbc/jdbcUrl';
import { Cancelled } from '../commandFunnel';
import { Commands } from '../ids';
import { ensembleWithDefaults, writeEnsembles, type EnsembleConfig } from '../settings';
import { ask, copy, register, registerForNodes, type CommandDeps } from './common';

/** The XML parser is loaded on first use, not at activation (it is most of this feature's code). */
const configFiles = async (): Promise<typeof import('../../core/config/hadoopXml') & typeof import('../../core/config/hiveSite') & typeof import('../../core/config/beelineFiles')> => ({
  ...(await import('../../core/config/hadoopXml')),
  ...(await import('../../core/config/hiveSite')),
  ...(await import('../../core/config/beelineFiles')),
});

async function readConfigFile(arg: unknown, title: string): Promise<{ text: string; uri: vscode.Uri }> {
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { 'Hadoop configuration': ['xml'] } });
    uri = picked?.[0];
  }
  if (!uri) {
    throw new Cancelled();
  }
  if (uri.scheme !== 'file') {
    throw new HiveZkError('BAD_CONFIG_FILE', `Only local files are read (${uri.scheme}: is not).`);
  }
  // Counted read of a regular file: a FIFO or /dev/zero picked in the dialog is refused, not read until memory runs out.
  return { text: (await configFiles()).readConfigFile(uri.fsPath), uri };
}

/** Adds entries whose connect string and namespaces are new, renaming on a name clash. */
async function addEnsembles(current: readonly EnsembleConfig[], entries: readonly EnsembleEntry[]): Promise<EnsembleConfig[]> {
  const added: EnsembleConfig[] = [];
  const names = new Set(current.map((e) => e.name));
  for (const entry of entries) {
    const duplicate = [...current, ...added].some((e) => e.connectString === entry.connectString && e.hs2Namespaces.join() === entry.hs2Namespaces.join());
    if (duplicate) {
      continue;
    }
    let name = entry.name;
    for (let n = 2; names.has(name); n += 1) {
      name = `${entry.name} (${n})`;
    }
    names.add(name);
    added.push({ ...ensembleWithDefaults(name, entry.connectString, entry.hs2Namespaces), lockNamespace: entry.lockNamespace });
  }
  if (added.length > 0) {
    await writeEnsembles([...current, ...added]);
  }
  return added;
}

export function registerImportCommands(deps: CommandDeps): void {
  const { log, settings } = deps;

  register(deps, Commands.addEnsemblesFromHiveSite, async (arg) => {
    const { text, uri } = await readConfigFile(arg, 'Add Ensembles from hive-site.xml');
    const { ensembles, settings: site } = (await configFiles()).ensemblesFromHiveSite(text, 'hive-site');
    site.warnings.forEach((w) => log.warn(`${uri.fsPath}: ${w}`));
    if (ensembles.length === 0) {
      throw new HiveZkError('BAD_CONFIG_FILE', `No ZooKeeper ensemble in ${uri.fsPath}: ${site.warnings[0] ?? 'hive.zookeeper.quorum is not set.'}`);
    }
    const added = await addEnsembles(settings().ensembles, ensembles);
    void vscode.window.showInformationMessage(added.length > 0 ? `Added ${added.map((e) => e.name).join(', ')}.` : 'Those ensembles are already configured.');
    return added;
  });

  register(deps, Commands.addFromBeelineSite, async (arg) => {
    const { text, uri } = await readConfigFile(arg, 'Add from beeline-site.xml');
    const site = (await configFiles()).readBeelineSite(text);
    site.warnings.forEach((w) => log.warn(`${uri.fsPath}: ${w}`));
    const entries: EnsembleEntry[] = [];
    for (const named of site.urls) {
      if (named.problem !== undefined) {
        log.warn(`${uri.fsPath}: ${named.name}: ${named.problem}`);
        continue;
      }
      const url = parseJdbcUrl(named.url);
      if (!url.discovery) {
        continue; // a direct URL names no ensemble
      }
      parseConnectString(url.authority);
      const ha = url.discovery === 'zooKeeperHA';
      const namespace = url.sessionVars.zooKeeperNamespace || (ha ? 'hs2ActivePassiveHA' : 'hiveserver2');
      entries.push({ name: named.name, connectString: url.authority, hs2Namespaces: ha ? haRegistryNames(namespace) : [namespace], lockNamespace: 'hive_zookeeper_namespace' });
    }
    if (entries.length === 0) {
      throw new HiveZkError('BAD_CONFIG_FILE', `No service-discovery URL in ${uri.fsPath} (beeline.hs2.jdbc.url.<name> with serviceDiscoveryMode=zooKeeper).`);
    }
    const added = await addEnsembles(settings().ensembles, entries);
    void vscode.window.showInformationMessage(added.length > 0 ? `Added ${added.map((e) => e.name).join(', ')}.` : 'Those ensembles are already configured.');
    return added;
  });

  registerForNodes(deps, Commands.copyAsBeelineSiteEntry, ['ensemble', 'namespace'], async (node, options) => {
    const ensemble = settings().ensembles.find((e) => e.name === node?.ensemble) ?? settings().ensembles[0];
    if (!ensemble) {
      throw new HiveZkError('BAD_ARGUMENT', 'No ZooKeeper ensemble is configured. Run "Hive ZooKeeper: Add ZooKeeper Ensemble…" first.');
    }
    const namespaceNode = node?.kind === 'namespace' ? node : undefined;
    const url = discoveryUrl(parseConnectString(ensemble.connectString), namespaceNode?.namespace ?? ensemble.hs2Namespaces[0] ?? 'hiveserver2', { ha: namespaceNode?.nsKind === 'hs2-ha' });
    const name =
      (options as { name?: string } | undefined)?.name ??
      (await ask({
        title: 'Copy as beeline-site.xml entry',
        prompt: 'Name for `beeline -c <name>`',
        value: ensemble.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'hive',
        validateInput: (value) => (/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(value) && value !== 'default' ? undefined : 'Letters, digits, ".", "_" or "-" (not "default").'),
      }));
    const entry = await copy((await configFiles()).formatBeelineSiteEntry(name, url), 'beeline-site.xml entry');
    void vscode.window.showInformationMessage(`Copied a beeline-site.xml entry: paste it into ~/.beeline/beeline-site.xml, then run beeline -c ${name}.`);
    return entry;
  });
}
