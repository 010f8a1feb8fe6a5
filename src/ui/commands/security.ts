// An ensemble's security from the UI: the wizard steps shared by Add and Edit (none / TLS / SASL
// DIGEST-MD5 / Kerberos, files by open dialog, passwords to SecretStorage), Test Connection with
// the precise failure, and the Configure Security / Forget Secrets commands.
import * as vscode from 'vscode';
import { toHiveZkError } from '../../core/errors';
import { parseDigestCredential } from '../../core/zk/auth/saslDigest';
import { describeSecurity } from '../../core/zk/auth/secureTransport';
import { readStoreForType } from '../../core/zk/auth/tls';
import { readSaslSetting, readTlsSetting, SECURITY_SECRETS, sessionSecurity, type EnsembleSasl, type EnsembleTls, type SecuritySecrets } from '../ensembleSecurity';
import { Commands } from '../ids';
import { writeEnsembles, type EnsembleConfig } from '../settings';
import { BACK, runSteps, stepTitle, type Back, type Step, type StepAt, type Prompts } from '../wizard';
import { pickEnsemble, registerForNodes, type CommandDeps } from './common';

/** What the wizard (or a command argument) decided: settings plus the secrets that go with them. */
export interface SecurityChoice {
  tls?: EnsembleTls;
  sasl?: EnsembleSasl;
  secrets: SecuritySecrets;
}

/** What a Test Connection reports (also returned to callers such as tests). */
export type TestResult = { ok: true; ms: number; children: number } | { ok: false; code: string; message: string };

/** The ensemble with these security settings (none where the choice has none). */
export function withSecurity(config: EnsembleConfig, choice: Pick<SecurityChoice, 'tls' | 'sasl'>): EnsembleConfig {
  const rest: EnsembleConfig = { ...config };
  delete rest.tls;
  delete rest.sasl;
  return { ...rest, ...(choice.tls ? { tls: choice.tls } : {}), ...(choice.sasl ? { sasl: choice.sasl } : {}) };
}

/** A command argument `{ tls, sasl, secrets }` (from tests or other extensions), checked like settings. */
export function securityFromArgument(arg: unknown): SecurityChoice {
  const value = (arg ?? {}) as Record<string, unknown>;
  const secrets: SecuritySecrets = {};
  const given = (value.secrets ?? {}) as Record<string, unknown>;
  for (const key of SECURITY_SECRETS) {
    if (typeof given[key] === 'string') {
      secrets[key] = given[key];
    }
  }
  const tls = readTlsSetting(value.tls);
  const sasl = readSaslSetting(value.sasl);
  return { ...(tls ? { tls } : {}), ...(sasl ? { sasl } : {}), secrets };
}

/** Stores the choice's secrets and forgets those it no longer uses; the ensemble's session is replaced. */
export async function storeSecuritySecrets(deps: CommandDeps, ensemble: string, choice: SecurityChoice): Promise<void> {
  const used: Record<string, boolean> = {
    truststorePassword: Boolean(choice.tls?.caFile),
    keystorePassword: Boolean(choice.tls?.keystoreFile),
    saslCredential: choice.sasl?.mechanism === 'digest',
  };
  for (const secret of SECURITY_SECRETS) {
    const value = choice.secrets[secret];
    if (!used[secret]) {
      await deps.connections.storeSecuritySecret(ensemble, secret, undefined);
    } else if (value !== undefined) {
      await deps.connections.storeSecuritySecret(ensemble, secret, value);
    }
  }
}

