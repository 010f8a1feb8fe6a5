// A realistic Hive cluster in a local ZooKeeper: HS2 instances of several Hive versions, an
// active/passive HA pair, metastore discovery and a lock tree with shared, exclusive and waiting
// locks. `npm run sandbox` runs it standalone; tests and the demo call seedSandbox(). The running
// sandbox also registers a namespace of loopback endpoints, some answering and some dead, for the doctor;
// live, it keeps an instance coming and going and a query blocked behind a long SHARED lock, retrying as Hive does.

import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { parseConnectString } from '../../src/core/zk/connectString';
import { LOOPBACK_ENV } from '../../src/core/doctor/probe';
import { discoveryUrl } from '../../src/core/jdbc/hs2Urls';
import { ZkSession } from '../../src/core/zk/session';
import { addLeaderLatch, hiveLockAttempt, registerHaInstance, registerHs2, registerMetastore, takeLock } from './hiveSeed';
import { startZooKeeper, type ZkCluster } from './zkServer';

export const SANDBOX = {
  hs2Namespace: 'hiveserver2',
  analyticsNamespace: 'hiveserver2-analytics',
  haNamespace: 'hs2ActivePassiveHA',
  metastoreNamespace: 'hive_metastore',
  lockNamespace: 'hive_zookeeper_namespace',
  /** Registrations at loopback endpoints: some answer, some are dead (the registry doctor's demo). */
  localNamespace: 'hiveserver2-local',
  /** The live sandbox's INSERT OVERWRITE that retries behind the long SELECT's SHARED lock on sales.orders. */
  blockedQueryId: 'hive_20261125093500_b10c4d',
  blockedRetryMs: 3000,
};

// The sandbox's own probes (and the extension or CLI started beside it) stay on loopback.
process.env[LOOPBACK_ENV] = '1';

/** Ports on 127.0.0.1 for the local namespace: a binary listener, an HTTP one answering 401, and ports nothing listens on. */
export interface LocalEndpoints {
  binary: number;
  http: number;
  dead: number[];
}

/** Listeners the local namespace points at: a TCP port that accepts, an HTTP port answering 401 (as HiveServer2 does without credentials), and two closed ports. */
export async function startLocalEndpoints(): Promise<LocalEndpoints & { close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const track = (server: Server): Server =>
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => sockets.delete(socket));
    });
  const listen = (server: Server): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const binaryServer = track(createServer((socket) => socket.setTimeout(10_000, () => socket.destroy())));
  const httpServer = track(createHttpServer((_req, res) => res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="hive"' }).end()));
  const closed = [createServer(), createServer()];
  const [binary, http, ...dead] = await Promise.all([listen(binaryServer), listen(httpServer), ...closed.map(listen)]);
  await Promise.all(closed.map((s) => new Promise((r) => s.close(r))));
  return {
    binary: binary ?? 0,
    http: http ?? 0,
    dead,
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await Promise.all([binaryServer, httpServer].map((s) => new Promise((r) => s.close(r))));
    },
  };
}

/** The local namespace: two registrations that answer and two at ports nothing listens on. */
export async function seedLocalEndpoints(session: ZkSession, ports: LocalEndpoints): Promise<void> {
  const ns = SANDBOX.localNamespace;
  await registerHs2(session, ns, { host: '127.0.0.1', port: ports.binary, version: '4.0.1', variant: 'v3-binary' });
  await registerHs2(session, ns, { host: 'localhost', port: ports.http, version: '4.0.1', variant: 'v3-http', httpPath: 'cliservice' });
  await registerHs2(session, ns, { host: '127.0.0.1', port: ports.dead[0] ?? 1, version: '3.1.3', variant: 'v3-binary' });
  await registerHs2(session, ns, { host: 'localhost', port: ports.dead[1] ?? 1, version: '3.1.3', variant: 'v3-binary', ssl: true });
}

