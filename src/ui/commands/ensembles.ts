// Commands that manage the configured ensembles and their digest credentials (security: security.ts).
import * as vscode from 'vscode';
import { parseConnectString } from '../../core/connectString';
import { HiveZkError } from '../../core/errors';
import { parseJdbcUrl } from '../../core/jdbcUrl';
import { tlsFromJdbcSessionVars } from '../../core/secureTransport';
import { Cancelled } from '../commandFunnel';
import { Commands } from '../ids';
import { ensembleWithDefaults, writeEnsembles, type EnsembleConfig } from '../settings';
import { ask, copy, pickEnsemble, register, registerForNodes, validateConnectString, validateDiscoveryUrl, type CommandDeps } from './common';
import { securityFromArgument, securityStep, storeSecuritySecrets, withSecurity, type SecurityChoice } from './security';

export function registerEnsembleCommands(deps: CommandDeps): void {
  const { log, connections, tree, settings } = deps;

  register(deps, Commands.addEnsemble, async (arg) => {
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
    const draft = ensembleWithDefaults(name.trim(), connectString.trim(), given?.hs2Namespaces);
    // Given settings (tests, imports) carry their own security; the wizard asks for it.
    let config: EnsembleConfig;
    let security: SecurityChoice | undefined;
    if (given) {
      security = securityFromArgument(given);
      config = withSecurity(draft, security);
    } else {
      ({ config, choice: security } = await securityStep(deps, draft, 'Add ZooKeeper ensemble: security', false));
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
      void vscode.window.showInformationMessage(`That ensemble is already configured as "${match.name}".`);
      if (!match.hs2Namespaces.includes(namespace)) {
        // A copy: the settings object is shared and only changes when the setting is written.
        const widened = { ...match, hs2Namespaces: [...match.hs2Namespaces, namespace] };
        await writeEnsembles(existing.map((e) => (e.name === match.name ? widened : e)));
        return widened;
      }
      return match;
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
    return config;
  });

  // Also offered inline on an ensemble's connection-error row.
  registerForNodes(deps, Commands.editEnsemble, ['ensemble', 'message'], async (node) => {
    const ensemble = await pickEnsemble(settings, node);
    const connectString = await ask({ title: `Edit ${ensemble.name}`, prompt: 'ZooKeeper connect string', value: ensemble.connectString, validateInput: validateConnectString });
    const namespaces = await ask({ title: `Edit ${ensemble.name}`, prompt: 'HiveServer2 namespaces to always show (comma-separated)', value: ensemble.hs2Namespaces.join(', ') });
    const lockNamespace = await ask({ title: `Edit ${ensemble.name}`, prompt: 'Lock manager namespace (hive.zookeeper.namespace)', value: ensemble.lockNamespace });
    const edited: EnsembleConfig = {
      ...ensemble,
      connectString: connectString.trim(),
      hs2Namespaces: namespaces.split(',').map((n) => n.trim()).filter(Boolean),
      lockNamespace: lockNamespace.trim() || ensemble.lockNamespace,
    };
    const { config: updated, choice } = await securityStep(deps, edited, `Edit ${ensemble.name}: security`, true);
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
