// Commands about connecting to HiveServer2: resolve a JDBC URL as the driver does, copy URLs and
// beeline commands, open beeline in a terminal (beeline prompts for the password itself).
import * as vscode from 'vscode';
import { buildBeelineCommand, type ShellKind } from '../../core/beeline';
import { parseConnectString } from '../../core/connectString';
import { HiveZkError } from '../../core/errors';
import { listMetastoreInstances } from '../../core/metastoreRegistry';
import { discoveryUrl, instanceUrl } from '../../core/hs2Urls';
import { parseJdbcUrl } from '../../core/jdbcUrl';
import { resolveJdbcUrl, type Resolution } from '../../core/resolver';
import { escapeInvisible } from '../../core/untrusted';
import { Commands } from '../ids';
import type { NodeOfKind } from '../tree/nodes';
import { ask, copy, currentShell, pickEnsemble, register, registerForNodes, validateUrl, type CommandDeps } from './common';

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
    const namespace = ensemble.hs2Namespaces[0] ?? 'hiveserver2';
    return { url: discoveryUrl(connect, namespace), label: `${ensemble.name}/${namespace}` };
  };

  /** With a user, beeline itself prompts for the password when it connects: no secret passes through us. */
  const beelineFor = (url: string): ReturnType<typeof buildBeelineCommand> => {
    const { beelinePath, beelineUser } = settings();
    return buildBeelineCommand({ url, beelinePath, ...(beelineUser ? { user: beelineUser, password: { kind: 'prompt' } } : {}) });
  };

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

  register(deps, Commands.resolveJdbcUrl, async (arg) => {
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
      void showResolution(resolution);
    }
    return resolution;
  });

  registerForNodes(deps, Commands.copyMetastoreUris, ['namespace'], async (node) => {
    if (node?.nsKind !== 'metastore') {
      throw new HiveZkError('BAD_ARGUMENT', 'Choose a metastore namespace in the Hive ZooKeeper tree.');
    }
    const ensemble = await pickEnsemble(settings, node);
    const instances = await listMetastoreInstances(await connections.sessionFor(ensemble), node.namespace);
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
    return copy(commandLine(beelineFor(url), currentShell()), `beeline command for ${label}`);
  });

  registerForNodes(deps, Commands.openBeeline, URL_NODES, async (node) => {
    const { url, label } = await urlFor(node);
    const shell = currentShell();
    const text = commandLine(beelineFor(url), shell);
    const terminal = vscode.window.createTerminal({ name: `beeline · ${label}` });
    terminal.show();
    terminal.sendText(text, true);
    log.info(`opened beeline for ${label} (${shell})`);
    return { terminalName: terminal.name, text };
  });
}

async function showResolution(resolution: Resolution): Promise<void> {
  // The driver's pick first, then the other candidates in znode order.
  const ordered = [...resolution.candidates].sort((a, b) => Number(b === resolution.chosen) - Number(a === resolution.chosen));
  const items = ordered.map((candidate) => {
    const fromZnode = Object.entries(candidate.fromZnode).map(([k, v]) => `${k}=${v}`).join(', ');
    const overridden = Object.keys(candidate.overriddenByUrl).join(', ');
    return {
      label: `${candidate === resolution.chosen ? '$(star-full) ' : candidate.usable ? '' : '$(warning) '}${candidate.host ?? '?'}:${candidate.port ?? '?'}`,
      description: escapeInvisible([candidate === resolution.chosen ? 'the driver would pick this one now' : undefined, candidate.isLeader ? 'active' : undefined, candidate.version ? `v${candidate.version}` : undefined].filter(Boolean).join(' · ')),
      detail: escapeInvisible((candidate.usable ? `from znode: ${fromZnode || 'nothing'}${overridden ? ` · URL overrides: ${overridden}` : ''}` : `not usable: ${candidate.problem ?? ''}`) + (candidate.notes ?? []).map((n) => ` · ${n.message}`).join('')),
      candidate,
    };
  });
  // What the driver will really do with the URL (host-text replacement, ignored settings…) comes first.
  const notes = resolution.notes.map((note) => ({ label: `$(info) ${note.code}`, description: '', detail: note.message, candidate: undefined }));
  const picked = await vscode.window.showQuickPick([...notes, ...items], {
    title: `${resolution.mode} · ${resolution.namespace ?? ''} · ${resolution.candidates.length} candidate(s) · Hive ${resolution.driver} driver — pick one to copy its direct URL`,
    matchOnDetail: true,
  });
  if (picked?.candidate?.url) {
    await copy(picked.candidate.url, `JDBC URL for ${picked.candidate.host ?? ''}`);
  }
}
