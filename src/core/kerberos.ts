// SASL GSSAPI client (RFC 4752) over the user's `kinit` ticket cache, through the optional native
// npm package `kerberos`, loaded only when a Kerberos connection is made. Missing package or
// missing ticket → ZK_KERBEROS_UNAVAILABLE saying which and what to do.

import { HiveZkError } from './errors';
import { toKerberosError } from './kerberosErrors';
import type { SaslMechanism } from './sasl';

export const DEFAULT_KERBEROS_SERVICE = 'zookeeper';

/** The parts of the `kerberos` package used here (it ships its own types, but is optional). */
/** Tokens are base64; the package answers null where GSSAPI has no output token. */
interface KerberosClient {
  step(challenge: string): Promise<string | null>;
  unwrap(challenge: string): Promise<string | null>;
  wrap(challenge: string, options?: { protect?: boolean }): Promise<string | null>;
  contextComplete: boolean;
  username?: string;
}
export interface KerberosModule {
  initializeClient(service: string, options?: { mechOID?: unknown; flags?: number }): Promise<KerberosClient>;
  GSS_MECH_OID_KRB5?: unknown;
}

let loaded: KerberosModule | Error | undefined;

/** Loads the native package once; remembers a failure so it is reported, not retried, each connect. */
export function loadKerberos(load: () => unknown = defaultLoad): KerberosModule {
  if (loaded === undefined) {
    try {
      const candidate = load() as Partial<KerberosModule> | undefined;
      loaded = candidate && typeof candidate.initializeClient === 'function' ? (candidate as KerberosModule) : new Error('it has no initializeClient');
    } catch (error) {
      loaded = error instanceof Error ? error : new Error(String(error));
    }
  }
  if (loaded instanceof Error) {
    throw new HiveZkError(
      'ZK_KERBEROS_UNAVAILABLE',
      'Kerberos needs the optional native package "kerberos", which is not installed or not built for this platform. ' +
        'Install it next to hive-zk (on Linux: install libkrb5-dev, then `npm install kerberos`), or use another authentication.',
      { reason: 'module', detail: loaded.message.split('\n')[0] },
    );
  }
  return loaded;
}

/** For tests: forget what was loaded. */
export function resetKerberosForTests(): void {
  loaded = undefined;
}

function defaultLoad(): unknown {
  // A computed name keeps bundlers from trying to inline the native module.
  const name = 'kerberos';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name);
}

const fromBase64 = (token: string | null): Buffer => Buffer.from(token ?? '', 'base64');

/**
 * A GSSAPI client for one connection to `host`. The service principal is `<service>/<host>`;
 * after the context is set up the client picks "no security layer" and names itself (authzid).
 */
export function createGssapiClient(host: string, options: { service?: string; load?: () => KerberosModule } = {}): SaslMechanism {
  const service = options.service ?? DEFAULT_KERBEROS_SERVICE;
  const target = `${service}/${host}`;
  let client: KerberosClient | undefined;
  let done = false;

  const start = async (): Promise<Buffer> => {
    const kerberos = options.load ? options.load() : loadKerberos();
    try {
      client = await kerberos.initializeClient(`${service}@${host}`, kerberos.GSS_MECH_OID_KRB5 !== undefined ? { mechOID: kerberos.GSS_MECH_OID_KRB5 } : {});
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
