// TLS stores and keys as untrusted input: stores openssl writes without friendly names, keys that
// do not fit their certificate or need a passphrase, and store paths that are not regular files
// or never end — each a typed ZK_TLS_FAILED (JSON from the CLI), never a stack trace or a hang.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { HiveZkError } from '../../src/core/errors';
import { loadTlsMaterial, MAX_STORE_BYTES, pemBlocks, tlsConnectOptions, type TlsMaterial } from '../../src/core/zk/auth/tls';
import { makeTestCertificates, type TestCertificates } from '../support/certs';
import { errorCode, hiveZk } from '../support/cli';
import { MAX_RSS_MB, runHostile } from '../support/hostileRun';

let certs: TestCertificates;
let server: Server;
let port: number;
const file = (name: string): string => join(certs.dir, name);
const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });

before(async () => {
  certs = await makeTestCertificates();
  server = createServer({ pfx: readFileSync(certs.serverP12), passphrase: certs.password, ca: readFileSync(certs.caPem), requestCert: true, rejectUnauthorized: true }, (socket) => socket.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file('other-key.pem'));
  openssl('pkey', '-in', certs.clientKeyPem, '-aes256', '-passout', 'pass:secret-pass', '-out', file('encrypted-key.pem'));
  openssl('pkcs12', '-export', '-in', certs.clientCertPem, '-inkey', certs.clientKeyPem, '-certfile', certs.caPem, '-passout', `pass:${certs.password}`, '-out', file('chain.p12'));
  openssl('pkcs12', '-export', '-nokeys', '-in', certs.caPem, '-certfile', certs.otherCaPem, '-passout', `pass:${certs.password}`, '-out', file('nokeys.p12'));
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  certs.remove();
});

const isTls = (pattern: RegExp) => (e: unknown) => e instanceof HiveZkError && e.code === 'ZK_TLS_FAILED' && pattern.test(e.message);

function handshake(material: TlsMaterial): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(tlsConnectOptions(material, '127.0.0.1', port));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
  });
}

test('PKCS12 written by openssl -certfile / -nokeys (certificates without friendly names) is read whole', async () => {
  const keystore = loadTlsMaterial({ keystoreFile: file('chain.p12'), keystorePassword: certs.password, caFile: certs.caPem });
  assert.equal(pemBlocks(keystore.cert ?? '', ['CERTIFICATE']).length, 2, 'the client certificate and the chain certificate');
  assert.equal(await handshake(keystore), 'hello');
  const truststore = loadTlsMaterial({ caFile: file('nokeys.p12'), caPassword: certs.password });
  assert.equal(truststore.ca?.length, 2, 'both CA certificates, none lost to a shared (missing) name');
  assert.throws(() => loadTlsMaterial({ caFile: file('nokeys.p12'), caPassword: 'wrong' }), isTls(/cannot be opened/));
});

test('a key that is not the certificate\'s, or is passphrase-protected, is a typed error when the files are loaded', () => {
  assert.throws(() => loadTlsMaterial({ certFile: certs.clientCertPem, keyFile: file('other-key.pem') }), isTls(/does not belong to the client certificate/));
  assert.throws(() => loadTlsMaterial({ certFile: certs.clientCertPem, keyFile: file('encrypted-key.pem') }), isTls(/passphrase-protected/));
});

test('hive-zk: mismatched and encrypted keys end in the JSON error, no stack trace', async () => {
  for (const key of ['other-key.pem', 'encrypted-key.pem']) {
    const result = await hiveZk({}, 'namespaces', '--zk', '127.0.0.1:1', '--timeout', '3000', '--tls', '--tls-cert', certs.clientCertPem, '--tls-key', file(key));
    assert.equal(result.code, 1, result.output);
    assert.equal(errorCode(result), 'ZK_TLS_FAILED');
    assert.ok(!/node:internal|\n\s+at /.test(result.output), result.output);
  }
});

test('stores are read by count from regular files only: /dev/zero in a flag or a URL, a FIFO, an oversized store', async () => {
  execFileSync('mkfifo', [file('fifo.p12')]);
  writeFileSync(file('huge.pem'), Buffer.alloc(MAX_STORE_BYTES + 1, 0x41));
  assert.throws(() => loadTlsMaterial({ caFile: '/dev/zero' }), isTls(/character device/));
  assert.throws(() => loadTlsMaterial({ keystoreFile: file('fifo.p12') }), isTls(/pipe/));
  assert.throws(() => loadTlsMaterial({ caFile: file('huge.pem') }), isTls(new RegExp(`larger than ${MAX_STORE_BYTES / 1024 / 1024} MB`)));
  const viaUrl = await runHostile(['cli', JSON.stringify(['resolve', 'jdbc:hive2://127.0.0.1:1/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hs2;zooKeeperSSLEnable=true;zooKeeperTruststoreLocation=/dev/zero', '--timeout', '3000'])], 30_000);
  assert.deepEqual(viaUrl.outcomes, ['ZK_TLS_FAILED']);
  assert.ok(viaUrl.maxRssMb < MAX_RSS_MB, `peak ${viaUrl.maxRssMb} MB`);
  const viaFlag = await runHostile(['cli', JSON.stringify(['namespaces', '--zk', '127.0.0.1:1', '--timeout', '3000', '--tls-ca', file('fifo.p12')])], 30_000);
  assert.deepEqual(viaFlag.outcomes, ['ZK_TLS_FAILED']);
});

test('PEM blocks: one pass over unterminated armour, blocks in order, other labels ignored', () => {
  const text = `junk-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----`;
  assert.deepEqual(pemBlocks(text, ['CERTIFICATE']).map((b) => b.block.split('\n')[1]), ['A', 'B']);
  assert.deepEqual(pemBlocks(text, ['RSA PRIVATE KEY', 'PRIVATE KEY']).map((b) => b.label), ['PRIVATE KEY']);
  const unterminated = '-----BEGIN CERTIFICATE-----\n'.repeat(200_000);
  assert.deepEqual(pemBlocks(unterminated, ['CERTIFICATE']), []);
  assert.deepEqual(pemBlocks(`${unterminated}-----END CERTIFICATE-----`, ['CERTIFICATE']).length, 1);
});
