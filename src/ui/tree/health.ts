// The Health section of an ensemble: servers, connections by client and lock owners, from one
// snapshot per ensemble (short separate TCP requests to each server, plus the tree's own lock walk).
import { isHiveZkError, toHiveZkError } from '../../core/errors';
import { untilAborted, type DisposableLike } from '../../core/lifecycle';
import type { Hs2Instance } from '../../core/registry/hs2Instance';
import type { DiscoveredNamespace } from '../../core/registry/namespaceDiscovery';
import { listHiveServer2 } from '../../core/registry/registry';
import type { HiveLock } from '../../core/locks/locks';
import type { LockWalkResult } from '../../core/locks/lockWalk';
import { describeIdentities, identitySource, type SessionIdentities } from '../../core/zk/identities';
import { groupLocksByOwner, type LockOwnership } from '../../core/health/owners';
import { collectEnsembleHealth, type EnsembleHealth } from '../../core/health/serverHealth';
import type { ZkSession } from '../../core/zk/session';
import { treeWork } from '../progress';
import type { EnsembleConfig } from '../settings';
import { message, type HealthGroupNode, type LockNode, type LockOwnerNode, type MessageNode, type SectionNode, type TreeNode, type ZkClientNode, type ZkServerNode } from './nodes';

export interface HealthSnapshot {
  health: EnsembleHealth;
  /** Undefined when the registry could not be read (the servers' own facts are still shown). */
  ownership?: LockOwnership;
  locksByOwner: Map<string, HiveLock[]>;
  registryError?: string;
  /** Who the tree's session is to ZooKeeper; undefined when it could not connect. */
  identities?: SessionIdentities;
}

/** What the Health section borrows from the tree: the session, the namespace scan and the lock walk it already caches. */
export interface HealthSources {
  config(ensemble: string): EnsembleConfig;
  session(ensemble: string): Promise<ZkSession>;
  namespaces(ensemble: string): Promise<DiscoveredNamespace[]>;
  lockWalk(ensemble: string): Promise<LockWalkResult>;
  /** A timer released with the tree. */
  timeout(ms: number, run: () => void): DisposableLike;
}

export class EnsembleHealthView {
  private readonly snapshots = new Map<string, Promise<HealthSnapshot>>();

  constructor(private readonly sources: HealthSources) {}

  forget(ensemble: string): void {
    this.snapshots.delete(ensemble);
  }

  forgetAll(): void {
    this.snapshots.clear();
  }

  async children(node: SectionNode | HealthGroupNode | LockOwnerNode): Promise<TreeNode[]> {
    const snapshot = await this.snapshot(node.ensemble);
    if (node.kind === 'section') {
      return this.sectionChildren(node, snapshot);
    }
    if (node.kind === 'lockOwner') {
      // The same locks as under Locks, under ids of their own (a tree id may appear once), each naming its object.
      return (snapshot.locksByOwner.get(node.owner.owner.sessionId) ?? []).map((lock): LockNode => ({ kind: 'lock', id: `${node.id}|${lock.path}`, ensemble: node.ensemble, lock, inSummary: true }));
    }
    const { health } = snapshot;
    switch (node.group) {
      case 'servers':
        return health.servers.map((server): ZkServerNode => ({ kind: 'zkServer', id: `${node.id}|${server.server}`, ensemble: node.ensemble, server }));
      case 'clients':
        return health.clients.length > 0
          ? health.clients.map((client): ZkClientNode => ({ kind: 'zkClient', id: `${node.id}|${client.address}`, ensemble: node.ensemble, client }))
          : [message(node, 'info', health.servers.some((s) => s.connections !== undefined) ? 'No client connections' : 'Connections unavailable: see the hint under Health')];
      case 'owners': {
        if (!snapshot.ownership) {
          return [message(node, 'error', snapshot.registryError ?? 'The registry could not be read')];
        }
        const owners = snapshot.ownership.groups.map((owner): LockOwnerNode => ({ kind: 'lockOwner', id: `${node.id}|${owner.owner.sessionId}`, ensemble: node.ensemble, owner }));
        return owners.length > 0 ? owners : [message(node, 'info', snapshot.ownership.persistentLocks > 0 ? 'Only explicit (persistent) locks: no owner session' : 'No locks')];
      }
    }
  }

