// Secure ensembles inside VS Code, against the runner's ZooKeeper that serves TLS (client
// certificates required) and enforces SASL DIGEST-MD5: an ensemble added from a Hive 4 JDBC URL
// with zooKeeperSSLEnable gets TLS from it, SASL from Configure Security, and lists its instances;
// a wrong password is ZK_SASL_FAILED on the error row at once; secrets stay in SecretStorage.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { EnsembleNode, TreeNode } from '../../../src/ui/tree/nodes';
import { test } from './harness';
import { activate, api, description, EXTENSION_ID, find, kids, label, onlySandbox, setSetting, waitFor } from './helpers';

interface SecureFacts {
  connectString: string;
  namespace: string;
  instance: string;
  storePassword: string;
  truststoreP12: string;
  clientP12: string;
  saslUser: string;
  saslPassword: string;
}

const facts = JSON.parse(process.env.HIVEZK_TEST_SECURE ?? '{}') as SecureFacts;
const WRONG_PASSWORD = 'not-bobs-ext-pw-8';
/** The ensemble's name: the first host of the URL. */
const NAME = '127.0.0.1';

const url = (): string =>
  `jdbc:hive2://${facts.connectString}/default;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=${facts.namespace};zooKeeperSSLEnable=true` +
  `;zooKeeperTruststoreLocation=${facts.truststoreP12};zooKeeperTruststorePassword=${facts.storePassword};zooKeeperTruststoreType=PKCS12` +
  `;zooKeeperKeystoreLocation=${facts.clientP12};zooKeeperKeystorePassword=${facts.storePassword}`;

/** The ensemble's row once the extension has read settings satisfying `ready`. */
async function ensembleRow(ready: (node: EnsembleNode) => boolean): Promise<EnsembleNode> {
  return waitFor(`the ${NAME} ensemble with the new settings`, async () => {
    const node = (await kids()).find((n): n is EnsembleNode => n.kind === 'ensemble' && n.ensemble === NAME);
    return node && ready(node) ? node : undefined;
  });
}

/** What the first test builds step by step, made at once: each later test starts from it (fresh() leaves only the sandbox). */
async function secureEnsemble(): Promise<EnsembleNode> {
  await vscode.commands.executeCommand('hiveZk.addEnsembleFromUrl', url());
  const added = await ensembleRow((n) => n.config.tls !== undefined);
  await vscode.commands.executeCommand('hiveZk.configureSecurity', added, { sasl: { mechanism: 'digest' }, secrets: { saslCredential: `${facts.saslUser}:${facts.saslPassword}` } });
  return ensembleRow((n) => n.config.sasl?.mechanism === 'digest' && n.config.tls !== undefined);
}

function settingsText(): string {
  return JSON.stringify(vscode.workspace.getConfiguration('hiveZk').get('ensembles'));
}

function tooltip(node: TreeNode): string {
  const value = api().tree.getTreeItem(node).tooltip;
  return typeof value === 'string' ? value : (value?.value ?? '');
}

test('secure ensemble: TLS from a zooKeeperSSLEnable JDBC URL plus SASL DIGEST-MD5 lists its instances; store passwords in secret storage only', async () => {
  assert.ok(facts.connectString, 'the runner started the TLS + SASL ZooKeeper (HIVEZK_TEST_SECURE)');
  await onlySandbox();
  const added = await vscode.commands.executeCommand<{ name: string; tls?: Record<string, unknown> }>('hiveZk.addEnsembleFromUrl', url());
  assert.equal(added?.name, NAME);
  assert.deepEqual(added.tls, { caFile: facts.truststoreP12, caType: 'PKCS12', keystoreFile: facts.clientP12 });
  assert.ok(!settingsText().includes(facts.storePassword), 'no store password in settings');
  assert.ok(settingsText().includes('"caFile"'), 'the truststore is in settings');
  assert.ok(await api().connections.hasSecuritySecret(NAME, 'truststorePassword'));
  assert.ok(await api().connections.hasSecuritySecret(NAME, 'keystorePassword'));

  // TLS alone: the server enforces SASL, and says so.
  const tlsOnly = await ensembleRow((n) => n.config.tls !== undefined);
  const [required] = await kids(tlsOnly);
  assert.ok(required?.kind === 'message', 'an error row');
  assert.match(label(required), /^Server requires SASL: /);
  // No credential was presented: the row says what stopped it, not "authentication failed".
  assert.match(description(tlsOnly), / · server requires SASL$/);

  await vscode.commands.executeCommand('hiveZk.configureSecurity', tlsOnly, { sasl: { mechanism: 'digest' }, secrets: { saslCredential: `${facts.saslUser}:${facts.saslPassword}` } });
  const secured = await ensembleRow((n) => n.config.sasl?.mechanism === 'digest' && n.config.tls !== undefined);
  assert.ok(!settingsText().includes(facts.saslPassword), 'no SASL password in settings');
  const hs2 = await find(secured, 'HiveServer2');
  const namespace = await find(hs2, facts.namespace);
  const instances = (await kids(namespace)).map(label);
  assert.deepEqual(instances, [facts.instance]);
  assert.equal(api().connections.stateOf(NAME), 'connected');

  const result = await vscode.commands.executeCommand<{ ok: boolean }>('hiveZk.testConnection', secured);
  assert.equal(result?.ok, true, JSON.stringify(result));
}, 90_000);

