// An ensemble's security: the `tls` / `sasl` settings (files and choices, never passwords), the
// secrets kept for it in SecretStorage, and the two joined into the core's SessionSecurity.
import type * as vscode from 'vscode';
import { HiveZkError } from '../core/errors';
import { parseDigestCredential } from '../core/zk/auth/saslDigest';
import type { SessionSecurity } from '../core/zk/auth/secureTransport';
import { parseStoreType, type StoreType, type TlsConfig } from '../core/zk/auth/tls';

/** `hiveZk.ensembles[].tls`: what to trust and who to be; store passwords are secrets, kept apart. */
export interface EnsembleTls {
  caFile?: string;
  caType?: StoreType;
  certFile?: string;
  keyFile?: string;
  keystoreFile?: string;
  keystoreType?: StoreType;
  /** Default true. */
  verifyHostname?: boolean;
}

/** `hiveZk.ensembles[].sasl`: the mechanism; the DIGEST-MD5 credential is a secret, kept apart. */
export type EnsembleSasl = { mechanism: 'digest' } | { mechanism: 'kerberos'; kerberosService?: string; canonicalizeHostname?: false };

/** The secrets of one ensemble's TLS and SASL, each in SecretStorage under its own key. */
export type SecuritySecret = 'truststorePassword' | 'keystorePassword' | 'saslCredential';
export const SECURITY_SECRETS: readonly SecuritySecret[] = ['truststorePassword', 'keystorePassword', 'saslCredential'];

export function securitySecretKey(ensemble: string, secret: SecuritySecret): string {
  const prefix = { truststorePassword: 'hiveZk.tls.truststorePassword.', keystorePassword: 'hiveZk.tls.keystorePassword.', saslCredential: 'hiveZk.sasl.' }[secret];
  return prefix + ensemble;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/**
 * Reads a hand-editable `tls` value: undefined when absent or `enabled: false`; a problem (an
 * unknown store type) is a message for the tree's invalid-ensemble row.
 */
export function readTlsSetting(raw: unknown): EnsembleTls | undefined {
  if (raw === undefined || raw === null || raw === false) {
    return undefined;
  }
  if (raw === true) {
    return {};
  }
  if (typeof raw !== 'object') {
    throw new HiveZkError('BAD_ARGUMENT', 'The "tls" setting must be an object such as { "caFile": "/path/ca.pem" }.');
  }
  const value = raw as Record<string, unknown>;
  if (value.enabled === false) {
    return undefined;
  }
  const tls: EnsembleTls = {};
  for (const key of ['caFile', 'certFile', 'keyFile', 'keystoreFile'] as const) {
    const file = text(value[key]);
    if (file) {
      tls[key] = file;
    }
  }
  for (const key of ['caType', 'keystoreType'] as const) {
    if (value[key] !== undefined) {
      const type = typeof value[key] === 'string' ? parseStoreType(value[key]) : undefined;
      if (!type) {
        throw new HiveZkError('BAD_ARGUMENT', `tls.${key} must be PEM, PKCS12 or JKS.`);
      }
      tls[key] = type;
    }
  }
  if (tls.keystoreFile && (tls.certFile || tls.keyFile)) {
    throw new HiveZkError('BAD_ARGUMENT', 'tls: give either certFile + keyFile (PEM) or keystoreFile, not both.');
  }
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
    throw new HiveZkError('BAD_ARGUMENT', 'tls: a client certificate needs both certFile and keyFile.');
  }
  if (value.verifyHostname === false) {
    tls.verifyHostname = false;
  }
  return tls;
}

