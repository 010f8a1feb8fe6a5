// The bench's ZooKeeper data: Hive-shaped HiveServer2 registrations and lock trees, written as
// Hive writes them, shared by the in-process rows and the whole-process (CLI) rows.
import { hs2Data, mkdirp } from '../test/support/hiveSeed';
import type { ZkSession } from '../src/core/zk/session';

export async function seedInstances(session: ZkSession, namespace: string, count: number): Promise<void> {
  await mkdirp(session, `/${namespace}`);
  for (let start = 0; start < count; start += 2000) {
    await Promise.all(
      Array.from({ length: Math.min(2000, count - start) }, (_, k) => {
        const i = start + k;
        const host = `hs2-${i}.bench.example.com`;
        const data = hs2Data({ host, port: 10000, variant: i % 3 === 0 ? 'v3-kerberos' : i % 3 === 1 ? 'v3-http' : 'v3-binary' });
        return session.create(`/${namespace}/serverUri=${host}:10000;version=3.1.3;sequence=`, Buffer.from(data), 'persistentSequential');
      }),
    );
  }
}

/**
 * dbs × tables × partitions objects, `locksPer` lock znodes on each partition. Lock data as queries
 * write it: each partition's query text shared by its locks, 10 query ids and clients; `distinct`: no
 * two locks share a query id, query text or client (the decoder's text cache then never hits).
 */
export async function seedLocks(session: ZkSession, root: string, dbs: number, tables: number, partitions: number, locksPer: number, distinct = false): Promise<number> {
  await mkdirp(session, `/${root}`);
  const objects: string[] = [];
  for (let d = 0; d < dbs; d += 1) {
    await session.create(`/${root}/db${d}`, Buffer.alloc(0));
    for (let t = 0; t < tables; t += 1) {
      objects.push(`/${root}/db${d}/table_${t}`);
    }
  }
  await Promise.all(objects.map((o) => session.create(o, Buffer.alloc(0))));
  const partitionPaths = objects.flatMap((o) => Array.from({ length: partitions }, (_, p) => `${o}/ds=2026-11-${String(p).padStart(3, '0')}`));
  for (let i = 0; i < partitionPaths.length; i += 2000) {
    await Promise.all(partitionPaths.slice(i, i + 2000).map((p) => session.create(p, Buffer.alloc(0))));
  }
  const lockCreates = partitionPaths.flatMap((p) => Array.from({ length: locksPer }, (_, l) => [p, l] as const));
  for (let i = 0; i < lockCreates.length; i += 4000) {
    await Promise.all(
      lockCreates.slice(i, i + 4000).map(([p, l], k) => {
        const n = i + k;
        const data = distinct
          ? `hive_20261125_${root}_q${n}:${Date.now()}:IMPLICIT:select * from t where ds = '${p.slice(-3)}' and id = ${n}:10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
          : `hive_20261125_q${l}:${Date.now()}:IMPLICIT:select * from t where ds = '${p.slice(-3)}':10.0.0.${l}`;
        return session.create(`${p}/LOCK-${l === 0 ? 'EXCLUSIVE' : 'SHARED'}-`, Buffer.from(data), 'persistentSequential');
      }),
    );
  }
  return lockCreates.length;
}
