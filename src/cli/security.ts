// hive-zk's security options: the flag table and the one function turning flags, environment and
// a JDBC URL's zooKeeper* parameters into session security. Secrets come only from env (or the URL).

import { HiveZkError } from '../core/errors';
import { parseDigestCredential } from '../core/zk/auth/saslDigest';
import { tlsFromJdbcSessionVars, type SessionSecurity } from '../core/zk/auth/secureTransport';
import type { TlsConfig } from '../core/zk/auth/tls';

export const SECURITY_VALUE_FLAGS = ['tls-ca', 'tls-cert', 'tls-key', 'tls-keystore', 'sasl', 'kerberos-service'] as const;
export const SECURITY_BOOLEAN_FLAGS = ['tls', 'no-canonicalize-hostname'] as const;

export const SECURITY_USAGE = `  --tls                     connect to ZooKeeper's TLS port (secureClientPort)
  --tls-ca FILE             CA certificates: PEM, PKCS12 or JKS (password: env HIVEZK_TLS_TRUSTSTORE_PASSWORD)
  --tls-cert FILE --tls-key FILE   client certificate and key (PEM)
  --tls-keystore FILE       client keystore: PKCS12 or JKS (password: env HIVEZK_TLS_KEYSTORE_PASSWORD)
  --sasl digest             SASL DIGEST-MD5; credential "user:password" from env HIVEZK_SASL
  --sasl kerberos [--kerberos-service NAME]   SASL Kerberos with the kinit ticket cache (service: zookeeper)
  --no-canonicalize-hostname   Kerberos: server host names as written, not their canonical names (Java's
                            zookeeper.sasl.client.canonicalize.hostname=false; an IP address is still
                            named by its reverse name, as Java's client does)
  resolve also honours the URL's zooKeeperSSLEnable and zooKeeperTruststore*/zooKeeperKeystore* parameters.
`;

export const SECURITY_ENV = {
  truststorePassword: 'HIVEZK_TLS_TRUSTSTORE_PASSWORD',
  keystorePassword: 'HIVEZK_TLS_KEYSTORE_PASSWORD',
  sasl: 'HIVEZK_SASL',
} as const;

/**
 * Session security from the flags (`flag(name)` is the value, true for a bare flag), the
 * environment, and the JDBC URL's session variables when there is one; flags win over the URL.
 * Undefined when nothing asks for TLS or SASL.
 */
export function securityFromFlags(
  flag: (name: string) => string | true | undefined,
  env: NodeJS.ProcessEnv,
  urlSessionVars?: Readonly<Record<string, string>>,
): SessionSecurity | undefined {
  const text = (name: string): string | undefined => {
    const value = flag(name);
    if (value === true) {
      throw new HiveZkError('BAD_ARGUMENT', `--${name} needs a value.`);
    }
    return value;
  };
  const security: SessionSecurity = {};
  const fromUrl = urlSessionVars ? tlsFromJdbcSessionVars(urlSessionVars) : undefined;
  const ca = text('tls-ca');
  const cert = text('tls-cert');
  const key = text('tls-key');
  const keystore = text('tls-keystore');
  if (flag('tls') !== undefined || ca || cert || key || keystore || fromUrl) {
    const tls: TlsConfig = { ...fromUrl };
    if (ca) {
      tls.caFile = ca;
      delete tls.caPassword;
      delete tls.caType;
    }
    if (cert || key || keystore) {
      delete tls.keystoreFile;
      delete tls.keystorePassword;
      delete tls.keystoreType;
      Object.assign(tls, cert ? { certFile: cert } : {}, key ? { keyFile: key } : {}, keystore ? { keystoreFile: keystore } : {});
    }
    const truststorePassword = env[SECURITY_ENV.truststorePassword];
    if (tls.caFile && tls.caPassword === undefined && truststorePassword) {
      tls.caPassword = truststorePassword;
    }
    const keystorePassword = env[SECURITY_ENV.keystorePassword];
    if (tls.keystoreFile && tls.keystorePassword === undefined && keystorePassword) {
      tls.keystorePassword = keystorePassword;
    }
    security.tls = tls;
  }
  const sasl = text('sasl');
  const service = text('kerberos-service');
  const asWritten = flag('no-canonicalize-hostname') !== undefined;
  if ((service !== undefined || asWritten) && sasl !== 'kerberos') {
    throw new HiveZkError('BAD_ARGUMENT', `--${service !== undefined ? 'kerberos-service' : 'no-canonicalize-hostname'} goes with --sasl kerberos.`);
  }
  if (sasl === 'digest') {
    const credential = env[SECURITY_ENV.sasl];
    if (!credential) {
      throw new HiveZkError('BAD_ARGUMENT', `--sasl digest reads the credential "user:password" from the environment variable ${SECURITY_ENV.sasl}, which is not set.`);
    }
    security.sasl = { mechanism: 'digest', credential: parseDigestCredential(credential, SECURITY_ENV.sasl) };
  } else if (sasl === 'kerberos') {
    security.sasl = { mechanism: 'kerberos', ...(service ? { service } : {}), ...(asWritten ? { canonicalizeHostname: false } : {}) };
  } else if (sasl !== undefined) {
    throw new HiveZkError('BAD_ARGUMENT', '--sasl must be "digest" or "kerberos".');
  }
  return security.tls || security.sasl ? security : undefined;
}
