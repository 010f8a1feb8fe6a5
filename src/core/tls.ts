// TLS to ZooKeeper's secureClientPort: loads the CA and client identity from PEM, PKCS12 or JKS
// files (Java users hold JKS/PKCS12 stores; Node only reads PEM) into Node's tls options, and says
// in words why a handshake failed.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type * as Jks from 'jks-js';
import { HiveZkError } from './errors';

export type StoreType = 'PEM' | 'PKCS12' | 'JKS';

/** How to reach a secureClientPort. Passwords are secrets: from SecretStorage or env, never settings or argv. */
export interface TlsConfig {
  /** CA certificates (PEM, PKCS12 or JKS truststore); undefined trusts the system's CAs. */
  caFile?: string;
  caPassword?: string;
  caType?: StoreType;
  /** The environment variable the CA store's password comes from, named in messages (default HIVEZK_TLS_TRUSTSTORE_PASSWORD). */
  caPasswordEnv?: string;
  /** Client certificate + private key, PEM files … */
  certFile?: string;
  keyFile?: string;
  /** … or a keystore (PKCS12 or JKS) holding one private key and its chain. */
  keystoreFile?: string;
  keystorePassword?: string;
  keystoreType?: StoreType;
  /** Check the server certificate names the host we dialled (default true). */
  verifyHostname?: boolean;
}

/** What Node's tls needs, loaded once per session (files are read when the session is made). */
export interface TlsMaterial {
  ca?: string[];
  cert?: string;
  key?: string;
  verifyHostname: boolean;
}

type ReadFile = (path: string) => Buffer;
const defaultRead: ReadFile = (path) => readFileSync(path);

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** PEM when the file is text with PEM armour; JKS by its magic; PKCS12 otherwise (DER). */
export function detectStoreType(bytes: Buffer): StoreType {
  if (bytes.includes('-----BEGIN ')) {
    return 'PEM';
  }
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0xfeedfeed) {
    return 'JKS';
  }
  return 'PKCS12';
}

const storeTypeName = (value: string | undefined): StoreType | undefined => {
  const upper = value?.trim().toUpperCase();
  return upper === 'PEM' || upper === 'JKS' ? upper : upper === 'PKCS12' || upper === 'P12' || upper === 'PFX' ? 'PKCS12' : undefined;
};

/** Reads a store type as Hive's URLs spell it ("JKS", "PKCS12", "pkcs12"); undefined for unknown. */
export function parseStoreType(value: string | undefined): StoreType | undefined {
  return storeTypeName(value);
}

interface StoreEntries {
  /** Certificates (trusted entries and chains), PEM each. */
  certs: string[];
  /** Private key entries: key + its chain. */
  keys: { key: string; chain: string }[];
}