export async function seedSandbox(session: ZkSession): Promise<void> {
  const ns = SANDBOX.hs2Namespace;
  await registerHs2(session, ns, { host: 'hs2-a.example.com', port: 10000, version: '1.2.2', variant: 'legacy-1.x' });
  await registerHs2(session, ns, { host: 'hs2-b.example.com', port: 10000, version: '2.3.9', variant: 'v2-binary' });
  await registerHs2(session, ns, { host: 'hs2-c.example.com', port: 10000, version: '3.1.3', variant: 'v3-kerberos', principal: 'hive/_HOST@EXAMPLE.COM', ssl: true });
  await registerHs2(session, ns, { host: 'hs2-d.example.com', port: 10001, version: '3.1.3', variant: 'v3-http', httpPath: 'cliservice', ssl: true });
  await registerHs2(session, ns, { host: 'hs2-e.example.com', port: 10000, httpPort: 10001, version: '4.0.1', variant: 'v4-all' });
  await addLeaderLatch(session, ns);
  await registerHs2(session, SANDBOX.analyticsNamespace, { host: 'hs2-analytics-1.example.com', port: 10000, version: '3.1.3', variant: 'v3-binary' });
  await registerHaInstance(session, SANDBOX.haNamespace, { host: 'hs2-ha-1.example.com', port: 10000, variant: 'v3-binary', active: true });
  await registerHaInstance(session, SANDBOX.haNamespace, { host: 'hs2-ha-2.example.com', port: 10000, variant: 'v3-binary', active: false });
  await registerMetastore(session, SANDBOX.metastoreNamespace, 'metastore-1.example.com', 9083);
  await registerMetastore(session, SANDBOX.metastoreNamespace, 'metastore-2.example.com', 9083);

  const root = SANDBOX.lockNamespace;
  const minute = 60_000;
  const now = Date.now();
  const q = (id: string): string => `hive_20261125093000_${id}`;
  // A query reading two partitions holds SHARED locks on db, table and each partition prefix.
  for (const partition of [['ds=2026-11-24'], ['ds=2026-11-24', 'hr=09'], ['ds=2026-11-25']]) {
    await takeLock(session, root, {
      db: 'sales',
      table: 'orders',
      partition,
      mode: 'SHARED',
      queryId: q('a1b2c3'),
      query: "SELECT count(*) FROM sales.orders WHERE ds >= '2026-11-24'",
      lockTime: now - 12 * minute,
      client: '10.20.0.15',
    });
  }
  await takeLock(session, root, { db: 'sales', table: 'orders', mode: 'SHARED', queryId: q('a1b2c3'), query: "SELECT count(*) FROM sales.orders WHERE ds >= '2026-11-24'", lockTime: now - 12 * minute, client: '10.20.0.15' });
  // An INSERT OVERWRITE wants the partition EXCLUSIVE: it waits behind the older SHARED lock.
  await takeLock(session, root, {
    db: 'sales',
    table: 'orders',
    partition: ['ds=2026-11-24'],
    mode: 'EXCLUSIVE',
    queryId: q('d4e5f6'),
    query: "INSERT OVERWRITE TABLE sales.orders PARTITION (ds='2026-11-24') SELECT * FROM staging.orders_raw",
    lockTime: now - 2 * minute,
    client: '10.20.0.31',
  });
  // An explicit LOCK TABLE … EXCLUSIVE (persistent) on another table.
  await takeLock(session, root, { db: 'finance', table: 'ledger', mode: 'EXCLUSIVE', queryId: q('0f9e8d'), query: 'LOCK TABLE finance.ledger EXCLUSIVE', lockTime: now - 95 * minute, client: '10.20.0.44', explicit: true });
  // Hive 2.0+ encodes non-word characters in table names: "web-logs" is "web-45-logs".
  await takeLock(session, root, { db: 'web', table: 'web-45-logs', partition: ['country=US%2FCA'], mode: 'SHARED', queryId: q('77aa11'), query: 'SELECT * FROM web.`web-logs`', lockTime: now - 30_000, client: '10.20.0.9' });
}

export interface RunningSandbox {
  connectString: string;
  discoveryUrl: string;
  cluster: ZkCluster;
  /** Stops the live loop, the seeding session and the ZooKeeper server (by its PID). */
  stop(): Promise<void>;
}

/** Removes a znode and everything below it. */
export async function removeTree(session: ZkSession, path: string): Promise<void> {
  const { children } = await session.getChildren(path);
  await Promise.all(children.map((child) => removeTree(session, `${path}/${child}`)));
  await session.remove(path);
}

