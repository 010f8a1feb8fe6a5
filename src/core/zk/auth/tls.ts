// TLS to ZooKeeper's secureClientPort: loads the CA and client identity from PEM, PKCS12 or JKS
// files (Java users hold JKS/PKCS12 stores; Node only reads PEM) into Node's tls options, and says
// in words why a handshake failed.

import { isIP } from 'node:net';
import { createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import type * as Jks from 'jks-js';
import { HiveZkError, preview } from '../../errors';
import { readLocalFile } from '../../localFile';

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
  /** ca, cert and key checked and loaded once (a key that does not fit its certificate fails here, not per socket). */
  secureContext?: SecureContext;
}

/**
 * Java stores and PEM bundles are kilobytes (a JDK's cacerts, or a system CA bundle, about 200 KB);
 * larger is not a store. The PKCS12 parser needs about 70 times a store's size in memory.
 */
export const MAX_STORE_BYTES = 2 * 1024 * 1024;

type ReadFile = (path: string, what: string) => Buffer;
/** Counted, regular files only: a store named in a URL may be /dev/zero or a FIFO. */
const defaultRead: ReadFile = (path, what) => readLocalFile(path, { what, maxBytes: MAX_STORE_BYTES, code: 'ZK_TLS_FAILED' });

/** The first bytes of a store, to tell its type (the setup wizard asks for a password only for Java stores). */
export function readStoreForType(path: string): StoreType {
  return detectStoreType(defaultRead(path, 'The TLS store'));
}

const KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'];

/**
 * The PEM blocks of `text` with one of `labels`, whole ("-----BEGIN X-----…-----END X-----"), in
 * order. One forward scan: a label whose END is missing is not searched for again, so a file of
 * unterminated BEGIN lines costs one pass per label, not one per line (a lazy regex would rescan).
 */
export function pemBlocks(text: string, labels: readonly string[]): { label: string; block: string }[] {
  const blocks: { label: string; block: string }[] = [];
  const unterminated = new Set<string>();
  let at = text.indexOf('-----BEGIN ');
  while (at !== -1) {
    const labelStart = at + '-----BEGIN '.length;
    const label = labels.find((l) => text.startsWith(`${l}-----`, labelStart) && !unterminated.has(l));
    let next = labelStart;
    if (label !== undefined) {
      const endMarker = `-----END ${label}-----`;
      const end = text.indexOf(endMarker, labelStart + label.length + 5);
      if (end === -1) {
        unterminated.add(label);
      } else {
        blocks.push({ label, block: text.slice(at, end + endMarker.length) });
        next = end + endMarker.length;
      }
    }
    at = text.indexOf('-----BEGIN ', next);
  }
  return blocks;
}

