// TLS material from real keytool-made stores (PEM, PKCS12, JKS) and the connect options and
// failure texts built from it; a local Node TLS server checks the material really handshakes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { HiveZkError } from '../../src/core/errors';
import { describeTlsFailure, detectStoreType, loadTlsMaterial, tlsConnectOptions, type TlsConfig, type TlsMaterial } from '../../src/core/zk/auth/tls';
import { makeTestCertificates, type TestCertificates } from '../support/certs';

let certs: TestCertificates;
let server: Server;
let port: number;
before(async () => {
  certs = await makeTestCertificates();
  // A mutual-TLS server with the ZooKeeper server's own keystore, requiring a CA-signed client.
  server = createServer({ pfx: readFileSync(certs.serverP12), passphrase: certs.password, ca: readFileSync(certs.caPem), requestCert: true, rejectUnauthorized: true }, (socket) => socket.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  certs.remove();
});

const isCode = (code: string) => (error: unknown) => error instanceof HiveZkError && error.code === code;

/** Resolves with the server's greeting, or rejects with the socket's error. */
function handshake(material: TlsMaterial, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(tlsConnectOptions(material, host, port));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
  });
}

test('store types are told apart by content, not by file name', () => {
  assert.equal(detectStoreType(readFileSync(certs.caPem)), 'PEM');
  assert.equal(detectStoreType(readFileSync(certs.truststoreJks)), 'JKS');
  assert.equal(detectStoreType(readFileSync(certs.truststoreP12)), 'PKCS12');
});

const caVariants: [string, () => TlsConfig][] = [
  ['PEM CA', () => ({ caFile: certs.caPem })],
  ['PKCS12 truststore (certificates only)', () => ({ caFile: certs.truststoreP12, caPassword: certs.password })],
  ['JKS truststore', () => ({ caFile: certs.truststoreJks, caPassword: certs.password })],
];
const clientVariants: [string, () => TlsConfig][] = [
  ['PEM cert + key', () => ({ certFile: certs.clientCertPem, keyFile: certs.clientKeyPem })],
  ['PKCS12 keystore', () => ({ keystoreFile: certs.clientP12, keystorePassword: certs.password })],
  ['JKS keystore', () => ({ keystoreFile: certs.clientJks, keystorePassword: certs.password })],
];
for (const [caName, ca] of caVariants) {
  for (const [clientName, client] of clientVariants) {
    test(`mutual TLS handshakes with ${caName} and ${clientName}`, async () => {
      const material = loadTlsMaterial({ ...ca(), ...client() });
      assert.equal(material.ca?.length, 1);
      assert.equal(await handshake(material), 'hello');
    });
  }
}

test('hostname verification: on by default for a name the certificate holds; SNI only for names', async () => {
  const material = loadTlsMaterial({ caFile: certs.caPem, certFile: certs.clientCertPem, keyFile: certs.clientKeyPem });
  assert.equal(await handshake(material, 'localhost'), 'hello');
  assert.equal(tlsConnectOptions(material, 'localhost', 1).servername, 'localhost');
  assert.equal(tlsConnectOptions(material, '127.0.0.1', 1).servername, undefined);
  assert.equal(tlsConnectOptions(material, '::1', 1).servername, undefined);
  assert.equal(tlsConnectOptions(material, 'h', 1).checkServerIdentity, undefined);
  assert.equal(typeof tlsConnectOptions({ ...material, verifyHostname: false }, 'h', 1).checkServerIdentity, 'function');
});

test('failures say why: unknown CA, no client certificate, hostname mismatch', async () => {
  const client = { certFile: certs.clientCertPem, keyFile: certs.clientKeyPem };
  const wrongCa = await handshake(loadTlsMaterial({ caFile: certs.otherCaPem, ...client })).catch((e: unknown) => e);
  assert.match(describeTlsFailure(wrongCa, 'a:1'), /not signed by a trusted CA/);
  const noCert = await handshake(loadTlsMaterial({ caFile: certs.caPem })).catch((e: unknown) => e);
  assert.match(describeTlsFailure(noCert, 'a:1'), /rejected the client certificate|did not speak TLS/);
  const mismatch = Object.assign(new Error('Hostname/IP does not match certificate'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  assert.match(describeTlsFailure(mismatch, 'a:1'), /hostname mismatch/);
  assert.match(describeTlsFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'a:1'), /plain clientPort/);
});

test('bad stores are ZK_TLS_FAILED naming the file, never the password', () => {
  const wrong = 'not-the-password-42';
  for (const config of [{ caFile: certs.truststoreJks, caPassword: wrong }, { caFile: certs.truststoreP12, caPassword: wrong }, { keystoreFile: certs.clientP12, keystorePassword: wrong }] satisfies TlsConfig[]) {
    assert.throws(() => loadTlsMaterial(config), (e: unknown) => isCode('ZK_TLS_FAILED')(e) && !(e as Error).message.includes(wrong) && !JSON.stringify(e).includes(wrong));
  }
  assert.throws(() => loadTlsMaterial({ caFile: join(certs.dir, 'missing.pem') }), (e: unknown) => isCode('ZK_TLS_FAILED')(e) && /does not exist/.test((e as Error).message));
  const empty = join(certs.dir, 'empty.pem');
  writeFileSync(empty, '-----BEGIN NOTHING-----\n');
  assert.throws(() => loadTlsMaterial({ caFile: empty }), isCode('ZK_TLS_FAILED'));
  assert.throws(() => loadTlsMaterial({ caFile: certs.caPem, caType: 'JKS' }), isCode('ZK_TLS_FAILED'));
  assert.throws(() => loadTlsMaterial({ keystoreFile: certs.caPem }), isCode('ZK_TLS_FAILED'), 'a keystore without a key');
  assert.throws(() => loadTlsMaterial({ certFile: certs.clientCertPem }), isCode('BAD_ARGUMENT'));
  assert.throws(() => loadTlsMaterial({ certFile: certs.clientCertPem, keyFile: certs.clientKeyPem, keystoreFile: certs.clientP12 }), isCode('BAD_ARGUMENT'));
});
