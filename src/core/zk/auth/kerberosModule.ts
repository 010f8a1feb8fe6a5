// Finds the native `kerberos` package once per process: its sources are tried in order (the
// extension's or CLI's own copy, then what the host adds, such as VS Code's bundled copy), the first
// that loads wins, and both the 7.x (promises) and 2.x (callbacks or promises) APIs are served alike.

import { HiveZkError } from '../../errors';

/** Tokens are base64; the package answers null where GSSAPI has no output token. */
export interface KerberosClient {
  step(challenge: string): Promise<string | null>;
  unwrap(challenge: string): Promise<string | null>;
  wrap(challenge: string, options?: { protect?: boolean }): Promise<string | null>;
  readonly contextComplete: boolean;
  readonly username?: string | undefined;
}
export interface KerberosModule {
  initializeClient(service: string, options?: { mechOID?: unknown; flags?: number }): Promise<KerberosClient>;
  GSS_MECH_OID_KRB5?: unknown;
}

/** One place the package may be loaded from; `load` throws when it is not there or does not load. */
export interface KerberosSource {
  /** For the log: "the extension's own", "VS Code's (…/node_modules/kerberos)". */
  label: string;
  load(): unknown;
}

export interface KerberosLoading {
  sources: readonly KerberosSource[];
  /** The error when no source loads, in the words of the host (extension or CLI); `tried` says what each source answered. */
  unavailable(tried: readonly string[]): HiveZkError;
  /** Told once which source is used (the extension writes it to its log). */
  onLoaded?(label: string): void;
}

/** The CLI's default: its own `node_modules/kerberos`, and npm advice when it is missing. */
export const CLI_KERBEROS_LOADING: KerberosLoading = {
  sources: [{ label: 'its own node_modules/kerberos', load: () => requireModule('kerberos') }],
  unavailable: (tried) =>
    new HiveZkError(
      'ZK_KERBEROS_UNAVAILABLE',
      'Kerberos needs the optional native package "kerberos", which is not installed or not built for this platform. ' +
        'Install it next to hive-zk (on Linux: install libkrb5-dev, then `npm install kerberos`), or use another authentication.',
      { reason: 'module', detail: tried.join('; ') },
    ),
};

let loading: KerberosLoading = CLI_KERBEROS_LOADING;
let loaded: KerberosModule | HiveZkError | undefined;

/** Sets where the package is looked for (the extension does this at activation); forgets an earlier load. */
export function configureKerberos(next: KerberosLoading): void {
  loading = next;
  loaded = undefined;
}

/** For tests: back to the CLI's sources, nothing loaded. */
export function resetKerberosForTests(): void {
  configureKerberos(CLI_KERBEROS_LOADING);
}

/** The package, loaded on first use; a failure is remembered and reported the same way on each connect. */
export function loadKerberos(): KerberosModule {
  if (loaded === undefined) {
    loaded = loadFirst(loading);
  }
  if (loaded instanceof HiveZkError) {
    throw loaded;
  }
  return loaded;
}

function loadFirst(from: KerberosLoading): KerberosModule | HiveZkError {
  const tried: string[] = [];
  for (const source of from.sources) {
    try {
      const module = adaptKerberosModule(source.load());
      from.onLoaded?.(source.label);
      return module;
    } catch (error) {
      const reason = describe(error);
      tried.push(`${source.label}: ${reason.split('\n')[0] ?? ''}`);
    }
  }
  return from.unavailable(tried);
}

type Callback = (error: unknown, value?: unknown) => void;
type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Calls a package function that either returns a promise (7.x; 2.x without a callback) or answers
 * through a trailing callback (2.x): the callback is always passed, the first answer wins.
 */
function callEither(target: object, fn: AnyFunction, args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback: Callback = (error, value) => (error ? reject(toError(error)) : resolve(value));
    try {
      const result = fn.apply(target, [...args, callback]);
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(resolve, (error: unknown) => reject(toError(error)));
      }
    } catch (error) {
      reject(toError(error));
    }
  });
}

/** What was thrown, in words, even when it is an object whose conversion to text throws. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  try {
    return String(error);
  } catch {
    return 'an unprintable value was thrown';
  }
}

const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(describe(error)));

const tokenOf = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function method(target: object, name: string): AnyFunction {
  const fn = (target as Record<string, unknown>)[name];
  if (typeof fn !== 'function') {
    throw new Error(`the Kerberos client has no ${name}()`);
  }
  return fn as AnyFunction;
}

/** Wraps what a source loaded as a KerberosModule; throws when it is not one (no initializeClient). */
export function adaptKerberosModule(candidate: unknown): KerberosModule {
  const initializeClient = candidate !== null && typeof candidate === 'object' ? (candidate as Record<string, unknown>).initializeClient : undefined;
  if (typeof initializeClient !== 'function') {
    throw new Error('it has no initializeClient');
  }
  const module = candidate as object;
  const mechOid = (candidate as Record<string, unknown>).GSS_MECH_OID_KRB5;
  return {
    ...(mechOid !== undefined ? { GSS_MECH_OID_KRB5: mechOid } : {}),
    initializeClient: async (service, options) => {
      const client = await callEither(module, initializeClient as AnyFunction, [service, options ?? {}]);
      if (client === null || typeof client !== 'object') {
        throw new Error('initializeClient gave no client');
      }
      const step = method(client, 'step');
      const unwrap = method(client, 'unwrap');
      const wrap = method(client, 'wrap');
      return {
        step: async (challenge) => tokenOf(await callEither(client, step, [challenge])),
        unwrap: async (challenge) => tokenOf(await callEither(client, unwrap, [challenge])),
        // 2.x requires the options object.
        wrap: async (challenge, wrapOptions) => tokenOf(await callEither(client, wrap, [challenge, wrapOptions ?? {}])),
        get contextComplete() {
          return (client as { contextComplete?: unknown }).contextComplete === true;
        },
        get username() {
          const name = (client as { username?: unknown }).username;
          return typeof name === 'string' ? name : undefined;
        },
      };
    },
  };
}

/** The vsce target name of this machine (linux-x64, darwin-arm64, win32-x64, …). */
export function platformTarget(platform: string = process.platform, arch: string = process.arch): string {
  return `${platform}-${arch === 'arm' ? 'armhf' : arch}`;
}

/** `require` of a computed name, so bundlers leave the native package (or a path) for run time. */
export function requireModule(name: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name);
}