const pemCertificates = (text: string): string[] => pemBlocks(text, ['CERTIFICATE']).map((b) => b.block);

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
    bytes = read(file, `The TLS ${role}`);
  } catch (error) {
    if (error instanceof HiveZkError) {
      throw error;
    }
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : 'it cannot be read';
    throw new HiveZkError('ZK_TLS_FAILED', `The TLS ${role} ${file} cannot be used: ${reason}.`, { file });
  }
  const type = detectStoreType(bytes);
  if (typeHint && typeHint !== type) {
    throw new HiveZkError('ZK_TLS_FAILED', `The TLS ${role} ${file} was given as ${typeHint} but is ${type}.`, { file });
  }
  if (type === 'PKCS12' && !isOneDerValue(bytes)) {
    // Checked before the parser sees it: garbage costs that parser seconds and hundreds of MB.
    throw new HiveZkError('ZK_TLS_FAILED', `The TLS ${role} ${file} is neither PEM, JKS nor PKCS12 (it is not one DER structure).`, { file, storeType: type });
  }
  if (type === 'PEM') {
    const text = bytes.toString('utf8');
    const key = pemBlocks(text, KEY_LABELS)[0]?.block;
    const certs = pemCertificates(text);
    return { certs, keys: key ? [{ key, chain: certs.join('\n') }] : [] };
  }
  const envName = passwordEnv ?? (role === 'truststore' ? 'HIVEZK_TLS_TRUSTSTORE_PASSWORD' : 'HIVEZK_TLS_KEYSTORE_PASSWORD');
  try {
    // jks-js reads both Java store formats: trusted entries as `ca`, key entries as `key` + `cert` chain.
    const result: StoreEntries = { certs: [], keys: [] };
    for (const entry of Object.values(type === 'PKCS12' ? pkcs12ToPem(bytes, password ?? '') : jks().toPem(bytes, password ?? ''))) {
      const chain = [entry.ca, entry.cert].filter((c): c is string => typeof c === 'string').flatMap(pemCertificates);
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
  material.secureContext = checkedContext(material, config.keystoreFile ?? config.keyFile ?? config.caFile ?? '');
  return material;
}

/**
 * Loads ca, cert and key into one secure context now, so that what OpenSSL refuses (a key that is
 * not the certificate's, a passphrase-protected key, a malformed certificate) is a typed error
 * naming the file instead of an exception thrown when the socket is made.
 */
function checkedContext(material: TlsMaterial, file: string): SecureContext {
  if (material.key !== undefined && /ENCRYPTED/.test(material.key.slice(0, 200))) {
    throw new HiveZkError('ZK_TLS_FAILED', `The private key in ${preview(file, 200)} is passphrase-protected; give an unencrypted PEM key, or a PKCS12/JKS keystore with its password.`, { file: preview(file, 200) });
  }
  try {
    return createSecureContext({ ...(material.ca ? { ca: material.ca } : {}), ...(material.cert ? { cert: material.cert } : {}), ...(material.key ? { key: material.key } : {}) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = /key values mismatch/i.test(message)
      ? 'the private key does not belong to the client certificate'
      : /bad decrypt|bad password|passphrase|interrupted or cancelled/i.test(message)
        ? 'the private key is passphrase-protected; give an unencrypted PEM key, or a PKCS12/JKS keystore with its password'
        : `OpenSSL cannot use it (${preview(message.split('\n')[0] ?? '', 120)})`;
    throw new HiveZkError('ZK_TLS_FAILED', `The TLS material in ${preview(file, 200)} cannot be used: ${reason}.`, { file: preview(file, 200) });
  }
}

/** True when the bytes are one DER SEQUENCE whose length is the rest of the file (or BER's indefinite length), as a PKCS12 file is. */
function isOneDerValue(bytes: Buffer): boolean {
  if (bytes.length < 2 || bytes[0] !== 0x30) {
    return false;
  }
  const first = bytes[1] ?? 0;
  if (first === 0x80) {
    return true;
  }
  if (first < 0x80) {
    return 2 + first === bytes.length;
  }
  const count = first & 0x7f;
  if (count > 4 || bytes.length < 2 + count) {
    return false;
  }
  let length = 0;
  for (let i = 0; i < count; i += 1) {
    length = length * 256 + (bytes[2 + i] ?? 0);
  }
  return 2 + count + length === bytes.length;
}

interface Pkcs12Bag {
  attributes: { friendlyName?: string[]; localKeyId?: string[] };
}

/**
 * PKCS12 entries as PEM. jks-js groups a store's bags by friendly name and fails on bags without one
 * (openssl pkcs12 -export -certfile / -nokeys writes chain certificates without names), and keeps
 * one certificate per name: so every bag is named here first — a key and its certificate by their
 * shared localKeyId, every other certificate on its own — and the other certificates join the key's chain.
 */
function pkcs12ToPem(bytes: Buffer, password: string): Record<string, { ca?: string; cert?: string; key?: string }> {
  const library = jks() as unknown as { parsePkcs12(store: Buffer, password: string): Pkcs12Bag[] };
  const bags = library.parsePkcs12(bytes, password);
  bags.forEach((bag, index) => {
    const keyId = bag.attributes.localKeyId?.[0];
    bag.attributes = { ...bag.attributes, friendlyName: [keyId !== undefined ? `key:${Buffer.from(keyId, 'binary').toString('hex')}` : `cert:${index}`] };
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Parser = require('jks-js/lib/keystore/PKCS12Parser') as { prototype: { toPem(bags: Pkcs12Bag[]): Record<string, { ca?: string; cert?: string; key?: string }> } };
  const entries = Parser.prototype.toPem.call(undefined, bags);
  const others = Object.values(entries).filter((e) => e.key === undefined).map((e) => e.ca ?? e.cert ?? '').filter((c) => c !== '');
  for (const entry of Object.values(entries)) {
    if (entry.key !== undefined && others.length > 0) {
      entry.cert = [entry.cert ?? '', ...others].filter((c) => c !== '').join('\n');
    }
  }
  return entries;
}

/** Options for `tls.connect`: SNI only for host names (never for IPs), hostname check unless turned off. */
export function tlsConnectOptions(material: TlsMaterial, host: string, port: number): ConnectionOptions {
  return {
    host,
    port,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(material.secureContext
      ? { secureContext: material.secureContext }
      : { ...(material.ca ? { ca: material.ca } : {}), ...(material.cert ? { cert: material.cert } : {}), ...(material.key ? { key: material.key } : {}) }),
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
