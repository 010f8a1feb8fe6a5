// Starts real ZooKeeper servers (Debian's `zookeeper` package, run directly with java) on
// 127.0.0.1 with free ports and their own temp data dirs: a standalone server or a 3-server
// ensemble. Each server is stopped by its own PID; nothing outlives the test process.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const JAVA_DIR = '/usr/share/java';
const ZK_JAR = join(JAVA_DIR, 'zookeeper.jar');
// Besides zookeeper.jar: servlet-api.jar (a dependency of Debian's jetty9, missing from the zookeeper
// jar's Class-Path; without it the AdminServer silently does not start), and Netty's codec, resolver
// and unix-common jars for the TLS port (without netty-codec every handshake dies).
const CLASSPATH = [ZK_JAR, 'slf4j-simple.jar', 'servlet-api.jar', 'netty-codec.jar', 'netty-resolver.jar', 'netty-transport-native-unix-common.jar']
  .map((jar) => (jar.startsWith('/') ? jar : join(JAVA_DIR, jar)))
  .join(':');
const running = new Set<ChildProcess>();

// Every test that starts ZooKeeper runs the registry doctor's probes loopback-only (src/core/doctor/probe.ts).
process.env.HIVEZK_PROBE_LOOPBACK_ONLY = '1';

// Servers never outlive the process that started them: not on exit, and not on Ctrl-C or a kill
// (Node skips 'exit' on a signal), after which the signal is raised again to end the process as usual.
const killServers = (): void => {
  for (const child of running) {
    child.kill('SIGKILL');
  }
};
process.once('exit', killServers);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killServers();
    if (process.listenerCount(signal) === 0) {
      process.kill(process.pid, signal);
    }
  });
}

