// A real MIT Kerberos KDC for tests (Debian's krb5-kdc, run directly): its own realm, config files
// and database in a temp dir, krb5kdc in the foreground on a free loopback port, principals,
// keytabs and `kinit` into private ticket caches. Killed by its PID; nothing outlives the process.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, freePort } from './zkServer';

const KRB5KDC = '/usr/sbin/krb5kdc';
const running = new Set<ChildProcess>();

const killKdcs = (): void => {
  for (const child of running) {
    child.kill('SIGKILL');
  }
};
process.once('exit', killKdcs);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killKdcs();
    if (process.listenerCount(signal) === 0) {
      process.kill(process.pid, signal);
    }
  });
}

export interface Kdc {
  realm: string;
  dir: string;
  /** The client-side krb5.conf (also handed to Java with -Djava.security.krb5.conf). */
  krb5Conf: string;
  /** Adds a principal with a password (users) or a random key (services). */
  addPrincipal(name: string, password?: string): void;
  /** Writes the principal's keys to a new keytab and returns its path. */
  keytab(principal: string): string;
  /** Gets a ticket for `principal` into a new private cache; returns its KRB5CCNAME value. */
  kinit(principal: string, password: string): string;
  /** An environment for krb5 tools and libraries that use this realm and `ccache`. */
  env(ccache?: string): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** Says how to get MIT Kerberos when it is missing (CI installs it in .ci/run). */
export function ensureKdcInstalled(): void {
  for (const tool of [KRB5KDC, '/usr/sbin/kdb5_util', '/usr/sbin/kadmin.local', '/usr/bin/kinit']) {
    if (!existsSync(tool)) {
      throw new Error(`MIT Kerberos is not installed (${tool} is missing). Install it with:\n  sudo apt-get install -y --no-install-recommends krb5-kdc krb5-admin-server krb5-user`);
    }
  }
}

export async function startKdc(realm = 'HIVEZK.TEST'): Promise<Kdc> {
  ensureKdcInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-kdc-'));
  const port = await freePort();
  const krb5Conf = join(dir, 'krb5.conf');
  const kdcConf = join(dir, 'kdc.conf');
  // TCP first (udp_preference_limit=1) for both MIT and Java; no DNS games with loopback names.
  writeFileSync(
    krb5Conf,
    [
      '[libdefaults]',
      `  default_realm = ${realm}`,
      '  dns_lookup_kdc = false',
      '  dns_lookup_realm = false',
      '  dns_canonicalize_hostname = false',
      '  rdns = false',
      '  udp_preference_limit = 1',
      '  ticket_lifetime = 1h',
      '  forwardable = false',
      '[realms]',
      `  ${realm} = {`,
      `    kdc = 127.0.0.1:${port}`,
      '  }',
      '[domain_realm]',
      `  localhost = ${realm}`,
      `  127.0.0.1 = ${realm}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    kdcConf,
    [
      '[kdcdefaults]',
      `  kdc_listen = 127.0.0.1:${port}`,
      `  kdc_tcp_listen = 127.0.0.1:${port}`,
      '[realms]',
      `  ${realm} = {`,
      `    database_name = ${join(dir, 'principal')}`,
      `    key_stash_file = ${join(dir, 'stash')}`,
      `    acl_file = ${join(dir, 'kadm5.acl')}`,
      '    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal',
      '  }',
      '[logging]',
      `  kdc = FILE:${join(dir, 'kdc.log')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'kadm5.acl'), '');
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, KRB5_CONFIG: krb5Conf, KRB5_KDC_PROFILE: kdcConf };
  const tool = (command: string, args: string[], input?: string): string => {
    const result = spawnSync(command, args, { env: baseEnv, input, encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr}`);
    }
    return result.stdout;
  };
  const kadmin = (query: string): string => tool('/usr/sbin/kadmin.local', ['-r', realm, '-q', query]);

  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    const kdc = child;
    child = undefined;
    if (kdc && kdc.exitCode === null && kdc.signalCode === null) {
      const exited = new Promise<void>((resolve) => kdc.once('exit', () => resolve()));
      kdc.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    tool('/usr/sbin/kdb5_util', ['create', '-s', '-r', realm, '-P', 'kdc-master-test-only', '-W']);
    // -n: stay in the foreground so the test owns the PID.
    child = spawn(KRB5KDC, ['-n', '-r', realm], { env: baseEnv, stdio: 'ignore' });
    running.add(child);
    const started = child;
    started.once('exit', () => running.delete(started));
    await waitListening(port, started, 10_000);
  } catch (error) {
    await stop();
    throw error;
  }

  let caches = 0;
  return {
    realm,
    dir,
    krb5Conf,
    addPrincipal: (name, password) => {
      kadmin(password === undefined ? `addprinc -randkey ${name}` : `addprinc -pw ${password} ${name}`);
    },
    keytab: (principal) => {
      const file = join(dir, `${principal.replace(/[^A-Za-z0-9]+/g, '_')}.keytab`);
      kadmin(`ktadd -k ${file} -norandkey ${principal}`);
      return file;
    },
    kinit: (principal, password) => {
      caches += 1;
      const ccache = `FILE:${join(dir, `ccache-${caches}`)}`;
      tool('/usr/bin/kinit', ['-c', ccache, principal], `${password}\n`);
      return ccache;
    },
    env: (ccache) => (ccache ? { ...baseEnv, KRB5CCNAME: ccache } : { ...baseEnv }),
    stop,
  };
}

async function waitListening(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`krb5kdc exited (code ${child.exitCode}) before listening on ${port}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) {
      return;
    }
    await delay(50);
  }
  throw new Error(`krb5kdc did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}
