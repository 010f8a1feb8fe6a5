// A session's security as a ZkTransport for the socket hook: TLS sockets (tls.connect) and a SASL
// exchange (DIGEST-MD5 or Kerberos) redone on every new connection, with TLS failures in words.

import { connect as tlsConnect } from 'node:tls';
import { HiveZkError } from '../../errors';
import { createGssapiClient } from './kerberos';
import { runSaslExchange, type SaslMechanism } from './sasl';
import { createDigestMd5Client, type DigestCredential } from './saslDigest';
import { describeTlsFailure, isCertificateFailure, loadTlsMaterial, parseStoreType, tlsConnectOptions, type TlsConfig } from './tls';
import type { ZkTransport } from '../socketHook';

export type SaslConfig =
  | { mechanism: 'digest'; credential: DigestCredential }
  /**
   * Uses the ticket cache of `kinit` (KRB5CCNAME); `service` defaults to "zookeeper";
   * `canonicalizeHostname` (default true) as Java's zookeeper.sasl.client.canonicalize.hostname.
   */
  | { mechanism: 'kerberos'; service?: string; canonicalizeHostname?: boolean };

export interface SessionSecurity {
  tls?: TlsConfig;
  sasl?: SaslConfig;
}

/** Socket errors that say nothing about TLS: the session's own "unreachable" report fits them better. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/** Builds the transport; TLS files are read here, so a bad file fails before any connection. */
export function secureTransport(security: SessionSecurity): ZkTransport {
  const transport: ZkTransport = {};
  if (security.tls) {
    const material = loadTlsMaterial(security.tls);
    transport.createSocket = (server) => tlsConnect(tlsConnectOptions(material, server.host, server.port));
    transport.describeError = (error, server) => {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (NETWORK_CODES.has(code)) {
        return undefined;
      }
      const address = `${server.host}:${server.port}`;
      return new HiveZkError('ZK_TLS_FAILED', `TLS to ${address} failed: ${describeTlsFailure(error, address)}.`, { server: address, tlsCode: code || undefined });
    };
    transport.isFatal = isCertificateFailure;
  }
  const sasl = security.sasl;
  if (sasl) {
    /** The principal of the last GSSAPI context set up (the same ticket cache serves every connection). */
    let principal: string | undefined;
    transport.handshake = async (channel) => {
      // A fresh mechanism per connection: nonces and GSS contexts are single use.
      const mechanism: SaslMechanism =
        sasl.mechanism === 'digest'
          ? createDigestMd5Client(sasl.credential)
          : createGssapiClient(channel.server.host, {
              ...(sasl.service ? { service: sasl.service } : {}),
              canonicalize: sasl.canonicalizeHostname ?? true,
              ...(channel.socket.remoteAddress ? { address: channel.socket.remoteAddress } : {}),
            });
      await runSaslExchange(mechanism, (frame) => channel.exchange(frame));
      principal = mechanism.user ?? principal;
    };
    transport.clientAuth = () => {
      const user = sasl.mechanism === 'digest' ? sasl.credential.username : principal;
      const mechanism = sasl.mechanism === 'digest' ? 'DIGEST-MD5' : 'GSSAPI';
      return user !== undefined ? { mechanism, saslUser: user } : { mechanism };
    };
  }
  return transport;
}

/** Hive JDBC URL session variables that configure TLS to ZooKeeper (Hive 4's ZooKeeperHiveClientHelper). */
export const ZK_TLS_URL_KEYS = {
  enable: 'zooKeeperSSLEnable',
  truststoreLocation: 'zooKeeperTruststoreLocation',
  truststorePassword: 'zooKeeperTruststorePassword',
  truststoreType: 'zooKeeperTruststoreType',
  keystoreLocation: 'zooKeeperKeystoreLocation',
  keystorePassword: 'zooKeeperKeystorePassword',
  keystoreType: 'zooKeeperKeystoreType',
} as const;

/**
 * TLS settings carried by a JDBC URL (`zooKeeperSSLEnable=true` + store parameters), as the driver
 * reads them (exact key names); undefined when the URL does not turn TLS on.
 */
export function tlsFromJdbcSessionVars(vars: Readonly<Record<string, string>>): TlsConfig | undefined {
  if (vars[ZK_TLS_URL_KEYS.enable]?.trim().toLowerCase() !== 'true') {
    return undefined;
  }
  const value = (key: string): string | undefined => (vars[key] !== undefined && vars[key] !== '' ? vars[key] : undefined);
  const config: TlsConfig = {};
  const truststore = value(ZK_TLS_URL_KEYS.truststoreLocation);
  if (truststore) {
    config.caFile = truststore;
    const password = value(ZK_TLS_URL_KEYS.truststorePassword);
    const type = parseStoreType(value(ZK_TLS_URL_KEYS.truststoreType));
    if (password !== undefined) {
      config.caPassword = password;
    }
    if (type) {
      config.caType = type;
    }
  }
  const keystore = value(ZK_TLS_URL_KEYS.keystoreLocation);
  if (keystore) {
    config.keystoreFile = keystore;
    const password = value(ZK_TLS_URL_KEYS.keystorePassword);
    const type = parseStoreType(value(ZK_TLS_URL_KEYS.keystoreType));
    if (password !== undefined) {
      config.keystorePassword = password;
    }
    if (type) {
      config.keystoreType = type;
    }
  }
  return config;
}

/** A line for logs and status text that says how a session is secured, without any secret. */
export function describeSecurity(security: SessionSecurity | undefined): string {
  const parts = [security?.tls ? 'TLS' : 'plain', security?.sasl?.mechanism === 'digest' ? `SASL DIGEST-MD5 as ${security.sasl.credential.username}` : security?.sasl?.mechanism === 'kerberos' ? `Kerberos (service ${security.sasl.service ?? 'zookeeper'}${security.sasl.canonicalizeHostname === false ? ', host names as written' : ''})` : undefined];
  return parts.filter(Boolean).join(' + ');
}