/** Opens a throwaway session and says exactly what happened; never throws for a connection failure. */
export async function testConnection(deps: CommandDeps, config: EnsembleConfig, secrets?: SecuritySecrets): Promise<TestResult> {
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing the connection to ${config.name}…` }, async (): Promise<TestResult> => {
    try {
      const { ms, children } = await deps.connections.testConnection(config, secrets);
      return { ok: true, ms, children };
    } catch (error) {
      const failure = toHiveZkError(error);
      return { ok: false, code: failure.code, message: failure.message };
    }
  });
  if (result.ok) {
    deps.log.info(`[${config.name}] test connection succeeded in ${result.ms} ms`);
    void vscode.window.showInformationMessage(`Connected to ${config.name} in ${result.ms} ms: the root has ${result.children} znode${result.children === 1 ? '' : 's'}.`);
  } else {
    deps.log.warn(`[${config.name}] test connection failed: ${result.code}: ${result.message}`);
  }
  return result;
}

const SASL_CREDENTIAL = /^[^:]+:.+$/;

/** Failures the security step can fix; any other (refused, unknown host, silent) is the connect string's. */
const SECURITY_CODES: ReadonlySet<string> = new Set(['ZK_AUTH_FAILED', 'ZK_SASL_FAILED', 'ZK_SASL_REQUIRED', 'ZK_TLS_FAILED', 'ZK_KERBEROS_UNAVAILABLE', 'ZK_NO_AUTH']);

/** Thrown by a detail prompt's Back: the security step starts over at its first question. */
class BackToMechanism extends Error {}

function orBack<T>(value: T | Back): T {
  if (value === BACK) {
    throw new BackToMechanism();
  }
  return value;
}

/** A store's password when the file is a PKCS12/JKS store (PEM files have none); empty means none. */
async function askStorePassword(input: Prompts, at: StepAt, file: string, what: string): Promise<string | undefined> {
  const type = readStoreForType(file);
  if (type === 'PEM') {
    return undefined;
  }
  const password = orBack(await input.inputBox(at, { prompt: `Password of the ${what} ${file} (${type}); kept in VS Code secret storage. Empty if it has none.`, password: true }));
  return password === '' ? undefined : password;
}

type Mechanism = 'none' | 'tls' | 'digest' | 'kerberos' | 'tls+digest' | 'tls+kerberos' | 'keep';

/**
 * The wizard's security step: asks what the ensemble needs, files by dialog, secrets by password
 * box. Back on its first question goes to the previous step; on a later one, to its first question.
 */
export async function askSecurity(input: Prompts, at: StepAt, current?: EnsembleConfig): Promise<SecurityChoice | 'keep' | Back> {
  const items: (vscode.QuickPickItem & { value: Mechanism })[] = [
    { label: 'None', description: 'plain clientPort, no SASL', value: 'none' },
    { label: 'TLS', description: 'secureClientPort; CA and client certificate files', value: 'tls' },
    { label: 'SASL DIGEST-MD5', description: 'user and password (JAAS DigestLoginModule)', value: 'digest' },
    { label: 'Kerberos', description: 'SASL GSSAPI with your kinit ticket', value: 'kerberos' },
    { label: 'TLS + SASL DIGEST-MD5', value: 'tls+digest' },
    { label: 'TLS + Kerberos', value: 'tls+kerberos' },
  ];
  if (current) {
    items.unshift({ label: 'Keep the current security', description: describeSecurity(sessionSecurityOrPlain(current)), value: 'keep' });
  }
  for (;;) {
    const picked = await input.quickPick(at, items, 'How is this ensemble secured?');
    if (picked === BACK || picked.value === 'keep') {
      return picked === BACK ? BACK : 'keep';
    }
    try {
      return await askSecurityDetails(input, { ...at, back: true }, picked.value, current);
    } catch (error) {
      if (!(error instanceof BackToMechanism)) {
        throw error;
      }
    }
  }
}

async function askSecurityDetails(input: Prompts, at: StepAt, mechanism: Mechanism, current: EnsembleConfig | undefined): Promise<SecurityChoice> {
  const choice: SecurityChoice = { secrets: {} };
  if (mechanism.startsWith('tls')) {
    choice.tls = await askTls(input, at, choice.secrets, current?.tls);
  }
  if (mechanism.endsWith('digest')) {
    const credential = orBack(
      await input.inputBox(at, {
        prompt: 'SASL DIGEST-MD5 user:password (kept in VS Code secret storage)',
        password: true,
        validate: (value) => (SASL_CREDENTIAL.test(value) ? undefined : 'Expected user:password'),
      }),
    );
    choice.sasl = { mechanism: 'digest' };
    choice.secrets.saslCredential = credential;
  } else if (mechanism.endsWith('kerberos')) {
    const currentService = current?.sasl?.mechanism === 'kerberos' ? current.sasl.kerberosService : undefined;
    const service = orBack(await input.inputBox(at, { prompt: 'Kerberos service name of the ZooKeeper principals (service/host@REALM)', value: currentService ?? 'zookeeper' })).trim();
    // Host name canonicalization is a settings.json choice; the wizard keeps it as it was.
    const asWritten = current?.sasl?.mechanism === 'kerberos' && current.sasl.canonicalizeHostname === false;
    choice.sasl = { mechanism: 'kerberos', ...(service && service !== 'zookeeper' ? { kerberosService: service } : {}), ...(asWritten ? { canonicalizeHostname: false as const } : {}) };
  }
  return choice;
}

async function askTls(input: Prompts, at: StepAt, secrets: SecuritySecrets, current: EnsembleTls | undefined): Promise<EnsembleTls> {
  const tls: EnsembleTls = current?.verifyHostname === false ? { verifyHostname: false } : {};
  const title = stepTitle(at);
  const ca = orBack(
    await input.quickPick(
      at,
      [
        { label: 'Choose a CA file…', description: 'PEM, PKCS12 or JKS truststore', value: 'file' },
        { label: 'Trust the system CAs', value: 'system' },
      ],
      "Which CA signed the servers' certificates?",
    ),
  );
  if (ca.value === 'file') {
    tls.caFile = await input.openFile(`${title}: CA certificates or truststore`, 'Use as CA');
    const password = await askStorePassword(input, at, tls.caFile, 'truststore');
    if (password !== undefined) {
      secrets.truststorePassword = password;
    }
  }
  const identity = orBack(
    await input.quickPick(
      at,
      [
        { label: 'Certificate and key files (PEM)…', value: 'pem' },
        { label: 'Keystore (PKCS12 or JKS)…', value: 'keystore' },
        { label: 'No client certificate', description: 'only where the servers do not require one (ssl.clientAuth)', value: 'none' },
      ],
      'The client certificate (ZooKeeper requires one by default)',
    ),
  );
  if (identity.value === 'pem') {
    tls.certFile = await input.openFile(`${title}: client certificate (PEM)`, 'Use as certificate');
    tls.keyFile = await input.openFile(`${title}: private key of that certificate (PEM)`, 'Use as key');
  } else if (identity.value === 'keystore') {
    tls.keystoreFile = await input.openFile(`${title}: client keystore (PKCS12 or JKS)`, 'Use as keystore');
    const password = await askStorePassword(input, at, tls.keystoreFile, 'keystore');
    if (password !== undefined) {
      secrets.keystorePassword = password;
    }
  }
  return tls;
}

function sessionSecurityOrPlain(config: EnsembleConfig): ReturnType<typeof sessionSecurity> {
  try {
    // A placeholder credential: only the mechanism is described, never a secret.
    return sessionSecurity(config, { saslCredential: 'user:-' });
  } catch {
    return undefined;
  }
}

/** What the security and test steps decided: the ensemble to save and the secrets that go with it. */
export interface SecurityOutcome {
  config: EnsembleConfig;
  choice?: SecurityChoice;
}

/**
 * The wizards' last two steps, over a draft the earlier steps fill in: security, then Test
 * Connection or Save. A failed test stays on its step with the reason; Back changes the security.
 */
export function securitySteps(deps: CommandDeps, input: Prompts, draft: () => EnsembleConfig, editing: boolean, outcome: SecurityOutcome): Step[] {
  let choice: SecurityChoice | undefined;
  return [
    async (at) => {
      const asked = await askSecurity(input, at, editing ? draft() : undefined);
      if (asked === BACK) {
        return BACK;
      }
      choice = asked === 'keep' ? undefined : asked;
      return undefined;
    },
    async (at) => {
      const config = choice ? withSecurity(draft(), choice) : draft();
      let failure: string | undefined;
      for (;;) {
        const next = await input.quickPick(
          at,
          [
            { label: failure ? '$(debug-alt) Test Again' : '$(debug-alt) Test Connection', description: 'open a throwaway session now', value: 'test' },
            { label: failure ? '$(check) Save Anyway' : '$(check) Save without testing', value: 'save' },
          ],
          failure ?? 'Test the connection before saving?',
        );
        if (next === BACK) {
          return BACK;
        }
        const result = next.value === 'test' ? await testConnection(deps, config, choice?.secrets) : undefined;
        if (!result || result.ok) {
          outcome.config = config;
          if (choice) {
            outcome.choice = choice;
          } else {
            delete outcome.choice;
          }
          return undefined;
        }
        // The reason in full as a message (a prompt's placeholder is one cut-off line), the prompt says what to change.
        void vscode.window.showErrorMessage(`${result.message} (${result.code}, testing ${config.name})`);
        failure = `Test failed (${result.code}): ${SECURITY_CODES.has(result.code) ? 'Back to change the security' : 'check the connect string'}`;
      }
    },
  ];
}

export function registerSecurityCommands(deps: CommandDeps): void {
  const { log, settings, tree } = deps;

  // The argument form { tls, sasl, secrets } skips the wizard (tests, other extensions): a key left
  // out keeps the current setting, null removes it; secrets left out stay stored.
  registerForNodes(deps, Commands.configureSecurity, ['ensemble', 'message'], async (node, arg) => {
    const ensemble = await pickEnsemble(settings, node);
    let config: EnsembleConfig;
    let choice: SecurityChoice | undefined;
    if (arg !== undefined) {
      const given = typeof arg === 'object' && arg !== null ? (arg as Record<string, unknown>) : {};
      choice = securityFromArgument({ tls: 'tls' in given ? given.tls : ensemble.tls, sasl: 'sasl' in given ? given.sasl : ensemble.sasl, secrets: given.secrets });
      if (choice.secrets.saslCredential !== undefined) {
        parseDigestCredential(choice.secrets.saslCredential, 'The SASL credential');
      }
      config = withSecurity(ensemble, choice);
    } else {
      const outcome: SecurityOutcome = { config: ensemble };
      await runSteps(`Security of ${ensemble.name}`, securitySteps(deps, deps.wizardInputs.current, () => ensemble, true, outcome));
      ({ config, choice } = outcome);
    }
    if (choice) {
      await storeSecuritySecrets(deps, ensemble.name, choice);
    }
    await writeEnsembles(settings().ensembles.map((e) => (e.name === ensemble.name ? config : e)));
    log.info(`[${ensemble.name}] security set: ${describeSecurity(sessionSecurityOrPlain(config)) || 'plain'}`);
    tree.refreshEnsemble(ensemble.name);
    return config;
  });

  registerForNodes(deps, Commands.testConnection, ['ensemble', 'message'], async (node) => {
    const ensemble = await pickEnsemble(settings, node);
    const result = await testConnection(deps, ensemble);
    if (!result.ok) {
      void vscode.window.showErrorMessage(`Test connection to ${ensemble.name} failed: ${result.code}: ${result.message}`);
    }
    return result;
  });

  registerForNodes(deps, Commands.forgetSecuritySecrets, ['ensemble'], async (node) => {
    const ensemble = await pickEnsemble(settings, node);
    await deps.connections.deleteSecuritySecrets(ensemble.name);
    log.info(`[${ensemble.name}] TLS/SASL secrets removed`);
    tree.refreshEnsemble(ensemble.name);
  });
}