function readStore(file: string, role: 'truststore' | 'keystore', password: string | undefined, typeHint: StoreType | undefined, read: ReadFile, passwordEnv?: string): StoreEntries {
  let bytes: Buffer;
  try {
    bytes = read(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : 'it cannot be read';
    throw new HiveZkError('ZK_TLS_FAILED', `The TLS ${role} ${file} cannot be used: ${reason}.`, { file });
  }
  const type = detectStoreType(bytes);
  if (typeHint && typeHint !== type) {
    throw new HiveZkError('ZK_TLS_FAILED', `The TLS ${role} ${file} was given as ${typeHint} but is ${type}.`, { file });
  }
  if (type === 'PEM') {
    const text = bytes.toString('utf8');
    const key = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(text)?.[0];
    const certs = text.match(PEM_CERT) ?? [];
    return { certs, keys: key ? [{ key, chain: certs.join('\n') }] : [] };
  }
  const envName = passwordEnv ?? (role === 'truststore' ? 'HIVEZK_TLS_TRUSTSTORE_PASSWORD' : 'HIVEZK_TLS_KEYSTORE_PASSWORD');
  try {
    // jks-js reads both Java store formats: trusted entries as `ca`, key entries as `key` + `cert` chain.
    const result: StoreEntries = { certs: [], keys: [] };
    for (const entry of Object.values(jks().toPem(bytes, password ?? ''))) {
      const chain = [entry.ca, entry.cert].filter((c): c is string => typeof c === 'string').flatMap((c) => c.match(PEM_CERT) ?? []);
      result.certs.push(...chain);
      if (entry.key) {
        result.keys.push({ key: entry.key, chain: chain.join('\n') });
      }
    }
    return result;
  } catch (error) {
    // The library's messages never contain the password; they do say "wrong password" or "corrupt".
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const hint = password === undefined ? ` If it has a password, set ${envName}.` : ` Check the password (${envName}) and the file.`;
    throw new HiveZkError('ZK_TLS_FAILED', `The TLS ${role} ${file} (${type}) cannot be opened: ${detail}.${hint}`, { file, storeType: type });
  }
}

/** Reads every file the config names; any problem is a ZK_TLS_FAILED naming the file, never a password. */
export function loadTlsMaterial(config: TlsConfig, read: ReadFile = defaultRead): TlsMaterial {
  const material: TlsMaterial = { verifyHostname: config.verifyHostname !== false };
  if (config.caFile) {
    const { certs } = readStore(config.caFile, 'truststore', config.caPassword, config.caType, read, config.caPasswordEnv);
    if (certs.length === 0) {
      throw new HiveZkError('ZK_TLS_FAILED', `The TLS truststore ${config.caFile} holds no certificates.`, { file: config.caFile });
    }
    material.ca = certs;
  }
  if (config.keystoreFile && (config.certFile || config.keyFile)) {
    throw new HiveZkError('BAD_ARGUMENT', 'Give either a client certificate and key (PEM) or a keystore, not both.');
  }
  if (config.keystoreFile) {
    const { keys } = readStore(config.keystoreFile, 'keystore', config.keystorePassword, config.keystoreType, read);
    const [first] = keys;
    if (!first) {
      throw new HiveZkError('ZK_TLS_FAILED', `The TLS keystore ${config.keystoreFile} holds no private key.`, { file: config.keystoreFile });
    }
    material.key = first.key;
    material.cert = first.chain;
  } else if (config.certFile || config.keyFile) {
    if (!config.certFile || !config.keyFile) {
      throw new HiveZkError('BAD_ARGUMENT', 'A client certificate needs both the certificate file and its key file (PEM).');
    }
    const cert = readStore(config.certFile, 'keystore', undefined, 'PEM', read).certs;
    const key = readStore(config.keyFile, 'keystore', undefined, 'PEM', read).keys[0]?.key;
    if (cert.length === 0 || !key) {
      throw new HiveZkError('ZK_TLS_FAILED', `The client certificate ${config.certFile} or key ${config.keyFile} holds no ${cert.length === 0 ? 'certificate' : 'private key'}.`, { file: cert.length === 0 ? config.certFile : config.keyFile });
    }
    material.cert = cert.join('\n');
    material.key = key;
  }
  return material;
}

/** Options for `tls.connect`: SNI only for host names (never for IPs), hostname check unless turned off. */
export function tlsConnectOptions(material: TlsMaterial, host: string, port: number): ConnectionOptions {
  return {
    host,
    port,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(material.ca ? { ca: material.ca } : {}),
    ...(material.cert ? { cert: material.cert } : {}),
    ...(material.key ? { key: material.key } : {}),
    rejectUnauthorized: true,
    ...(material.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
  };
}

const CLIENT_CERT_REJECTED = /ALERT_BAD_CERTIFICATE|ALERT_CERTIFICATE_REQUIRED|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN|ALERT_HANDSHAKE_FAILURE/i;
const UNKNOWN_CA = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** Failures a retry cannot fix: the certificates on one side are not what the other accepts. */
export function isCertificateFailure(error: unknown): boolean {
  const code = String((error as NodeJS.ErrnoException | undefined)?.code ?? '');
  const message = error instanceof Error ? error.message : '';
  return UNKNOWN_CA.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' || CLIENT_CERT_REJECTED.test(`${code} ${message}`);
}

/** Why a TLS connection to `address` failed, in words a user can act on. */
export function describeTlsFailure(error: unknown, address: string): string {
  const code = String((error as NodeJS.ErrnoException | undefined)?.code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  if (UNKNOWN_CA.has(code)) {
    return `the server certificate of ${address} is not signed by a trusted CA (${code}); check the CA file`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server certificate of ${address} does not name that host (hostname mismatch); connect by a name the certificate holds`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `the server certificate of ${address} is expired or not yet valid (${code})`;
  }
  if (CLIENT_CERT_REJECTED.test(`${code} ${message}`)) {
    return `${address} rejected the client certificate (or none was given); the server requires one its CA signed (${code || 'TLS alert'})`;
  }
  if (code === 'ECONNRESET' || /wrong version number|packet length too long|unknown protocol|socket disconnected before secure TLS connection/i.test(message)) {
    return `${address} did not speak TLS (is it the plain clientPort rather than the secureClientPort?)`;
  }
  if (code === 'ECONNREFUSED') {
    return `nothing listens on ${address} (connection refused)`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `the host of ${address} cannot be resolved (${code})`;
  }
  return `${message}${code ? ` (${code})` : ''}`;
}

/** jks-js brings node-forge and node-rsa (tens of ms to load): loaded when a Java store is read, never at activation. */
function jks(): typeof Jks {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('jks-js') as typeof Jks;
}
