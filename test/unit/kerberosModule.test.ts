// The Kerberos package loader: sources in order, the first that loads wins and is reported; the
// 2.x (callback) and 7.x (promise) APIs served alike; nothing that loads → the host's typed error.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { adaptKerberosModule, CLI_KERBEROS_LOADING, configureKerberos, loadKerberos, platformTarget, resetKerberosForTests, type KerberosSource } from '../../src/core/zk/auth/kerberosModule';
import { createGssapiClient } from '../../src/core/zk/auth/kerberos';

afterEach(() => resetKerberosForTests());

const isCode = (code: string) => (error: unknown) => error instanceof HiveZkError && error.code === code;
const missing = (label: string): KerberosSource => ({
  label,
  load: () => {
    throw new Error(`Cannot find module '${label}'`);
  },
});

/** A 2.x-shaped module: every function answers through a trailing callback only (returns undefined). */
function callbackModule(calls: string[]): unknown {
  const client = {
    contextComplete: false,
    username: 'alice@HIVEZK.TEST',
    step(challenge: string, callback: (e: unknown, v?: string) => void) {
      calls.push(`step:${challenge}`);
      setImmediate(() => callback(null, Buffer.from('AP-REQ').toString('base64')));
    },
    unwrap(_challenge: string, callback: (e: unknown, v?: string) => void) {
      setImmediate(() => callback(null, Buffer.from([1, 0, 0, 0]).toString('base64')));
    },
    wrap(challenge: string, options: unknown, callback: (e: unknown, v?: string) => void) {
      calls.push(`wrap:${typeof options}`);
      setImmediate(() => callback(null, challenge));
    },
  };
  return {
    GSS_MECH_OID_KRB5: 9,
    initializeClient(service: string, options: unknown, callback: (e: unknown, v?: unknown) => void) {
      calls.push(`init:${service}:${JSON.stringify(options)}`);
      setImmediate(() => callback(null, client));
    },
  };
}

test('the first source that loads is used, and reported once', () => {
  const reported: string[] = [];
  const module = callbackModule([]);
  configureKerberos({
    sources: [missing('own'), { label: 'VS Code', load: () => module }, { label: 'never', load: () => assert.fail('a later source is not tried') }],
    unavailable: () => new HiveZkError('ZK_KERBEROS_UNAVAILABLE', 'none'),
    onLoaded: (label) => reported.push(label),
  });
  loadKerberos();
  loadKerberos();
  assert.deepEqual(reported, ['VS Code']);
});

test('a source that loads something without initializeClient is passed over', () => {
  configureKerberos({
    sources: [{ label: 'odd', load: () => ({ hello: 1 }) }, { label: 'null', load: () => null }],
    unavailable: (tried) => new HiveZkError('ZK_KERBEROS_UNAVAILABLE', `none: ${tried.join(' | ')}`),
  });
  assert.throws(() => loadKerberos(), (e: unknown) => isCode('ZK_KERBEROS_UNAVAILABLE')(e) && /odd: it has no initializeClient \| null: it has no initializeClient/.test((e as Error).message));
});

test('nothing loads: the host\'s error, remembered (not retried on each connect)', () => {
  let attempts = 0;
  configureKerberos({
    sources: [
      {
        label: 'own',
        load: () => {
          attempts += 1;
          throw new Error('boom\nstack line');
        },
      },
    ],
    unavailable: (tried) => new HiveZkError('ZK_KERBEROS_UNAVAILABLE', `host words (${tried.join('')})`),
  });
  assert.throws(() => loadKerberos(), (e: unknown) => isCode('ZK_KERBEROS_UNAVAILABLE')(e) && (e as Error).message === 'host words (own: boom)');
  assert.throws(() => loadKerberos(), isCode('ZK_KERBEROS_UNAVAILABLE'));
  assert.equal(attempts, 1);
});

test('the CLI by default: its own package (built by npm ci here) loads; missing, it says npm and libkrb5-dev', () => {
  assert.equal(typeof loadKerberos().initializeClient, 'function');
  const error = CLI_KERBEROS_LOADING.unavailable(["its own node_modules/kerberos: Cannot find module 'kerberos'"]);
  assert.equal(error.code, 'ZK_KERBEROS_UNAVAILABLE');
  assert.match(error.message, /libkrb5-dev, then `npm install kerberos`/);
});

test('a 2.x callback API is adapted: options passed, wrap gets its options object, tokens come back', async () => {
  const calls: string[] = [];
  const module = adaptKerberosModule(callbackModule(calls));
  assert.equal(module.GSS_MECH_OID_KRB5, 9);
  const client = await module.initializeClient('zookeeper@zk1', { mechOID: 9 });
  assert.equal(await client.step(''), Buffer.from('AP-REQ').toString('base64'));
  assert.equal(await client.wrap('abc'), 'abc');
  assert.equal(client.username, 'alice@HIVEZK.TEST');
  assert.equal(client.contextComplete, false);
  assert.deepEqual(calls, ['init:zookeeper@zk1:{"mechOID":9}', 'step:', 'wrap:object']);
});

test('a module that loads but throws in initializeClient is a typed GSSAPI failure, not a crash', async () => {
  const throwing = adaptKerberosModule({
    initializeClient: () => {
      throw new TypeError('napi mismatch');
    },
  });
  const client = createGssapiClient('zk1', { canonicalize: false, load: () => throwing });
  await assert.rejects(client.start(), (e: unknown) => isCode('ZK_SASL_FAILED')(e) && /napi mismatch/.test((e as Error).message));
  const rejecting = adaptKerberosModule({ initializeClient: () => Promise.reject(new Error('No Kerberos credentials available')) });
  await assert.rejects(createGssapiClient('zk1', { canonicalize: false, load: () => rejecting }).start(), isCode('ZK_KERBEROS_UNAVAILABLE'));
});

test('platform targets are vsce target names', () => {
  assert.equal(platformTarget('linux', 'x64'), 'linux-x64');
  assert.equal(platformTarget('darwin', 'arm64'), 'darwin-arm64');
  assert.equal(platformTarget('linux', 'arm'), 'linux-armhf');
  assert.equal(platformTarget('win32', 'x64'), 'win32-x64');
});