export function readSaslSetting(raw: unknown): EnsembleSasl | undefined {
  if (raw === undefined || raw === null) {
    return undefined;
  }
  const value = (typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const mechanism = typeof value.mechanism === 'string' ? value.mechanism.toLowerCase() : value.mechanism;
  if (mechanism === 'none') {
    return undefined;
  }
  if (mechanism === 'digest') {
    return { mechanism: 'digest' };
  }
  if (mechanism === 'kerberos') {
    const service = text(value.kerberosService);
    return { mechanism: 'kerberos', ...(service ? { kerberosService: service } : {}), ...(value.canonicalizeHostname === false ? { canonicalizeHostname: false as const } : {}) };
  }
  throw new HiveZkError('BAD_ARGUMENT', 'sasl.mechanism must be "digest" or "kerberos".');
}

/** The settings object written for a `tls` value (only what differs from the defaults). */
export function tlsSettingValue(tls: EnsembleTls): Record<string, unknown> {
  const entry: Record<string, unknown> = { enabled: true };
  for (const key of ['caFile', 'caType', 'certFile', 'keyFile', 'keystoreFile', 'keystoreType'] as const) {
    if (tls[key] !== undefined) {
      entry[key] = tls[key];
    }
  }
  if (tls.verifyHostname === false) {
    entry.verifyHostname = false;
  }
  return entry;
}

/** One key for comparing security settings: a change makes the session stale. */
export function securityKey(config: { tls?: EnsembleTls; sasl?: EnsembleSasl }): string {
  return JSON.stringify([config.tls ? tlsSettingValue(config.tls) : null, config.sasl ?? null]);
}

export type SecuritySecrets = Partial<Record<SecuritySecret, string>>;

export async function readSecuritySecrets(secrets: vscode.SecretStorage, ensemble: string): Promise<SecuritySecrets> {
  const values = await Promise.all(SECURITY_SECRETS.map((s) => secrets.get(securitySecretKey(ensemble, s))));
  const result: SecuritySecrets = {};
  SECURITY_SECRETS.forEach((secret, i) => {
    const value = values[i];
    if (value !== undefined) {
      result[secret] = value;
    }
  });
  return result;
}

/**
 * The core's SessionSecurity for an ensemble's settings and secrets; undefined for a plain
 * ensemble. A digest mechanism without its credential is refused here, before any connection.
 */
export function sessionSecurity(ensemble: { name: string; tls?: EnsembleTls; sasl?: EnsembleSasl }, secrets: SecuritySecrets): SessionSecurity | undefined {
  const security: SessionSecurity = {};
  if (ensemble.tls) {
    const tls: TlsConfig = { ...ensemble.tls };
    if (tls.caFile && secrets.truststorePassword !== undefined) {
      tls.caPassword = secrets.truststorePassword;
    }
    if (tls.keystoreFile && secrets.keystorePassword !== undefined) {
      tls.keystorePassword = secrets.keystorePassword;
    }
    security.tls = tls;
  }
  if (ensemble.sasl?.mechanism === 'digest') {
    if (secrets.saslCredential === undefined) {
      throw new HiveZkError('BAD_ARGUMENT', `"${ensemble.name}" uses SASL DIGEST-MD5 but no SASL credential is stored: run "Configure Security…" on the ensemble.`);
    }
    security.sasl = { mechanism: 'digest', credential: parseDigestCredential(secrets.saslCredential, 'The stored SASL credential') };
  } else if (ensemble.sasl?.mechanism === 'kerberos') {
    const { kerberosService, canonicalizeHostname } = ensemble.sasl;
    security.sasl = { mechanism: 'kerberos', ...(kerberosService ? { service: kerberosService } : {}), ...(canonicalizeHostname === false ? { canonicalizeHostname } : {}) };
  }
  return security.tls || security.sasl ? security : undefined;
}

/** Short words for a failure code of a secured connection, for the status bar. */
export const SECURITY_FAILURE_LABELS: Readonly<Record<string, string>> = {
  ZK_TLS_FAILED: 'TLS failed',
  ZK_SASL_FAILED: 'SASL authentication failed',
  ZK_SASL_REQUIRED: 'server requires SASL',
  ZK_KERBEROS_UNAVAILABLE: 'Kerberos unavailable',
  ZK_AUTH_FAILED: 'authentication failed',
};
