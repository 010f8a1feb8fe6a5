// Every command of the extension, registered through the one error funnel. Commands take an
// optional argument so they can be run from a tree item, the palette (they then ask), or a test.
import * as vscode from 'vscode';
import { buildBeelineCommand, type ShellKind } from '../core/beeline';
import { parseConnectString } from '../core/connectString';
import { HiveZkError, toHiveZkError } from '../core/errors';
import { discoveryUrl, instanceUrl } from '../core/hs2Urls';
import { parseJdbcUrl } from '../core/jdbcUrl';
import { decodeLockObject, unlockStatement } from '../core/locks';
import { resolveJdbcUrl, type Resolution } from '../core/resolver';
import { renderZnodeData } from '../core/znodeText';
import { Cancelled, registerCommand } from './commandFunnel';
import type { Connections } from './connections';
import { ensembleWithDefaults, writeEnsembles, type EnsembleConfig, type Settings } from './settings';
import type { HiveZkTreeProvider, InstanceNode, TreeNode } from './tree';
import { znodeUri } from './znodeDocument';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  connections: Connections;
  tree: HiveZkTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  settings: () => Settings;
}

export const COMMANDS = {
  refresh: 'hiveZk.refresh',
  refreshNode: 'hiveZk.refreshNode',
  addEnsemble: 'hiveZk.addEnsemble',
  addEnsembleFromUrl: 'hiveZk.addEnsembleFromUrl',
  editEnsemble: 'hiveZk.editEnsemble',
  removeEnsemble: 'hiveZk.removeEnsemble',
  setCredential: 'hiveZk.setCredential',
  clearCredential: 'hiveZk.clearCredential',
  resolveJdbcUrl: 'hiveZk.resolveJdbcUrl',
  copyJdbcUrl: 'hiveZk.copyJdbcUrl',
  copyBeelineCommand: 'hiveZk.copyBeelineCommand',
  openBeeline: 'hiveZk.openBeeline',
  copyZnodePath: 'hiveZk.copyZnodePath',
  copyZnodeData: 'hiveZk.copyZnodeData',
  openZnode: 'hiveZk.openZnode',
  copyUnlockStatement: 'hiveZk.copyUnlockStatement',
  filter: 'hiveZk.filter',
  clearFilter: 'hiveZk.clearFilter',
  revealInstance: 'hiveZk.revealInstance',
  showLog: 'hiveZk.showLog',
  loadMore: 'hiveZk.loadMore',
} as const;

