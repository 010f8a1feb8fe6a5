// Commands about connecting to HiveServer2: resolve a JDBC URL as the driver does, copy URLs and
// beeline commands, open beeline in a terminal (beeline prompts for the password itself).
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { buildBeelineCommand, type BeelineCommand, type ShellKind } from '../../core/jdbc/beeline';
import { parseConnectString } from '../../core/zk/connectString';
import { HiveZkError } from '../../core/errors';
import { listRegistry } from '../../core/registry/registry';
import { discoveryUrl, instanceUrl } from '../../core/jdbc/hs2Urls';
import { parseJdbcUrl } from '../../core/jdbc/jdbcUrl';
import { resolveJdbcUrl, type Candidate, type Resolution } from '../../core/jdbc/resolver';
import { escapeInvisible, safeJson } from '../../core/untrusted';
import { Commands } from '../ids';
import type { SnapshotDocuments } from '../snapshotDocuments';
import { Cancelled } from '../commandFunnel';
import type { EnsembleConfig, Settings } from '../settings';
import type { NodeOfKind } from '../tree/nodes';
import { ask, copy, currentShell, nodeArgument, pickEnsemble, register, registerForNodes, validateUrl, type CommandDeps } from './common';

/** The nodes a JDBC URL can be made for. */
const URL_NODES = ['ensemble', 'namespace', 'instance'] as const;
type UrlNode = NodeOfKind<(typeof URL_NODES)[number]>;