test('secure ensemble: a wrong SASL password shows ZK_SASL_FAILED on the error row and in the status bar within the connect timeout', async () => {
  await activate();
  const connectTimeoutMs = 4000;
  await setSetting('connection.connectTimeoutMs', connectTimeoutMs);
  try {
    const before = await secureEnsemble();
    await vscode.commands.executeCommand('hiveZk.configureSecurity', before, { secrets: { saslCredential: `${facts.saslUser}:${WRONG_PASSWORD}` } });
    const node = await ensembleRow((n) => n.config.sasl !== undefined);
    const started = Date.now();
    const [row] = await kids(node);
    const elapsed = Date.now() - started;
    assert.ok(row?.kind === 'message', 'an error row');
    assert.match(label(row), /^SASL authentication failed: .*rejected the DIGEST-MD5 authentication/);
    assert.match(tooltip(row), /ZK_SASL_FAILED/);
    assert.match(description(node), / · authentication failed$/, 'a credential was presented and refused');
    assert.ok(elapsed < connectTimeoutMs + 2000, `the row came after ${elapsed} ms`);
    assert.ok(!`${label(row)} ${tooltip(row)}`.includes(WRONG_PASSWORD));
    assert.equal(api().tree.getTreeItem(row).contextValue, 'message:error:retry:ensemble', 'Retry and Edit / Configure Security inline');
    await waitFor('the status bar to name the failure', () => /SASL authentication failed|rejected the DIGEST-MD5/.test(`${api().statusBar.text} ${api().statusBar.tooltip}`));
    assert.match(api().statusBar.tooltip, /127\.0\.0\.1: [\w ]+ · .*rejected the DIGEST-MD5/);

    const result = await vscode.commands.executeCommand<{ ok: boolean; code?: string }>('hiveZk.testConnection', node);
    assert.deepEqual([result?.ok, result?.code], [false, 'ZK_SASL_FAILED']);
  } finally {
    await setSetting('connection.connectTimeoutMs', undefined);
  }
}, 60_000);

test('secure ensemble: no store password or SASL credential in settings or the log; Forget TLS/SASL Secrets empties secret storage', async () => {
  const node = await secureEnsemble();
  // A session made with the credential, so the log has the secured connect in it.
  await kids(await find(node, 'HiveServer2'));
  const logDir = dirname(api().logUri.fsPath);
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (full.includes('Hive ZooKeeper') || full.includes(EXTENSION_ID)) {
        files.push(full);
      }
    }
  };
  const logText = (): string => {
    files.length = 0;
    walk(logDir);
    return files.map((f) => readFileSync(f, 'utf8')).join('\n');
  };
  // The log channel writes its file in the background (after the previous test, the SASL failure is in it too).
  const text = await waitFor('the secured session in the log file', () => {
    const current = logText();
    return /SASL DIGEST-MD5 as bob/.test(current) ? current : undefined;
  });
  for (const secret of [facts.storePassword, facts.saslPassword, WRONG_PASSWORD]) {
    assert.ok(!text.includes(secret), 'a secret reached the log');
    assert.ok(!settingsText().includes(secret), 'a secret reached the settings');
  }
  await vscode.commands.executeCommand('hiveZk.forgetSecuritySecrets', node);
  for (const secret of ['truststorePassword', 'keystorePassword', 'saslCredential'] as const) {
    assert.equal(await api().connections.hasSecuritySecret(NAME, secret), false, secret);
  }
  // Without its credential the session is not even made: the row says what to do.
  const [row] = await kids(await ensembleRow(() => true));
  assert.ok(row?.kind === 'message');
  assert.match(label(row), /no SASL credential is stored: run "Configure Security…"/);
  // With the credential back but no truststore password, the PKCS12 truststore cannot be opened.
  await vscode.commands.executeCommand('hiveZk.configureSecurity', await ensembleRow(() => true), { secrets: { saslCredential: `${facts.saslUser}:${facts.saslPassword}` } });
  const [tlsRow] = await kids(await ensembleRow(() => true));
  assert.ok(tlsRow?.kind === 'message');
  assert.match(label(tlsRow), /^TLS failed: The TLS truststore .*truststore\.p12 \(PKCS12\) cannot be opened: .*store it with "Configure Security…"/);
  assert.ok(!label(tlsRow).includes('HIVEZK_'), 'no CLI variable named in the extension');
  await onlySandbox();
}, 60_000);