export function registerCommands(deps: CommandDeps): void {
  const { context, log, connections, tree, treeView, settings } = deps;
  const register = (id: string, handler: (...args: unknown[]) => unknown): void => registerCommand(context, log, id, handler);

  const ensembleOf = (node: TreeNode | undefined): EnsembleConfig | undefined => settings().ensembles.find((e) => e.name === node?.ensemble);

  const pickEnsemble = async (node: unknown): Promise<EnsembleConfig> => {
    const fromNode = ensembleOf(node as TreeNode | undefined);
    if (fromNode) {
      return fromNode;
    }
    const ensembles = settings().ensembles;
    if (ensembles.length === 0) {
      throw new HiveZkError('BAD_ARGUMENT', 'No ZooKeeper ensemble is configured. Run "Hive ZooKeeper: Add ZooKeeper Ensemble…" first.');
    }
    if (ensembles.length === 1) {
      return ensembles[0];
    }
    const picked = await vscode.window.showQuickPick(
      ensembles.map((e) => ({ label: e.name, description: e.connectString, ensemble: e })),
      { placeHolder: 'Choose a ZooKeeper ensemble' },
    );
    if (!picked) {
      throw new Cancelled();
    }
    return picked.ensemble;
  };

  /** The JDBC URL a node stands for: discovery for ensembles and namespaces, direct for instances. */
  const urlFor = async (arg: unknown): Promise<{ url: string; label: string }> => {
    const node = arg as TreeNode | undefined;
    if (node?.kind === 'instance') {
      const { instance } = node;
      return { url: instanceUrl(instance), label: `${instance.host ?? ''}:${instance.port ?? ''}` };
    }
    const ensemble = await pickEnsemble(node);
    const connect = parseConnectString(ensemble.connectString);
    if (node?.kind === 'namespace') {
      return { url: discoveryUrl(connect, node.namespace, { ha: node.nsKind === 'hs2-ha' }), label: node.namespace };
    }
    const namespace = ensemble.hs2Namespaces[0] ?? 'hiveserver2';
    return { url: discoveryUrl(connect, namespace), label: `${ensemble.name}/${namespace}` };
  };

  const copy = async (text: string, what: string): Promise<string> => {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`$(copy) Copied ${what}`, 3000);
    return text;
  };

  /** With a user, beeline itself prompts for the password when it connects: no secret passes through us. */
  const beelineFor = (url: string): ReturnType<typeof buildBeelineCommand> => {
    const { beelinePath, beelineUser } = settings();
    return buildBeelineCommand({ url, beelinePath, ...(beelineUser ? { user: beelineUser, password: { kind: 'prompt' } } : {}) });
  };

  register(COMMANDS.refresh, () => tree.refresh());
  register(COMMANDS.refreshNode, (arg) => {
    const node = arg as TreeNode | undefined;
    if (node?.kind === 'message' && node.retryId !== undefined) {
      tree.refreshById(node.retryId);
    } else if (node) {
      tree.refresh(node);
    }
  });
  register(COMMANDS.loadMore, (arg) => {
    const node = arg as TreeNode | undefined;
    if (node?.kind === 'loadMore') {
      tree.loadMore(node);
    }
  });
  register(COMMANDS.showLog, () => log.show());

  register(COMMANDS.addEnsemble, async (arg) => {
    const given = arg as Partial<EnsembleConfig> | undefined;
    const existing = settings().ensembles;
    const connectString =
      given?.connectString ??
      (await ask({
        title: 'Add ZooKeeper ensemble (1/2)',
        prompt: 'ZooKeeper connect string: host:port[,host:port…][/chroot]',
        placeHolder: 'zk1.example.com:2181,zk2.example.com:2181',
        validateInput: (value) => validateConnectString(value),
      }));
    parseConnectString(connectString);
    const name =
      given?.name ??
      (await ask({
        title: 'Add ZooKeeper ensemble (2/2)',
        prompt: 'A name for this ensemble',
        value: parseConnectString(connectString).servers[0]?.host ?? 'zookeeper',
        validateInput: (value) => (value.trim() === '' ? 'A name is needed.' : existing.some((e) => e.name === value.trim()) ? 'That name is taken.' : undefined),
      }));
    if (existing.some((e) => e.name === name.trim())) {
      throw new HiveZkError('BAD_ARGUMENT', `An ensemble named "${name}" already exists.`);
    }
    const config = ensembleWithDefaults(name.trim(), connectString.trim(), given?.hs2Namespaces);
    await writeEnsembles([...existing, config]);
    log.info(`added ensemble ${config.name} (${config.connectString})`);
    return config;
  });

  register(COMMANDS.addEnsembleFromUrl, async (arg) => {
    const text =
      typeof arg === 'string'
        ? arg
        : await ask({
            title: 'Add ensemble from a JDBC URL',
            prompt: 'Paste a HiveServer2 discovery URL (serviceDiscoveryMode=zooKeeper)',
            placeHolder: 'jdbc:hive2://zk1:2181,zk2:2181/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2',
            validateInput: (value) => validateDiscoveryUrl(value),
          });
    const url = parseJdbcUrl(text.trim());
    if (!url.discovery) {
      throw new HiveZkError('URL_NOT_DISCOVERY', 'This URL names one server, not a ZooKeeper ensemble: it has no serviceDiscoveryMode=zooKeeper.');
    }
    const namespace = url.sessionVars.zooKeeperNamespace || (url.discovery === 'zooKeeperHA' ? 'hs2ActivePassiveHA' : 'hiveserver2');
    const existing = settings().ensembles;
    const match = connections.ensembleMatching(url.authority);
    if (match) {
      if (!match.hs2Namespaces.includes(namespace)) {
        match.hs2Namespaces = [...match.hs2Namespaces, namespace];
        await writeEnsembles(existing.map((e) => (e.name === match.name ? match : e)));
      }
      void vscode.window.showInformationMessage(`That ensemble is already configured as "${match.name}".`);
      return match;
    }
    let name = url.hosts[0]?.host ?? 'zookeeper';
    for (let n = 2; existing.some((e) => e.name === name); n += 1) {
      name = `${url.hosts[0]?.host ?? 'zookeeper'} (${n})`;
    }
    const config = ensembleWithDefaults(name, url.authority, [namespace]);
    await writeEnsembles([...existing, config]);
    log.info(`added ensemble ${config.name} (${config.connectString}) from a JDBC URL`);
    return config;
  });

  register(COMMANDS.editEnsemble, async (arg) => {
    const ensemble = await pickEnsemble(arg);
    const connectString = await ask({ title: `Edit ${ensemble.name}`, prompt: 'ZooKeeper connect string', value: ensemble.connectString, validateInput: validateConnectString });
    const namespaces = await ask({ title: `Edit ${ensemble.name}`, prompt: 'HiveServer2 namespaces to always show (comma-separated)', value: ensemble.hs2Namespaces.join(', ') });
    const lockNamespace = await ask({ title: `Edit ${ensemble.name}`, prompt: 'Lock manager namespace (hive.zookeeper.namespace)', value: ensemble.lockNamespace });
    const updated: EnsembleConfig = {
      ...ensemble,
      connectString: connectString.trim(),
      hs2Namespaces: namespaces.split(',').map((n) => n.trim()).filter(Boolean),
      lockNamespace: lockNamespace.trim() || ensemble.lockNamespace,
    };
    await writeEnsembles(settings().ensembles.map((e) => (e.name === ensemble.name ? updated : e)));
  });

  register(COMMANDS.removeEnsemble, async (arg) => {
    const ensemble = await pickEnsemble(arg);
    const answer = await vscode.window.showWarningMessage(`Remove the ensemble "${ensemble.name}" and forget its credential?`, { modal: true }, 'Remove');
    if (answer !== 'Remove') {
      throw new Cancelled();
    }
    await connections.deleteCredential(ensemble.name);
    await writeEnsembles(settings().ensembles.filter((e) => e.name !== ensemble.name));
  });

  register(COMMANDS.setCredential, async (arg, digestArg) => {
    const ensemble = await pickEnsemble(arg);
    const digest =
      typeof digestArg === 'string'
        ? digestArg
        : await ask({
            title: `Digest credential for ${ensemble.name}`,
            prompt: 'user:password for ZooKeeper digest authentication (kept in VS Code secret storage)',
            password: true,
            validateInput: (value) => (/^[^:]+:.+$/.test(value) ? undefined : 'Expected user:password'),
          });
    if (!/^[^:]+:.+$/.test(digest)) {
      throw new HiveZkError('BAD_ARGUMENT', 'A digest credential has the form user:password.');
    }
    await connections.storeCredential(ensemble.name, digest);
    log.info(`[${ensemble.name}] digest credential stored for user ${digest.slice(0, digest.indexOf(':'))}`);
    tree.refreshEnsemble(ensemble.name);
  });

  register(COMMANDS.clearCredential, async (arg) => {
    const ensemble = await pickEnsemble(arg);
    await connections.deleteCredential(ensemble.name);
    log.info(`[${ensemble.name}] digest credential removed`);
    tree.refreshEnsemble(ensemble.name);
  });

  register(COMMANDS.resolveJdbcUrl, async (arg) => {
    const interactive = typeof arg !== 'string';
    const text = interactive
      ? await ask({
          title: 'Resolve a HiveServer2 JDBC URL',
          prompt: 'The URL is resolved as Hive\'s JDBC driver does: every live instance, and the one it would pick',
          placeHolder: 'jdbc:hive2://zk1:2181,zk2:2181/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2',
          validateInput: (value) => validateUrl(value),
        })
      : arg;
    const url = parseJdbcUrl(text.trim());
    const resolution = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Resolving JDBC URL…' },
      (): Promise<Resolution> =>
        url.discovery
          ? connections.withSessionFor(url.authority, (session) => resolveJdbcUrl(text.trim(), () => session))
          : resolveJdbcUrl(text.trim(), () => {
              throw new HiveZkError('URL_NOT_DISCOVERY', 'No ZooKeeper needed for a direct URL.');
            }),
    );
    log.info(`resolved ${url.discovery ?? 'direct'} URL: ${resolution.candidates.length} candidate(s), driver would pick ${resolution.chosen?.host ?? '-'}:${resolution.chosen?.port ?? '-'}`);
    if (interactive) {
      void showResolution(resolution, copy);
    }
    return resolution;
  });

  register(COMMANDS.copyJdbcUrl, async (arg) => {
    const { url, label } = await urlFor(arg);
    return copy(url, `JDBC URL for ${label}`);
  });

  register(COMMANDS.copyBeelineCommand, async (arg) => {
    const { url, label } = await urlFor(arg);
    return copy(beelineFor(url).display(currentShell()), `beeline command for ${label}`);
  });

  register(COMMANDS.openBeeline, async (arg) => {
    const { url, label } = await urlFor(arg);
    const shell = currentShell();
    const text = beelineFor(url).display(shell);
    const terminal = vscode.window.createTerminal({ name: `beeline · ${label}` });
    terminal.show();
    terminal.sendText(text, true);
    log.info(`opened beeline for ${label} (${shell})`);
    return { terminalName: terminal.name, text };
  });

  register(COMMANDS.copyZnodePath, async (arg) => copy(znodePathOf(arg as TreeNode), 'znode path'));

  register(COMMANDS.copyZnodeData, async (arg) => {
    const node = arg as TreeNode;
    const ensemble = await pickEnsemble(node);
    const { data } = await (await connections.sessionFor(ensemble)).getData(znodePathOf(node));
    return copy(renderZnodeData(data).text, 'znode data');
  });

  register(COMMANDS.openZnode, async (arg) => {
    const node = arg as TreeNode;
    const ensemble = await pickEnsemble(node);
    const document = await vscode.workspace.openTextDocument(znodeUri(ensemble.name, znodePathOf(node)));
    await vscode.window.showTextDocument(document, { preview: true });
    return document.getText();
  });

  register(COMMANDS.copyUnlockStatement, async (arg) => {
    const node = arg as TreeNode;
    if (node?.kind === 'lock') {
      return copy(unlockStatement(node.lock.object), 'UNLOCK statement');
    }
    if (node?.kind === 'lockGroup') {
      const ensemble = await pickEnsemble(node);
      const segments = node.objectPath.slice(`/${ensemble.lockNamespace}/`.length).split('/');
      return copy(unlockStatement(decodeLockObject(segments)), 'UNLOCK statement');
    }
    throw new HiveZkError('BAD_ARGUMENT', 'Choose a lock or a locked object in the Locks tree.');
  });

  const applyFilter = (text: string | undefined): void => {
    tree.setFilter(text);
    treeView.description = tree.filter ? `filter: ${tree.filter}` : undefined;
    void vscode.commands.executeCommand('setContext', 'hiveZk.filtered', tree.filter !== undefined);
  };
  register(COMMANDS.filter, async (arg) => {
    const text = typeof arg === 'string' ? arg : await ask({ title: 'Filter the tree', prompt: 'Show instances and locks whose host, version, query id, query or client contains…', value: tree.filter ?? '' });
    applyFilter(text);
  });
  register(COMMANDS.clearFilter, () => applyFilter(undefined));

  register(COMMANDS.revealInstance, async (arg) => {
    const instances = await collectInstances(tree);
    const wanted = typeof arg === 'string' ? arg.toLowerCase() : undefined;
    let node: InstanceNode | undefined;
    if (wanted !== undefined) {
      node = instances.find((i) => `${i.instance.host}:${i.instance.port}`.toLowerCase() === wanted || i.instance.znode.toLowerCase() === wanted);
      if (!node) {
        throw new HiveZkError('ZK_NO_NODE', `No live instance matches "${arg as string}".`);
      }
    } else {
      const picked = await vscode.window.showQuickPick(
        instances.map((i) => ({ label: `${i.instance.host}:${i.instance.port}`, description: `${i.ensemble} · ${i.namespace}${i.instance.version ? ` · v${i.instance.version}` : ''}`, node: i })),
        { placeHolder: 'Reveal a HiveServer2 instance', matchOnDescription: true },
      );
      if (!picked) {
        throw new Cancelled();
      }
      node = picked.node;
    }
    await treeView.reveal(node, { select: true, focus: true, expand: false });
    return node.id;
  });
}