export function registerJdbcCommands(deps: CommandDeps): void {
  const { log, connections, settings } = deps;

  /** The JDBC URL a node stands for: discovery for ensembles and namespaces, direct for instances. */
  const urlFor = async (node: UrlNode | undefined): Promise<{ url: string; label: string }> => {
    if (node?.kind === 'instance') {
      const { instance } = node;
      return { url: instanceUrl(instance), label: `${instance.host ?? ''}:${instance.port ?? ''}` };
    }
    const ensemble = await pickEnsemble(settings, node);
    const connect = parseConnectString(ensemble.connectString);
    if (node?.kind === 'namespace') {
      return { url: discoveryUrl(connect, node.namespace, { ha: node.nsKind === 'hs2-ha', driver: settings().driverVersion }), label: node.namespace };
    }
    const namespace = await pickNamespace(ensemble);
    return { url: discoveryUrl(connect, namespace, { driver: settings().driverVersion }), label: `${ensemble.name}/${namespace}` };
  };

  /** The ensemble's one HiveServer2 namespace, or the one the user picks when it has several. */
  const pickNamespace = async (ensemble: EnsembleConfig): Promise<string> => {
    if (ensemble.hs2Namespaces.length <= 1) {
      return ensemble.hs2Namespaces[0] ?? 'hiveserver2';
    }
    const picked = await vscode.window.showQuickPick(ensemble.hs2Namespaces, { title: `HiveServer2 namespace on ${ensemble.name}` });
    if (picked === undefined) {
      throw new Cancelled();
    }
    return picked;
  };

  let lastTypedUrl = '';
  /** A discovery URL for a configured ensemble and namespace, or one typed in. */
  const askForUrl = async (): Promise<string> => {
    const typed = { label: '$(edit) Enter a JDBC URL…', url: undefined as string | undefined };
    // Configured namespaces, then those the tree has found on each ensemble (no connection made here).
    const configured = settings().ensembles.flatMap((ensemble) =>
      [...new Set([...ensemble.hs2Namespaces, ...deps.tree.discoveredHs2Namespaces(ensemble.name)])].map((namespace) => ({
        label: `${ensemble.name} / ${namespace}`,
        description: `${ensemble.connectString}${ensemble.hs2Namespaces.includes(namespace) ? '' : ' · found'}`,
        url: discoveryUrl(parseConnectString(ensemble.connectString), namespace, { driver: settings().driverVersion }),
      })),
    );
    const picked = configured.length === 0 ? typed : await vscode.window.showQuickPick([typed, ...configured], { title: 'Resolve a HiveServer2 JDBC URL', placeHolder: 'A configured ensemble and namespace, or a URL of your own' });
    if (picked === undefined) {
      throw new Cancelled();
    }
    if (picked.url !== undefined) {
      return picked.url;
    }
    // Offered again as typed: a URL that failed to resolve is corrected, not retyped.
    lastTypedUrl = await ask({
      title: 'Resolve a HiveServer2 JDBC URL',
      prompt: 'The URL is resolved as Hive\'s JDBC driver does: every live instance, and the one it would pick at random',
      placeHolder: 'jdbc:hive2://zk1:2181,zk2:2181/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2',
      value: lastTypedUrl,
      validateInput: (value) => validateUrl(value),
    });
    return lastTypedUrl;
  };

  const beelineFor = (url: string, node: UrlNode | undefined): ReturnType<typeof buildBeelineCommand> => beelineCommandFor(settings(), node?.ensemble, url);

  /**
   * The command line for the terminal's shell. On Windows, beeline is beeline.cmd whatever the shell
   * (Git Bash too), so cmd.exe's rules apply to the arguments as well: checked by building that line.
   */
  const commandLine = (command: ReturnType<typeof buildBeelineCommand>, shell: ShellKind): string => {
    if (process.platform === 'win32' && shell === 'posix') {
      command.display('cmd');
    }
    return command.display(shell);
  };

  // From the palette (pick or type a URL), from a namespace row (its discovery URL), or with a URL (tests, other extensions).
  register(deps, Commands.resolveJdbcUrl, async (arg) => {
    const interactive = typeof arg !== 'string';
    const namespace = interactive ? nodeArgument(Commands.resolveJdbcUrl, arg, ['namespace']) : undefined;
    const text = typeof arg === 'string' ? arg : namespace ? (await urlFor(namespace)).url : await askForUrl();
    const url = parseJdbcUrl(text.trim());
    const resolution = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Resolving JDBC URL…' },
      (): Promise<Resolution> =>
        url.discovery
          ? connections.withSessionFor(url.authority, (session) => resolveJdbcUrl(text.trim(), () => session, { driver: settings().driverVersion }))
          : resolveJdbcUrl(
              text.trim(),
              () => {
                throw new HiveZkError('URL_NOT_DISCOVERY', 'No ZooKeeper needed for a direct URL.');
              },
              { driver: settings().driverVersion },
            ),
    );
    log.info(`resolved ${url.discovery ?? 'direct'} URL: ${resolution.candidates.length} candidate(s), driver would pick ${resolution.chosen?.host ?? '-'}:${resolution.chosen?.port ?? '-'}`);
    if (interactive) {
      void showResolution(deps.snapshots, resolution);
    }
    return resolution;
  });

  registerForNodes(deps, Commands.copyMetastoreUris, ['namespace'], async (node) => {
    if (node?.nsKind !== 'metastore') {
      throw new HiveZkError('BAD_ARGUMENT', 'Choose a metastore namespace in the Hive ZooKeeper tree.');
    }
    const ensemble = await pickEnsemble(settings, node);
    const instances = (await listRegistry(await connections.sessionFor(ensemble), node.namespace, { kind: 'metastore' })).metastores;
    if (instances.length === 0) {
      throw new HiveZkError('NAMESPACE_EMPTY', `No metastore is registered under ${node.path}.`);
    }
    // What a client's hive-site.xml wants when it does not use metastore discovery itself.
    return copy(instances.map((m) => m.uri).join(','), 'hive.metastore.uris');
  });

  registerForNodes(deps, Commands.copyJdbcUrl, URL_NODES, async (node) => {
    const { url, label } = await urlFor(node);
    return copy(url, `JDBC URL for ${label}`);
  });

  registerForNodes(deps, Commands.copyBeelineCommand, URL_NODES, async (node) => {
    const { url, label } = await urlFor(node);
    return copy(commandLine(beelineFor(url, node), currentShell()), `beeline command for ${label}`);
  });

  registerForNodes(deps, Commands.openBeeline, URL_NODES, async (node) => {
    const { url, label } = await urlFor(node);
    const shell = currentShell();
    const text = commandLine(beelineFor(url, node), shell);
    const { beelinePath } = settings();
    if (findExecutable(beelinePath) === undefined) {
      // Not awaited: the warning stays up while the command returns, and offers to fix the setting.
      void vscode.window.showWarningMessage(`beeline was not found ("${beelinePath}" is not on PATH). Set hiveZk.beeline.path to your beeline.`, 'Set beeline Path…').then(async (choice) => {
        if (choice) {
          // A file picker: the executable is a file somewhere on disk, rarely a path one remembers.
          const picked = await vscode.window.showOpenDialog({ title: 'The beeline executable', openLabel: 'Use this beeline', canSelectMany: false, canSelectFiles: true, canSelectFolders: false });
          const path = picked?.[0]?.fsPath;
          if (path) {
            await vscode.workspace.getConfiguration('hiveZk').update('beeline.path', path, vscode.ConfigurationTarget.Global);
          }
        }
      });
      return { missing: beelinePath, text };
    }
    const terminal = vscode.window.createTerminal({ name: `beeline · ${label}` });
    terminal.show();
    terminal.sendText(text, true);
    log.info(`opened beeline for ${label} (${shell})`);
    return { terminalName: terminal.name, text };
  });
}