  private sectionChildren(node: SectionNode, snapshot: HealthSnapshot): TreeNode[] {
    const { health, ownership } = snapshot;
    const group = (name: HealthGroupNode['group'], count: number, warnings: number, note: string): HealthGroupNode => ({ kind: 'healthGroup', id: `${node.id}|${name}`, ensemble: node.ensemble, group: name, count, warnings, note });
    const hosts = ownership && ownership.hiveServer2Hosts.length > 0 ? ownership.hiveServer2Hosts.join(', ') : 'none found';
    const nodes: TreeNode[] = [
      group('servers', health.servers.length, health.servers.filter((s) => !s.reachable || s.missing.length > 0 || s.mode === 'not serving').length, `Checked ${new Date(health.checkedAt).toLocaleTimeString()}; refresh Health to ask again.`),
      group('clients', health.clients.length, health.clients.filter((c) => c.warn).length, 'Every server\'s connections by client address; a warning at 80 % of maxClientCnxns (50 when unlimited).'),
      group(
        'owners',
        ownership?.groups.length ?? 0,
        ownership?.groups.filter((g) => g.problem !== undefined).length ?? 0,
        `Ephemeral locks by the session holding them. HiveServer2 hosts (the addresses holding the registrations, and the registered hosts): ${hosts}.` +
          (ownership && ownership.persistentLocks > 0 ? ` ${ownership.persistentLocks} explicit (persistent) lock(s) have no owner session.` : ''),
      ),
    ];
    const who = snapshot.identities;
    if (who) {
      nodes.push({ kind: 'message', id: `${node.id}|identity`, ensemble: node.ensemble, severity: 'info', text: `Authenticated as ${describeIdentities(who)}`, detail: `This session's identities, ${identitySource(who)}.` });
    }
    health.hints.forEach((hint, index) => {
      const hintNode: MessageNode = { kind: 'message', id: `${node.id}|hint|${index}`, ensemble: node.ensemble, severity: 'warning', text: hint };
      nodes.push(hintNode);
    });
    return nodes;
  }

  private snapshot(ensemble: string): Promise<HealthSnapshot> {
    let snapshot = this.snapshots.get(ensemble);
    if (!snapshot) {
      snapshot = treeWork({ view: 'Checking ZooKeeper health…', notification: `Checking the health of ${ensemble}` }, (ms, run) => this.sources.timeout(ms, run), (signal) => this.take(ensemble, signal));
      const taken = snapshot;
      // A cancelled or failed look is dropped, unless a fresher one has taken its place.
      snapshot.catch(() => this.snapshots.get(ensemble) === taken && this.snapshots.delete(ensemble));
      this.snapshots.set(ensemble, snapshot);
    }
    return snapshot;
  }

  private async take(ensemble: string, signal: AbortSignal): Promise<HealthSnapshot> {
    const config = this.sources.config(ensemble);
    const health = await collectEnsembleHealth(config.connectString, { signal, ...(config.adminServerPort !== undefined ? { adminPort: config.adminServerPort } : {}) });
    const identities = await this.sources
      .session(ensemble)
      .then((session) => session.whoAmI())
      .catch(() => undefined);
    const who = identities ? { identities } : {};
    try {
      const [walk, instances] = await untilAborted(Promise.all([this.sources.lockWalk(ensemble), this.instances(ensemble, signal)]), signal, 'Checking the health');
      const ownership = groupLocksByOwner(walk.locks, instances, health.sessions, { sessionsComplete: health.sessionsComplete });
      const locksByOwner = new Map<string, HiveLock[]>();
      for (const lock of walk.locks) {
        if (lock.ephemeralOwner !== undefined) {
          const list = locksByOwner.get(lock.ephemeralOwner);
          if (list) {
            list.push(lock);
          } else {
            locksByOwner.set(lock.ephemeralOwner, [lock]);
          }
        }
      }
      return { health, ownership, locksByOwner, ...who };
    } catch (error) {
      if (isHiveZkError(error, 'CANCELLED')) {
        throw error;
      }
      return { health, locksByOwner: new Map(), registryError: toHiveZkError(error).message, ...who };
    }
  }

  private async instances(ensemble: string, signal: AbortSignal): Promise<Hs2Instance[]> {
    const session = await this.sources.session(ensemble);
    return listHiveServer2(session, await this.sources.namespaces(ensemble), signal);
  }
}