/** Expands each ensemble's HiveServer2 namespaces through the tree, so revealed nodes have parents. */
async function collectInstances(tree: HiveZkTreeProvider): Promise<InstanceNode[]> {
  const ensembles = (await tree.getChildren(undefined)).filter((n) => n.kind === 'ensemble');
  const perEnsemble = await Promise.all(
    ensembles.map(async (ensembleNode) => {
      const sections = await tree.getChildren(ensembleNode);
      const hs2 = sections.find((s) => s.kind === 'section' && s.section === 'hs2');
      const namespaces = hs2 ? (await tree.getChildren(hs2)).filter((n) => n.kind === 'namespace' && n.nsKind !== 'metastore' && !n.missing) : [];
      const lists = await Promise.all(namespaces.map((ns) => tree.getChildren(ns)));
      return lists.flat().filter((n): n is InstanceNode => n.kind === 'instance');
    }),
  );
  return perEnsemble.flat();
}

function znodePathOf(node: TreeNode | undefined): string {
  switch (node?.kind) {
    case 'namespace':
      return node.path;
    case 'instance':
      return node.instance.path;
    case 'lock':
      return node.lock.path;
    case 'lockGroup':
      return node.objectPath;
    case 'znode':
    case 'metastore':
      return node.path;
    default:
      throw new HiveZkError('BAD_ARGUMENT', 'Choose a znode in the Hive ZooKeeper tree.');
  }
}

