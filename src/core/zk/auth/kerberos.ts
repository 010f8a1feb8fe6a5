// SASL GSSAPI client (RFC 4752) over the user's `kinit` ticket cache, through the optional native
// npm package `kerberos` (found by kerberosModule.ts when a Kerberos connection is made). Missing
// package or missing ticket → ZK_KERBEROS_UNAVAILABLE saying which and what to do.

import { isIPv4 } from 'node:net';
import { HiveZkError } from '../../errors';
import { loadKerberos, type KerberosClient, type KerberosModule } from './kerberosModule';
import { principalHost, type HostResolver } from './kerberosPrincipal';
import { toKerberosError } from './kerberosErrors';
import type { SaslMechanism } from './sasl';

export const DEFAULT_KERBEROS_SERVICE = 'zookeeper';

const fromBase64 = (token: string | null): Buffer => Buffer.from(token ?? '', 'base64');

/** How the server principal `<service>/<host>` is formed; see kerberosPrincipal.ts for `canonicalize`. */
export interface GssapiOptions {
  service?: string;
  /** Java's zookeeper.sasl.client.canonicalize.hostname (default true). */
  canonicalize?: boolean;
  /** The address the connection reached, for canonicalization (else `host` is looked up). */
  address?: string;
  resolver?: HostResolver;
  load?: () => KerberosModule;
}

/**
 * A GSSAPI client for one connection to `host`. The service principal is `<service>/<host>`, the
 * host canonicalized as Java's client does; after the context is set up the client picks "no
 * security layer" and names itself (authzid).
 */
export function createGssapiClient(host: string, options: GssapiOptions = {}): SaslMechanism {
  const service = options.service ?? DEFAULT_KERBEROS_SERVICE;
  let target = `${service}/${host}`;
  let client: KerberosClient | undefined;
  let done = false;

  const start = async (): Promise<Buffer> => {
    const kerberos = options.load ? options.load() : loadKerberos();
    const address = options.address?.startsWith('::ffff:') && isIPv4(options.address.slice(7)) ? options.address.slice(7) : options.address;
    const principal = await principalHost(host, { canonicalize: options.canonicalize ?? true, ...(address ? { address } : {}), ...(options.resolver ? { resolver: options.resolver } : {}) });
    target = `${service}/${principal}`;
    try {
      client = await kerberos.initializeClient(`${service}@${principal}`, kerberos.GSS_MECH_OID_KRB5 !== undefined ? { mechOID: kerberos.GSS_MECH_OID_KRB5 } : {});
      return fromBase64(await client.step(''));
    } catch (error) {
      throw toKerberosError(error, target);
    }
  };

  const step = async (serverToken: Buffer): Promise<Buffer | undefined> => {
    if (!client) {
      throw new HiveZkError('ZK_SASL_FAILED', 'GSSAPI step before start.');
    }
    try {
      if (!client.contextComplete) {
        // The server's AP-REP (mutual authentication); GSSAPI answers with an empty token.
        return fromBase64(await client.step(serverToken.toString('base64')));
      }
      // RFC 4752 §3.1: the server offers security layers in a wrapped 4-byte message.
      const offer = fromBase64(await client.unwrap(serverToken.toString('base64')));
      if (offer.length !== 4 || ((offer[0] ?? 0) & 0x01) === 0) {
        throw new HiveZkError('ZK_SASL_FAILED', `The server ${target} does not offer the "no security layer" option this client needs.`);
      }
      const choice = Buffer.concat([Buffer.from([0x01, 0, 0, 0]), Buffer.from(client.username ?? '', 'utf8')]);
      const wrapped = fromBase64(await client.wrap(choice.toString('base64'), { protect: false }));
      done = true;
      return wrapped;
    } catch (error) {
      throw error instanceof HiveZkError ? error : toKerberosError(error, target);
    }
  };

  return {
    name: 'GSSAPI',
    get complete() {
      return done;
    },
    get user() {
      return client?.contextComplete ? client.username : undefined;
    },
    start,
    step,
  };
}