async function showResolution(snapshots: SnapshotDocuments, resolution: Resolution): Promise<void> {
  // The driver's pick first, then the other candidates in znode order.
  const ordered = [...resolution.candidates].sort((a, b) => Number(b === resolution.chosen) - Number(a === resolution.chosen));
  const items = ordered.map((candidate) => {
    const fromZnode = Object.entries(candidate.fromZnode).map(([k, v]) => `${k}=${v}`).join(', ');
    const overridden = Object.keys(candidate.overriddenByUrl).join(', ');
    return {
      label: `${candidate === resolution.chosen ? '$(star-full) ' : candidate.usable ? '' : '$(warning) '}${candidate.host ?? '?'}:${candidate.port ?? '?'}`,
      description: escapeInvisible([candidate === resolution.chosen ? (resolution.mode === 'zooKeeper' ? 'random pick: the driver picks anew on every connect' : 'the driver uses this one') : undefined, candidate.isLeader ? 'active' : undefined, candidate.version ? `v${candidate.version}` : undefined].filter(Boolean).join(' · ')),
      detail: escapeInvisible((candidate.usable ? `from znode: ${fromZnode || 'nothing'}${overridden ? ` · URL overrides: ${overridden}` : ''}` : `not usable: ${candidate.problem ?? ''}`) + (candidate.notes ?? []).map((n) => ` · ${n.message}`).join('')),
      candidate,
    };
  });
  // What the driver will really do with the URL (host-text replacement, ignored settings…) comes first.
  type Row = vscode.QuickPickItem & { candidate?: Candidate; json?: boolean };
  const notes: Row[] = resolution.notes.map((note) => ({ label: `$(info) ${note.code}`, description: '', detail: note.message }));
  const asJson: Row = { label: '$(json) Open the whole resolution as JSON', description: 'to keep, compare or copy', json: true };
  const picked = await vscode.window.showQuickPick<Row>([asJson, ...notes, ...items], {
    title: `${resolution.mode} · ${resolution.namespace ?? ''} · ${resolution.candidates.length} candidate(s) · Hive ${resolution.driver} driver — pick one to copy its direct URL`,
    matchOnDetail: true,
  });
  if (picked?.json) {
    await openResolutionDocument(snapshots, resolution);
  } else if (picked?.candidate?.url) {
    await copy(picked.candidate.url, `JDBC URL for ${picked.candidate.host ?? ''}`);
  }
}

/**
 * The beeline command for a URL: the ensemble's settings win over the global ones. With a user,
 * beeline itself prompts for the password when it connects: no secret passes through us.
 */
export function beelineCommandFor(settings: Settings, ensembleName: string | undefined, url: string): BeelineCommand {
  const { beelinePath, beelineUser, ensembles } = settings;
  const ensemble = ensembles.find((e) => e.name === ensembleName);
  const user = ensemble?.beelineUser ?? beelineUser;
  return buildBeelineCommand({ url, beelinePath, ...(user ? { user, password: { kind: 'prompt' } } : {}), ...(ensemble?.beelineArgs ? { extraArgs: ensemble.beelineArgs } : {}) });
}

/** The resolution as a read-only JSON document (invisible characters from znodes escaped), kept after the picker closes. */
export function openResolutionDocument(snapshots: SnapshotDocuments, resolution: Resolution): Promise<vscode.TextDocument> {
  return snapshots.open(`resolution ${resolution.namespace ?? resolution.mode}.json`, safeJson(resolution, 2), 'json');
}

/** The executable a name or path stands for, as a terminal would find it; undefined when there is none. */
export function findExecutable(program: string): string | undefined {
  const candidates = isAbsolute(program) || program.includes('/') || program.includes('\\') ? [program] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  const extensions = process.platform === 'win32' ? ['', '.cmd', '.bat', '.exe'] : [''];
  for (const candidate of candidates) {
    for (const extension of extensions) {
      try {
        accessSync(candidate + extension, process.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK);
        return candidate + extension;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
