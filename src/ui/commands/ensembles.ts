// Commands that manage the configured ensembles and their digest credentials, and the Add / Edit
// wizard (its security and test steps: security.ts).
import * as vscode from 'vscode';
import { parseConnectString } from '../../core/zk/connectString';
import { HiveZkError } from '../../core/errors';
import { parseJdbcUrl } from '../../core/jdbc/jdbcUrl';
import { tlsFromJdbcSessionVars } from '../../core/zk/auth/secureTransport';
import { Cancelled } from '../commandFunnel';
import { Commands } from '../ids';
import { ensembleWithDefaults, writeEnsembles, type EnsembleConfig } from '../settings';
import { BACK, runSteps, type Step, type StepAt } from '../wizard';
import { ask, copy, pickEnsemble, register, registerForNodes, validateConnectString, validateDiscoveryUrl, type CommandDeps } from './common';
import { securityFromArgument, securitySteps, storeSecuritySecrets, withSecurity, type SecurityChoice, type SecurityOutcome } from './security';

export function registerEnsembleCommands(deps: CommandDeps): void {
  const { log, connections, tree, settings } = deps;

  // An argument (tests, imports, other extensions) skips the wizard and carries its own security.
  register(deps, Commands.addEnsemble, async (arg) => {
    const existing = settings().ensembles;
    let config: EnsembleConfig;
    let security: SecurityChoice | undefined;
    if (arg !== undefined) {
      const given = arg as Partial<EnsembleConfig>;
      const connectString = String(given.connectString ?? '');
      parseConnectString(connectString);
      const name = String(given.name ?? firstHost(connectString)).trim();
      const problem = nameProblem(name, existing);
      if (problem) {
        throw new HiveZkError('BAD_ARGUMENT', problem);
      }
      security = securityFromArgument(given);
      config = withSecurity(ensembleWithDefaults(name, connectString.trim(), given.hs2Namespaces), security);
    } else {
      ({ config, choice: security } = await ensembleWizard(deps, 'Add ZooKeeper ensemble', undefined));
    }
    if (security) {
      await storeSecuritySecrets(deps, config.name, security);
    }
    await writeEnsembles([...existing, config]);
    log.info(`added ensemble ${config.name} (${config.connectString})`);
    return config;
  });

  register(deps, Commands.addEnsembleFromUrl, async (arg) => {
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
      return alreadyConfigured(deps, match, namespace);
    }
    let name = url.hosts[0]?.host ?? 'zookeeper';
    for (let n = 2; existing.some((e) => e.name === name); n += 1) {
      name = `${url.hosts[0]?.host ?? 'zookeeper'} (${n})`;
    }
    // zooKeeperSSLEnable + store parameters: the files go to settings, the store passwords to secret storage.
    const urlTls = tlsFromJdbcSessionVars(url.sessionVars);
    const security: SecurityChoice = { secrets: {} };
    if (urlTls) {
      const { caPassword, keystorePassword, caFile, caType, keystoreFile, keystoreType } = urlTls;
      security.tls = { ...(caFile ? { caFile } : {}), ...(caType ? { caType } : {}), ...(keystoreFile ? { keystoreFile } : {}), ...(keystoreType ? { keystoreType } : {}) };
      Object.assign(security.secrets, caPassword !== undefined ? { truststorePassword: caPassword } : {}, keystorePassword !== undefined ? { keystorePassword } : {});
      await storeSecuritySecrets(deps, name, security);
    }
    const config = withSecurity(ensembleWithDefaults(name, url.authority, [namespace]), security);
    await writeEnsembles([...existing, config]);
    log.info(`added ensemble ${config.name} (${config.connectString}) from a JDBC URL${urlTls ? ' with TLS from zooKeeperSSLEnable' : ''}`);
    await showEnsemble(deps, config.name);
    return config;
  });

  // Also offered inline on an ensemble's connection-error row.
  registerForNodes(deps, Commands.editEnsemble, ['ensemble', 'message'], async (node) => {
    const ensemble = await pickEnsemble(settings, node);
    const { config: updated, choice } = await ensembleWizard(deps, `Edit ${ensemble.name}`, ensemble);
    if (choice) {
      await storeSecuritySecrets(deps, ensemble.name, choice);
    }
    await writeEnsembles(settings().ensembles.map((e) => (e.name === ensemble.name ? updated : e)));
  });

  registerForNodes(deps, Commands.removeEnsemble, ['ensemble'], async (node) => {
    const ensemble = await pickEnsemble(settings, node);
    const answer = await vscode.window.showWarningMessage(`Remove the ensemble "${ensemble.name}" and forget its credential?`, { modal: true }, 'Remove');
    if (answer !== 'Remove') {
      throw new Cancelled();
    }
    await connections.deleteCredential(ensemble.name);
    await connections.deleteSecuritySecrets(ensemble.name);
    await writeEnsembles(settings().ensembles.filter((e) => e.name !== ensemble.name));
  });

  registerForNodes(deps, Commands.setCredential, ['ensemble'], async (node, digestArg) => {
    const ensemble = await pickEnsemble(settings, node);
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

  registerForNodes(deps, Commands.copyConnectString, ['ensemble'], async (node) => {
    const ensemble = await pickEnsemble(settings, node);
    return copy(ensemble.connectString, `connect string of ${ensemble.name}`);
  });

  registerForNodes(deps, Commands.connect, ['ensemble'], async (node) => {
    const ensemble = await pickEnsemble(settings, node);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Connecting to ${ensemble.name}…` }, async () => (await connections.sessionFor(ensemble)).open());
    tree.refreshEnsemble(ensemble.name);
    return connections.stateOf(ensemble.name);
  });

  registerForNodes(deps, Commands.disconnect, ['ensemble'], async (node) => {
    const ensemble = await pickEnsemble(settings, node);
    connections.close(ensemble.name);
    log.info(`[${ensemble.name}] disconnected`);
    tree.refreshEnsemble(ensemble.name);
    return connections.stateOf(ensemble.name);
  });

  registerForNodes(deps, Commands.clearCredential, ['ensemble'], async (node) => {
    const ensemble = await pickEnsemble(settings, node);
    await connections.deleteCredential(ensemble.name);
    log.info(`[${ensemble.name}] digest credential removed`);
    tree.refreshEnsemble(ensemble.name);
  });
}

/**
 * A URL or connect string for servers already configured: says which ensemble, and offers to add
 * the URL's namespace to it (when it lacks it) or to open it. Escape changes nothing.
 */
async function alreadyConfigured(deps: CommandDeps, match: EnsembleConfig, namespace: string | undefined): Promise<EnsembleConfig> {
  const adds = namespace !== undefined && !match.hs2Namespaces.includes(namespace);
  const items = [
    ...(adds ? [{ label: `$(add) Add the namespace "${namespace}" to "${match.name}"`, add: true }] : []),
    { label: `$(eye) Open "${match.name}"`, add: false },
  ];
  const picked = await deps.wizardInputs.current.quickPick({ title: 'Already configured', step: 1, total: 1, back: false }, items, `These servers are already configured as "${match.name}" (${match.connectString})`);
  if (picked === BACK) {
    throw new Cancelled();
  }
  let shown = match;
  if (picked.add && namespace !== undefined) {
    // A copy: the settings object is shared and only changes when the setting is written.
    shown = { ...match, hs2Namespaces: [...match.hs2Namespaces, namespace] };
    await writeEnsembles(deps.settings().ensembles.map((e) => (e.name === match.name ? shown : e)));
    deps.log.info(`[${match.name}] namespace ${namespace} added from a JDBC URL`);
  }
  await showEnsemble(deps, match.name);
  return shown;
}

/**
 * Selects and expands an ensemble's row once the settings that list it are read and the view has
 * re-listed its rows (a reveal before that finds no row). Bounded: gives up quietly after 5 s.
 */
async function showEnsemble(deps: CommandDeps, name: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!deps.settings().ensembles.some((e) => e.name === name)) {
    if (Date.now() > deadline) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await deps.tree.view.whenQuiet();
  const node = (await deps.tree.getChildren()).find((n) => n.kind === 'ensemble' && n.ensemble === name);
  if (node) {
    await deps.treeView.reveal(node, { select: true, focus: true, expand: true });
  }
}

/** The name the wizard offers: the connect string's first host. */
function firstHost(connectString: string): string {
  try {
    return parseConnectString(connectString).servers[0]?.host ?? 'zookeeper';
  } catch {
    return 'zookeeper';
  }
}

function nameProblem(name: string, existing: readonly EnsembleConfig[]): string | undefined {
  if (name.trim() === '') {
    return 'A name is needed.';
  }
  return existing.some((e) => e.name === name.trim()) ? `An ensemble named "${name.trim()}" already exists.` : undefined;
}

/**
 * Add (no `start`) or Edit: connect string → name (Add only; renaming would orphan the stored
 * secrets) → HS2 namespaces → lock namespace → security → test. Escape anywhere writes nothing.
 */
async function ensembleWizard(deps: CommandDeps, title: string, start: EnsembleConfig | undefined): Promise<SecurityOutcome> {
  const input = deps.wizardInputs.current;
  const others = deps.settings().ensembles.filter((e) => e.name !== start?.name);
  let connectString = start?.connectString ?? '';
  let name = start?.name ?? '';
  let namespaces = (start?.hs2Namespaces ?? []).join(', ');
  let lockNamespace = start?.lockNamespace ?? '';
  const draft = (): EnsembleConfig => {
    const base = start ?? ensembleWithDefaults(name, connectString);
    const hs2Namespaces = namespaces.split(',').map((n) => n.trim()).filter(Boolean);
    return { ...base, name, connectString, hs2Namespaces: hs2Namespaces.length > 0 ? hs2Namespaces : ensembleWithDefaults(name, connectString).hs2Namespaces, lockNamespace: lockNamespace.trim() || base.lockNamespace };
  };
  const outcome: SecurityOutcome = { config: draft() };
  const steps: Step[] = [
    async (at) => {
      const value = await input.inputBox(at, { prompt: 'ZooKeeper connect string: host:port[,host:port…][/chroot]', value: connectString, placeHolder: 'zk1.example.com:2181,zk2.example.com:2181', validate: validateConnectString });
      if (value === BACK) {
        return BACK;
      }
      // The same servers as another ensemble: said, with that ensemble offered instead.
      const same = deps.connections.ensembleMatching(value.trim());
      if (same && same.name !== start?.name) {
        const items = [
          { label: `$(eye) Open "${same.name}"`, open: true },
          { label: '$(add) Add them again as another ensemble', description: 'another chroot, credential or namespaces', open: false },
        ];
        const picked = await input.quickPick(at, items, `These servers are already configured as "${same.name}" (${same.connectString})`);
        if (picked === BACK) {
          return BACK;
        }
        if (picked.open) {
          await showEnsemble(deps, same.name);
          throw new Cancelled();
        }
      }
      // A name still at the old default follows the new first host.
      if (!start && (name === '' || name === firstHost(connectString))) {
        name = firstHost(value.trim());
      }
      connectString = value.trim();
      return undefined;
    },
    ...(start
      ? []
      : [
          async (at: StepAt) => {
            const value = await input.inputBox(at, { prompt: 'A name for this ensemble (shown in the tree)', value: name, validate: (v) => nameProblem(v, others) });
            if (value === BACK) {
              return BACK;
            }
            name = value.trim();
            return undefined;
          },
        ]),
    async (at) => {
      const value = await input.inputBox(at, { prompt: 'HiveServer2 namespaces to always show, comma-separated (others are found automatically)', value: namespaces || draft().hs2Namespaces.join(', ') });
      if (value === BACK) {
        return BACK;
      }
      namespaces = value;
      return undefined;
    },
    async (at) => {
      const value = await input.inputBox(at, { prompt: "Lock manager namespace (the servers' hive.zookeeper.namespace)", value: lockNamespace || draft().lockNamespace });
      if (value === BACK) {
        return BACK;
      }
      lockNamespace = value;
      return undefined;
    },
    ...securitySteps(deps, input, draft, start !== undefined, outcome),
  ];
  await runSteps(title, steps);
  return outcome;
}
