// Keeps each ensemble's lock index current from its live timeline: changes seen during the walk are
// applied after it, later ones as they come (no walk again), redrawn a few times a second. A gap in
// the timeline (a resync after the watch was away, dropped events) costs one walk again.
import { LiveLockIndex, lockFromZnode } from '../../core/locks/liveLockIndex';
import type { LockIndex } from '../../core/locks/lockIndex';
import { NO_PROBLEMS, plainLock, type HiveLock } from '../../core/locks/locks';
import type { ActivityWatch, LockChange } from '../../core/timeline/activityWatch';
import type { Disposable } from '../../core/zk/session';
import { znodeId, type LockNode } from './nodes';

/** Redraws at most this often while locks come and go. */
const REDRAW_MS = 250;
/** Changes held while the walk runs, at most; past this the walk's result is stale, so it walks again. */
const MAX_HELD = 100_000;
/** A query not seen retrying for this long has given up (twice hive.lock.sleep.between.retries' default of 60 s). */
const RETRY_FORGOTTEN_MS = 2 * 60_000;

interface Following {
  timeline: ActivityWatch;
  subscriptions: Disposable[];
  /** Changes while the walk runs (undefined once it is in); `overflowed` when there were too many. */
  held: LockChange[] | undefined;
  overflowed: boolean;
  index: LiveLockIndex | undefined;
  timer: NodeJS.Timeout | undefined;
}

export interface LiveLocksHost {
  /** The index changed: it replaces the ensemble's, and the section is redrawn. */
  replace(ensemble: string, index: LockIndex): void;
  /** The timeline had a gap: forget the index (the next listing walks again). */
  rewalk(ensemble: string): void;
}

export class LiveLocks {
  private readonly following = new Map<string, Following>();

  constructor(private readonly host: LiveLocksHost) {}

  /** The timeline an ensemble's index follows, if any. */
  timeline(ensemble: string): ActivityWatch | undefined {
    return this.following.get(ensemble)?.timeline;
  }

  /** Follows the timeline from now; `walked` takes the walk begun after this and makes it live. */
  follow(ensemble: string, timeline: ActivityWatch): { walked(index: LockIndex): LockIndex } {
    this.stop(ensemble);
    const entry: Following = { timeline, subscriptions: [], held: [], overflowed: false, index: undefined, timer: undefined };
    entry.subscriptions.push(
      timeline.onLockChange((change) => {
        if (entry.index) {
          apply(entry.index, change);
          this.schedule(ensemble, entry);
        } else if (entry.held && entry.held.length < MAX_HELD) {
          entry.held.push(change);
        } else {
          entry.held = undefined;
          entry.overflowed = true;
        }
      }),
      timeline.onEvent((event) => {
        if ((event.type === 'resync' || event.type === 'dropped') && this.following.get(ensemble) === entry) {
          this.stop(ensemble);
          this.host.rewalk(ensemble);
        } else if (event.type === 'blocked') {
          this.schedule(ensemble, entry);
        }
      }),
    );
    this.following.set(ensemble, entry);
    return {
      walked: (walked) => {
        if (entry.overflowed) {
          queueMicrotask(() => this.following.get(ensemble) === entry && (this.stop(ensemble), this.host.rewalk(ensemble)));
          return walked;
        }
        // Each change held is applied as it goes (idempotent): a lock the walk saw and a delete it missed settle the same.
        const live = new LiveLockIndex(walked);
        for (const change of entry.held ?? []) {
          apply(live, change);
        }
        entry.held = undefined;
        entry.index = live;
        return live.current();
      },
    };
  }

  /** Stops following one ensemble (or all). */
  stop(ensemble?: string): void {
    for (const name of ensemble === undefined ? [...this.following.keys()] : [ensemble]) {
      const entry = this.following.get(name);
      if (entry) {
        clearTimeout(entry.timer);
        entry.subscriptions.forEach((s) => s.dispose());
        this.following.delete(name);
      }
    }
  }

  private schedule(ensemble: string, entry: Following): void {
    if (entry.timer || !entry.index) {
      return;
    }
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.following.get(ensemble) === entry && entry.index) {
        this.host.replace(ensemble, entry.index.current());
      }
    }, REDRAW_MS);
  }
}

function apply(index: LiveLockIndex, change: LockChange): void {
  if (change.type === 'created') {
    index.created(change.lock);
  } else {
    index.deleted(change.path);
  }
}

/**
 * Queries the timeline saw retrying behind a lock that still stands, as Waiting rows: Hive deletes
 * its lock between attempts, so the row stands for the query (its latest attempt's lock, or that
 * lock's name and what the timeline kept) with its blocker, attempts and last attempt.
 */
export function retryingQueries(ensemble: string, index: LockIndex, timeline: ActivityWatch | undefined): LockNode[] {
  const nodes: LockNode[] = [];
  const now = Date.now();
  for (const query of timeline?.activity.blocked() ?? []) {
    const siblings = index.locksAt.get(query.objectPath) ?? [];
    const blocker = siblings.find((l) => l.path === query.blockedBy.path);
    if (!blocker || now - query.lastAttemptAt > RETRY_FORGOTTEN_MS) {
      continue; // its blocker went (the next attempt may get the lock), or it gave up
    }
    const own = query.currentPath !== undefined ? siblings.find((l) => l.path === query.currentPath) : undefined;
    const base = own ?? lockFromZnode(index.root, query.lastPath, undefined, undefined);
    if (!base) {
      continue;
    }
    const data = own ? own.data : { problems: NO_PROBLEMS, queryId: query.queryId, ...(query.client !== undefined ? { clientIp: query.client } : {}) };
    const lock: HiveLock = { ...plainLock(base), data, status: 'waiting', blockedBy: blocker.znode, ctime: query.firstAttemptAt };
    nodes.push({
      kind: 'lock',
      id: `${znodeId(ensemble, query.objectPath)}|retrying|${query.mode}|${query.queryId}`,
      ensemble,
      lock,
      blocker,
      inSummary: true,
      retrying: { attempts: query.attempts, lastAttemptAt: query.lastAttemptAt, standing: own !== undefined },
    });
  }
  return nodes;
}