/** Makes sure Debian's zookeeper package is there: installs it as root in CI, else says how. */
export function ensureZooKeeperInstalled(): void {
  if (existsSync(ZK_JAR)) {
    return;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && process.env.CI) {
    for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'zookeeper']]) {
      const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (result.status !== 0) {
        throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status}).`);
      }
    }
    if (existsSync(ZK_JAR)) {
      return;
    }
  }
  throw new Error(`ZooKeeper is not installed (${ZK_JAR} is missing). Install it with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends zookeeper`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends a four-letter word and returns the reply ('' if the server does not answer). */
export async function fourLetterWord(port: number, word: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (): void => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(timeoutMs, done);
    socket.once('error', done);
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('utf8')));
    socket.once('close', done);
    socket.connect(port, '127.0.0.1', () => socket.end(word));
  });
}

/** Client connections that hold a session (the `cons` connection itself has none). */
export async function countSessionConnections(port: number): Promise<number> {
  const reply = await fourLetterWord(port, 'cons');
  return reply.split('\n').filter((line) => line.includes('sid=0x')).length;
}

export interface ServerSpec {
  clientPort: number;
  peerPort?: number;
  electionPort?: number;
}

export class ZkServer {
  private child: ChildProcess | undefined;

  constructor(
    readonly id: number,
    readonly clientPort: number,
    /** The TLS port (secureClientPort), when the server has one. */
    readonly securePort: number | undefined,
    readonly dir: string,
    private readonly configPath: string,
    private readonly jvmOptions: string[] = [],
    /** The AdminServer's HTTP port on 127.0.0.1, when started with `adminServer`. */
    readonly adminPort?: number,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): void {
    if (this.child) {
      return;
    }
    const log = openSync(join(this.dir, 'server.log'), 'a');
    // -XX:-UsePerfData: no /tmp/hsperfdata_<user> left behind (the JVM ignores TMPDIR for it).
    const child = spawn('java', ['-Xmx256m', '-XX:+UseSerialGC', '-XX:-UsePerfData', '-Dzookeeper.admin.enableServer=false', ...this.jvmOptions, '-cp', CLASSPATH, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', this.configPath], {
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    running.add(child);
    child.once('exit', () => running.delete(child));
    this.child = child;
  }

  /** Resolves once the server answers `srvr` with a mode (serving requests). */
  async waitServing(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const reply = await fourLetterWord(this.clientPort, 'srvr', 1000);
      const mode = /Mode: (\w+)/.exec(reply)?.[1];
      if (mode) {
        return mode;
      }
      if (!this.child) {
        throw new Error(`ZooKeeper ${this.id} is not running`);
      }
      await delay(100);
    }
    throw new Error(`ZooKeeper ${this.id} on port ${this.clientPort} did not start within ${timeoutMs} ms; see ${join(this.dir, 'server.log')}`);
  }

  /** Stops the server by its PID (SIGTERM, then SIGKILL); `hard` kills at once, like a crash. */
  async stop(hard = false): Promise<void> {
    const child = this.child;
    if (!child) {
      return;
    }
    this.child = undefined;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
      } else {
        child.once('exit', () => resolve());
      }
    });
    child.kill(hard ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the process without closing its sockets' peers cleanly: freeze it (SIGSTOP). */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }
}

export class ZkCluster {
  constructor(
    readonly servers: ZkServer[],
    readonly root: string,
  ) {}

  get connectString(): string {
    return this.servers.map((s) => `127.0.0.1:${s.clientPort}`).join(',');
  }

  /** The TLS ports (secureClientPort) as a connect string. */
  get secureConnectString(): string {
    return this.servers.map((s) => `127.0.0.1:${s.securePort ?? 0}`).join(',');
  }

  /** The port of the single server (standalone) or the first one. */
  get port(): number {
    return this.servers[0]?.clientPort ?? 0;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Session-holding client connections across all servers. */
  async countSessionConnections(): Promise<number> {
    const counts = await Promise.all(this.servers.filter((s) => s.running).map((s) => countSessionConnections(s.clientPort)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** The server a given session id is connected to, found with `cons`. */
  async serverHoldingSession(sessionIdHex: string): Promise<ZkServer | undefined> {
    for (const server of this.servers.filter((s) => s.running)) {
      const reply = await fourLetterWord(server.clientPort, 'cons');
      if (reply.includes(`sid=0x${sessionIdHex.replace(/^0+/, '')}`)) {
        return server;
      }
    }
    return undefined;
  }
}

/** Stores for a `secureClientPort`: the server's key + chain and the CA it trusts for client certificates. */
export interface ServerTls {
  keyStore: string;
  trustStore: string;
  password: string;
  clientAuth?: 'need' | 'want' | 'none';
}

/** SASL the server enforces: DIGEST-MD5 users (name → password), or Kerberos with a service keytab. */
export type ServerSasl =
  | { mechanism: 'digest'; users: Record<string, string> }
  | { mechanism: 'kerberos'; principal: string; keytab: string; krb5Conf: string };

export interface StartOptions {
  size?: 1 | 3;
  tickTime?: number;
  maxSessionTimeoutMs?: number;
  requireSasl?: boolean;
  /** `4lw.commands.whitelist` (default "*"). ZooKeeper 3.5+ always adds `srvr`, which readiness uses. */
  fourLetterWords?: string;
  /** Starts each server's AdminServer (Jetty) on its own free port on 127.0.0.1, never 8080. */
  adminServer?: boolean;
  /** `maxClientCnxns`, connections per client address per server (default 0: unlimited). */
  maxClientCnxns?: number;
  /** Adds a `secureClientPort` (Netty) beside the plain port, which stays for the rig's `srvr` probes. */
  tls?: ServerTls;
  /** Requires SASL on every session (enforce.auth.enabled + enforce.auth.schemes=sasl). */
  sasl?: ServerSasl;
}

export async function startZooKeeper(options: StartOptions = {}): Promise<ZkCluster> {
  ensureZooKeeperInstalled();
  const size = options.size ?? 1;
  const tickTime = options.tickTime ?? 2000;
  const root = mkdtempSync(join(tmpdir(), 'hivezk-zk-'));
  const specs: (Required<ServerSpec> & { securePort: number | undefined })[] = [];
  for (let i = 0; i < size; i += 1) {
    specs.push({ clientPort: await freePort(), peerPort: await freePort(), electionPort: await freePort(), securePort: options.tls ? await freePort() : undefined });
  }
  const adminPorts: (number | undefined)[] = [];
  for (let i = 0; i < size; i += 1) {
    adminPorts.push(options.adminServer ? await freePort() : undefined);
  }
  const servers = specs.map((spec, index) => {
    const id = index + 1;
    const dir = join(root, `server${id}`);
    const dataDir = join(dir, 'data');
    rmSync(dataDir, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', dataDir]);
    const lines = [
      `tickTime=${tickTime}`,
      `dataDir=${dataDir}`,
      `clientPort=${spec.clientPort}`,
      'clientPortAddress=127.0.0.1',
      `4lw.commands.whitelist=${options.fourLetterWords ?? '*'}`,
      `maxClientCnxns=${options.maxClientCnxns ?? 0}`,
      `maxSessionTimeout=${options.maxSessionTimeoutMs ?? 60_000}`,
    ];
    if (size > 1) {
      lines.push('initLimit=10', 'syncLimit=5');
      specs.forEach((s, i) => lines.push(`server.${i + 1}=127.0.0.1:${s.peerPort}:${s.electionPort}`));
      writeFileSync(join(dataDir, 'myid'), `${id}\n`);
    }
    const jvmOptions: string[] = [];
    const adminPort = adminPorts[index];
    if (adminPort === undefined) {
      lines.push('admin.enableServer=false');
    } else {
      lines.push('admin.enableServer=true', 'admin.serverAddress=127.0.0.1', `admin.serverPort=${adminPort}`);
      jvmOptions.push('-Dzookeeper.admin.enableServer=true'); // the later -D wins over start()'s default
    }
    if (options.requireSasl) {
      // A server that only serves SASL-authenticated sessions (ZooKeeper 3.6+ enforcement).
      const jaas = join(dir, 'jaas.conf');
      writeFileSync(jaas, 'Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_super="adminsecret";\n};\n');
      lines.push('authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider', 'sessionRequireClientSASLAuth=true');
      jvmOptions.push(`-Djava.security.auth.login.config=${jaas}`, '-Dzookeeper.sessionRequireClientSASLAuth=true');
    }
    if (options.tls) {
      const tls = options.tls;
      lines.push(
        `secureClientPort=${spec.securePort}`,
        'secureClientPortAddress=127.0.0.1',
        'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
        `ssl.keyStore.location=${tls.keyStore}`,
        `ssl.keyStore.password=${tls.password}`,
        `ssl.trustStore.location=${tls.trustStore}`,
        `ssl.trustStore.password=${tls.password}`,
        `ssl.clientAuth=${tls.clientAuth ?? 'need'}`,
      );
    }
    if (options.sasl) {
      jvmOptions.push(...saslServerSetup(options.sasl, dir, lines));
    }
    const configPath = join(dir, 'zoo.cfg');
    writeFileSync(configPath, lines.join('\n') + '\n');
    return new ZkServer(id, spec.clientPort, spec.securePort, dir, configPath, jvmOptions, adminPort);
  });
  const cluster = new ZkCluster(servers, root);
  try {
    servers.forEach((s) => s.start());
    await Promise.all(servers.map((s) => s.waitServing()));
    await Promise.all(servers.flatMap((s) => (s.securePort ? [waitTlsAnswers(s.securePort)] : [])));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** Writes the JAAS `Server` section, adds the enforcement lines and returns the JVM options. */
function saslServerSetup(sasl: ServerSasl, dir: string, lines: string[]): string[] {
  const jaas = join(dir, 'jaas.conf');
  lines.push('authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider', 'enforce.auth.enabled=true', 'enforce.auth.schemes=sasl');
  if (sasl.mechanism === 'digest') {
    const users = Object.entries(sasl.users).map(([name, password]) => `  user_${name}="${password}"`);
    writeFileSync(jaas, `Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n${users.join('\n')};\n};\n`);
    return [`-Djava.security.auth.login.config=${jaas}`];
  }
  writeFileSync(
    jaas,
    [
      'Server {',
      '  com.sun.security.auth.module.Krb5LoginModule required',
      '  useKeyTab=true storeKey=true useTicketCache=false isInitiator=false',
      `  keyTab="${sasl.keytab}"`,
      `  principal="${sasl.principal}";`,
      '};',
      '',
    ].join('\n'),
  );
  return [`-Djava.security.auth.login.config=${jaas}`, `-Djava.security.krb5.conf=${sasl.krb5Conf}`, '-Dsun.security.krb5.disableReferrals=true'];
}

/**
 * Waits until the TLS port completes a handshake far enough to judge us (it rejects this
 * certificate-less probe): the JVM's first handshake is slow, and tests should not time that.
 */
async function waitTlsAnswers(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      const done = (result: boolean): void => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(5000, () => done(false));
      socket.once('secureConnect', () => done(true));
      // An alert from the server (it wants a client certificate) is an answer; a refusal is not.
      socket.once('error', (error: NodeJS.ErrnoException) => done(error.code !== 'ECONNREFUSED' && error.code !== 'ECONNRESET'));
    });
    if (answered) {
      return;
    }
    await delay(200);
  }
  throw new Error(`The TLS port ${port} did not answer a handshake within ${timeoutMs} ms`);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
