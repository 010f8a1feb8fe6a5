// Test certificates made at test time with the JDK's keytool: a CA, a server and a client
// certificate signed by it (SAN localhost + 127.0.0.1), in PEM, PKCS12 and JKS, plus a foreign CA.
// openssl only unwraps the client's private key to PEM (keytool cannot export keys).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  /** Password of every store below (test-only). */
  password: string;
  caPem: string;
  /** Truststores holding only the CA certificate. */
  truststoreP12: string;
  truststoreJks: string;
  /** Server key + chain (for ZooKeeper's ssl.keyStore). */
  serverP12: string;
  clientCertPem: string;
  clientKeyPem: string;
  clientP12: string;
  clientJks: string;
  /** A CA that signed nothing the server holds: trusting only it must fail. */
  otherCaPem: string;
  remove(): void;
}

const SAN = 'SAN=dns:localhost,ip:127.0.0.1';

function run(command: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) {
        resolve(Buffer.concat(out));
      } else {
        reject(new Error(`${command} ${args.slice(0, 2).join(' ')} failed (exit ${code}): ${Buffer.concat(err).toString('utf8').trim()}`));
      }
    });
    child.stdin.end(input);
  });
}

export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-certs-'));
  const password = 'test-store-pass';
  const p = (name: string): string => join(dir, name);
  const keytool = (...args: string[]): Promise<Buffer> => run('keytool', [...args, '-noprompt']);
  const store = (file: string, type = 'PKCS12'): string[] => ['-keystore', file, '-storetype', type, '-storepass', password];
  const genKeyPair = (file: string, alias: string, dname: string, ...ext: string[]): Promise<Buffer> =>
    keytool('-genkeypair', '-alias', alias, '-keyalg', 'RSA', '-keysize', '2048', '-validity', '2', '-dname', dname, ...ext, ...store(file), '-keypass', password);

  /** A key pair in `file` whose certificate the CA signs; the store ends up holding the chain. */
  const signedKeyStore = async (file: string, alias: string, dname: string, ext: string[]): Promise<void> => {
    await genKeyPair(file, alias, dname);
    const request = await keytool('-certreq', '-alias', alias, ...store(file));
    const signed = await run('keytool', ['-gencert', '-alias', 'ca', ...store(p('ca.p12')), '-validity', '2', '-rfc', ...ext, '-noprompt'], request);
    const caPem = await keytool('-exportcert', '-alias', 'ca', '-rfc', ...store(p('ca.p12')));
    await run('keytool', ['-importcert', '-alias', alias, ...store(file), '-noprompt', '-trustcacerts'], Buffer.concat([signed, caPem]));
  };

  try {
    await Promise.all([
      genKeyPair(p('ca.p12'), 'ca', 'CN=Hive ZK Test CA', '-ext', 'bc:c'),
      genKeyPair(p('other-ca.p12'), 'ca', 'CN=Some Other CA', '-ext', 'bc:c'),
    ]);
    await Promise.all([
      keytool('-exportcert', '-alias', 'ca', '-rfc', '-file', p('ca.pem'), ...store(p('ca.p12'))),
      keytool('-exportcert', '-alias', 'ca', '-rfc', '-file', p('other-ca.pem'), ...store(p('other-ca.p12'))),
      signedKeyStore(p('server.p12'), 'server', 'CN=localhost', ['-ext', SAN, '-ext', 'eku=serverAuth,clientAuth']),
      signedKeyStore(p('client.p12'), 'client', 'CN=hive-zk-client', ['-ext', 'eku=clientAuth']),
    ]);
    await Promise.all([
      keytool('-importcert', '-alias', 'ca', '-file', p('ca.pem'), ...store(p('truststore.p12'))),
      keytool('-importcert', '-alias', 'ca', '-file', p('ca.pem'), ...store(p('truststore.jks'), 'JKS')),
      keytool('-importkeystore', '-srckeystore', p('client.p12'), '-srcstoretype', 'PKCS12', '-srcstorepass', password, ...store(p('client.jks'), 'JKS').map((a) => a.replace(/^-keystore$/, '-destkeystore').replace(/^-storetype$/, '-deststoretype').replace(/^-storepass$/, '-deststorepass'))),
      keytool('-exportcert', '-alias', 'client', '-rfc', '-file', p('client.pem'), ...store(p('client.p12'))),
      run('openssl', ['pkcs12', '-in', p('client.p12'), '-nocerts', '-nodes', '-passin', `pass:${password}`, '-out', p('client-key.pem')]),
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    password,
    caPem: p('ca.pem'),
    truststoreP12: p('truststore.p12'),
    truststoreJks: p('truststore.jks'),
    serverP12: p('server.p12'),
    clientCertPem: p('client.pem'),
    clientKeyPem: p('client-key.pem'),
    clientP12: p('client.p12'),
    clientJks: p('client.jks'),
    otherCaPem: p('other-ca.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
