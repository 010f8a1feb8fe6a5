// The endpoints a registry names, as the doctor reports them: one per registration (HiveServer2,
// HA, Kyuubi, metastore, LLAP), each probed at most 16 at a time; registrations naming the same
// endpoint share one probe.

import { Semaphore } from '../concurrency';
import { throwIfAborted, untilAborted } from '../lifecycle';
import { connectTarget, type Hs2Instance } from '../registry/hs2Instance';
import type { KyuubiEngine } from '../registry/kyuubiRegistry';
import type { LlapDaemon } from '../registry/llapRegistry';
import type { MetastoreInstance } from '../registry/metastoreRegistry';
import { probeEndpoint, type ProbeOptions, type ProbeResult, type ProbeTarget } from './probe';

export type EndpointKind = 'hs2' | 'hs2-ha' | 'kyuubi' | 'kyuubi-engine' | 'metastore' | 'llap';

export interface DoctorEndpoint {
  namespace: string;
  /** The registration's full path. */
  znode: string;
  kind: EndpointKind;
  host: string | null;
  port: number | null;
  transport: 'binary' | 'http';
  ssl: boolean;
  probe: ProbeResult;
}

/** An endpoint before probing: its target, or why there is nothing to probe. */
export interface PlannedEndpoint extends Omit<DoctorEndpoint, 'probe'> {
  target?: ProbeTarget;
  problem?: string;
}

export const MAX_PARALLEL_PROBES = 16;

/** How a HiveServer2-style registration is reached: the driver's host and port, transport, SSL and HTTP path. */
export function planInstance(namespace: string, kind: EndpointKind, instance: Hs2Instance, overrides: { transportMode?: string; ssl?: string; httpPath?: string } = {}): PlannedEndpoint {
  const transportMode = overrides.transportMode ?? instance.transportMode;
  // The driver speaks HTTP only for "http" (any case); "all", "binary" or anything else is binary.
  const transport = transportMode?.toLowerCase() === 'http' ? 'http' : 'binary';
  const ssl = overrides.ssl !== undefined ? overrides.ssl.toLowerCase() === 'true' : instance.ssl === true;
  const httpPath = overrides.httpPath ?? instance.httpPath;
  const target = connectTarget(instance);
  const base = { namespace, znode: instance.path, kind, transport, ssl } as const;
  if ('problem' in target) {
    return { ...base, host: instance.host ?? null, port: instance.port ?? null, problem: `nothing to probe: ${target.problem}` };
  }
  return { ...base, host: target.host, port: target.port, target: { host: target.host, port: target.port, transport, ssl, ...(httpPath !== undefined ? { httpPath } : {}) } };
}

export function planKyuubiEngine(namespace: string, engine: KyuubiEngine): PlannedEndpoint {
  return planInstance(namespace, 'kyuubi-engine', engine.instance);
}

export function planMetastore(namespace: string, path: string, metastore: MetastoreInstance): PlannedEndpoint {
  return { namespace, znode: `${path}/${metastore.znode}`, kind: 'metastore', host: metastore.host, port: metastore.port, transport: 'binary', ssl: false, target: { host: metastore.host, port: metastore.port, transport: 'binary', ssl: false } };
}

export function planLlapDaemon(namespace: string, daemon: LlapDaemon): PlannedEndpoint {
  const base = { namespace, znode: daemon.path, kind: 'llap', host: daemon.host ?? null, port: daemon.rpcPort ?? null, transport: 'binary', ssl: false } as const;
  if (daemon.host === undefined || daemon.rpcPort === undefined) {
    return { ...base, problem: `nothing to probe: ${daemon.problems.join('; ') || 'no RPC endpoint registered'}` };
  }
  return { ...base, target: { host: daemon.host, port: daemon.rpcPort, transport: 'binary', ssl: false } };
}

function targetKey(target: ProbeTarget): string {
  return `${target.host}\u0000${target.port}\u0000${target.transport}\u0000${target.ssl}\u0000${target.transport === 'http' ? (target.httpPath ?? '') : ''}`;
}

/**
 * Probes every planned endpoint: at most MAX_PARALLEL_PROBES at once, one probe per distinct target
 * (10k registrations of one server cost one connection), results in plan order.
 */
export async function probeAll(planned: readonly PlannedEndpoint[], options: ProbeOptions, onProgress?: (done: number, total: number) => void): Promise<DoctorEndpoint[]> {
  const gate = new Semaphore(MAX_PARALLEL_PROBES);
  const shared = new Map<string, Promise<ProbeResult>>();
  let done = 0;
  const results = Promise.all(
    planned.map(async ({ target, problem, namespace, znode, kind, host, port, transport, ssl }): Promise<DoctorEndpoint> => {
      let probe: ProbeResult;
      if (!target) {
        probe = { status: 'skipped', ms: 0, detail: problem ?? 'nothing to probe' };
      } else {
        const key = targetKey(target);
        let pending = shared.get(key);
        if (!pending) {
          pending = gate.run(() => {
            throwIfAborted(options.signal, 'Checking the endpoints');
            return probeEndpoint(target, options);
          });
          shared.set(key, pending);
        }
        probe = await pending;
      }
      done += 1;
      onProgress?.(done, planned.length);
      // Fields in the order of the JSON contract.
      return { namespace, znode, kind, host, port, transport, ssl, probe };
    }),
  );
  return untilAborted(results, options.signal, 'Checking the endpoints');
}