/**
 * Starts a ZooKeeper on a free loopback port, seeds it, and optionally keeps one instance coming and
 * going. Should the seeding session ever expire (its ephemeral registrations and locks vanish with
 * it), the sandbox is wiped and seeded again on a new session.
 */
export async function startSandbox(options: { live?: boolean; onError?: (message: string) => void; tickTime?: number; sessionTimeoutMs?: number } = {}): Promise<RunningSandbox> {
  const cluster = await startZooKeeper(options.tickTime !== undefined ? { tickTime: options.tickTime } : {});
  const session = new ZkSession({ connectString: cluster.connectString, ...(options.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: options.sessionTimeoutMs } : {}) });
  const local = await startLocalEndpoints();
  const seedAll = async (): Promise<void> => {
    await seedSandbox(session);
    await seedLocalEndpoints(session, local);
  };
  try {
    await seedAll();
  } catch (error) {
    session.close();
    await local.close();
    await cluster.stop();
    throw error;
  }
  let livePath: string | undefined;
  let reseeding: Promise<void> | undefined;
  const reseed = async (): Promise<void> => {
    livePath = undefined;
    const { children } = await session.getChildren('/');
    await Promise.all(children.filter((c) => c !== 'zookeeper').map((c) => removeTree(session, `/${c}`)));
    await seedAll();
  };
  let stopped = false;
  /** Tries again every 2 s while ZooKeeper is unreachable. */
  const reseedUntilDone = async (): Promise<void> => {
    while (!stopped) {
      try {
        await reseed();
        options.onError?.('sandbox seeded again');
        return;
      } catch (error) {
        options.onError?.(`re-seeding failed (${String(error)}); trying again`);
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  };
  session.onDidChangeState((change) => {
    if (change.state === 'expired' && !reseeding) {
      options.onError?.('the seeding session expired and took its registrations with it: seeding again');
      reseeding = reseedUntilDone().finally(() => (reseeding = undefined));
    }
  });
  const timer = options.live
    ? setInterval(() => {
        if (reseeding) {
          return;
        }
        const step = livePath
          ? session.remove(livePath).then(() => (livePath = undefined))
          : registerHs2(session, SANDBOX.hs2Namespace, { host: 'hs2-live.example.com', port: 10000, version: '4.0.1', variant: 'v3-binary' }).then((p) => (livePath = p));
        step.catch((error: unknown) => options.onError?.(`live mode: ${String(error)}`));
      }, 5000)
    : undefined;
  // As Hive's lock manager: create the EXCLUSIVE lock, see the older SHARED one, delete, sleep, retry.
  const blockedTimer = options.live
    ? setInterval(() => {
        if (reseeding) {
          return;
        }
        hiveLockAttempt(session, SANDBOX.lockNamespace, {
          db: 'sales',
          table: 'orders',
          mode: 'EXCLUSIVE',
          queryId: SANDBOX.blockedQueryId,
          query: 'INSERT OVERWRITE TABLE sales.orders SELECT * FROM staging.orders_full',
          client: '10.20.0.52',
        })
          .then((granted) => (granted ? session.remove(granted) : undefined))
          .catch((error: unknown) => options.onError?.(`blocked query: ${String(error)}`));
      }, SANDBOX.blockedRetryMs)
    : undefined;
  return {
    connectString: cluster.connectString,
    discoveryUrl: discoveryUrl(parseConnectString(cluster.connectString), SANDBOX.hs2Namespace),
    cluster,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(blockedTimer);
      session.close();
      await local.close();
      await cluster.stop();
    },
  };
}

async function main(): Promise<void> {
  const live = process.argv.includes('--live');
  const sandbox = await startSandbox({ live, onError: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(`Sandbox ZooKeeper with a seeded Hive cluster on ${sandbox.connectString}\n`);
  process.stdout.write(`  discovery URL: ${sandbox.discoveryUrl}\n`);
  process.stdout.write(
    live
      ? `  live mode: an instance registers and deregisters every 5 s; query ${SANDBOX.blockedQueryId} retries its EXCLUSIVE lock on sales.orders every ${SANDBOX.blockedRetryMs / 1000} s, blocked\n`
      : '  (add --live to register/deregister an instance every 5 s and keep a query blocked)\n',
  );
  process.stdout.write('Press Ctrl-C to stop.\n');
  const stop = (): void => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