function currentShell(): ShellKind {
  const shell = (vscode.env.shell || '').toLowerCase();
  if (/pwsh|powershell/.test(shell)) {
    return 'pwsh';
  }
  if (/(^|[\\/])cmd(\.exe)?$/.test(shell)) {
    return 'cmd';
  }
  return 'posix';
}

async function ask(options: vscode.InputBoxOptions): Promise<string> {
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (value === undefined) {
    throw new Cancelled();
  }
  return value;
}

function validateConnectString(value: string): string | undefined {
  try {
    parseConnectString(value);
    return undefined;
  } catch (error) {
    return toHiveZkError(error).message;
  }
}

function validateUrl(value: string): string | undefined {
  try {
    parseJdbcUrl(value.trim());
    return undefined;
  } catch (error) {
    return toHiveZkError(error).message;
  }
}

function validateDiscoveryUrl(value: string): string | undefined {
  const problem = validateUrl(value);
  if (problem) {
    return problem;
  }
  return parseJdbcUrl(value.trim()).discovery ? undefined : 'The URL needs serviceDiscoveryMode=zooKeeper (or zooKeeperHA).';
}

async function showResolution(resolution: Resolution, copy: (text: string, what: string) => Promise<string>): Promise<void> {
  // The driver's pick first, then the other candidates in znode order.
  const ordered = [...resolution.candidates].sort((a, b) => Number(b === resolution.chosen) - Number(a === resolution.chosen));
  const items = ordered.map((candidate) => {
    const fromZnode = Object.entries(candidate.fromZnode).map(([k, v]) => `${k}=${v}`).join(', ');
    const overridden = Object.keys(candidate.overriddenByUrl).join(', ');
    return {
      label: `${candidate === resolution.chosen ? '$(star-full) ' : candidate.usable ? '' : '$(warning) '}${candidate.host ?? '?'}:${candidate.port ?? '?'}`,
      description: [candidate === resolution.chosen ? 'the driver would pick this one now' : undefined, candidate.isLeader ? 'active' : undefined, candidate.version ? `v${candidate.version}` : undefined].filter(Boolean).join(' · '),
      detail: candidate.usable ? `from znode: ${fromZnode || 'nothing'}${overridden ? ` · URL overrides: ${overridden}` : ''}` : `not usable: ${candidate.problem ?? ''}`,
      candidate,
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: `${resolution.mode} · ${resolution.namespace ?? ''} · ${resolution.candidates.length} candidate(s) — pick one to copy its direct URL`,
    matchOnDetail: true,
  });
  if (picked?.candidate.url) {
    await copy(picked.candidate.url, `JDBC URL for ${picked.candidate.host ?? ''}`);
  }
}
