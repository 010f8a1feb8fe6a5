// One live timeline (core/timeline/activityWatch.ts) per ensemble, shared by the Lock Activity view and
// the tree's Locks section: started on first need on the ensemble's shared session (single-flight),
// stopped when that session is closed, so both follow the same watch.
import * as vscode from 'vscode';
import { ActivityWatch, type ActivityEvent, type StartOptions } from '../core/timeline/activityWatch';
import { toHiveZkError, type HiveZkError } from '../core/errors';
import { Disposable } from '../core/lifecycle';
import type { Connections } from './connections';
import { SECTION, type Settings } from './settings';

/** Setting: events the timeline keeps per ensemble. */
export const ACTIVITY_MAX_EVENTS_KEY = 'activity.maxEvents';

export interface Timeline {
  ensemble: string;
  watch: ActivityWatch;
  ready?: { mode: string; watches: number };
  /** Bumped per event, so item ids stay unique as old events leave. */
  serial: number;
  ids: WeakMap<ActivityEvent, number>;
}

/** A timeline that runs, none (the ensemble is gone), or why it could not start. */
export type Started = Timeline | { error: HiveZkError } | undefined;

/** For the caller whose start() makes the timeline: its watch before it starts, and how it starts. */
export interface Starter extends StartOptions {
  /** The watch, made and not yet started (so nothing it tells is missed). */
  created(watch: ActivityWatch): void;
}

export class ActivityTimelines extends Disposable {
  private readonly timelines = new Map<string, Timeline>();
  /** Starts under way, and how many callers joined each after the one that began it. */
  private readonly starting = new Map<string, { started: Promise<Started>; joined: number }>();
  private readonly eventEmitter = new vscode.EventEmitter<{ timeline: Timeline; event: ActivityEvent }>();
  /** Every event of every timeline. */
  readonly onEvent = this.eventEmitter.event;
  private readonly changeEmitter = new vscode.EventEmitter<string | undefined>();
  /** A timeline started or stopped (its ensemble's name; undefined for all). */
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly connections: Connections,
    private readonly settings: () => Settings,
  ) {
    super();
    // A session closed under a timeline (settings or credentials changed): start afresh on the new one.
    this.register(
      connections.onDidChangeState(({ ensemble, change }) => {
        if (change.state === 'closed' && this.timelines.has(ensemble)) {
          this.stop(ensemble);
          this.changeEmitter.fire(ensemble);
        }
      }),
    );
    this.register({ dispose: () => [...this.timelines.keys()].forEach((name) => this.stop(name)) });
    this.register(this.eventEmitter);
    this.register(this.changeEmitter);
  }

  /** The running timeline of an ensemble, if started. */
  get(name: string): Timeline | undefined {
    return this.timelines.get(name);
  }

  /**
   * The ensemble's timeline once it is ready (events flowing), started if need be. `starter` is used
   * only when this call starts it; its signal's cancel stops the start unless another caller joined.
   */
  start(name: string, starter?: Starter): Promise<Started> {
    const pending = this.starting.get(name);
    if (pending) {
      pending.joined += 1;
      return pending.started;
    }
    const existing = this.timelines.get(name);
    if (existing) {
      return Promise.resolve(existing);
    }
    // The starter's cancel stops the start only while nobody else waits for it (the Lock Activity view may).
    const abort = new AbortController();
    const entry = { started: Promise.resolve<Started>(undefined), joined: 0 };
    const cancel = (): void => {
      if (entry.joined === 0) {
        abort.abort();
      }
    };
    if (starter?.signal?.aborted) {
      abort.abort();
    }
    starter?.signal?.addEventListener('abort', cancel, { once: true });
    entry.started = this.startNow(name, starter && { ...starter, signal: abort.signal }).finally(() => {
      this.starting.delete(name);
      starter?.signal?.removeEventListener('abort', cancel);
    });
    this.starting.set(name, entry);
    return entry.started;
  }

  /** Stops every timeline: the next need starts them afresh (settings changed). */
  reset(): void {
    for (const name of [...this.timelines.keys()]) {
      this.stop(name);
    }
    this.changeEmitter.fire(undefined);
  }

  private async startNow(name: string, starter: Starter | undefined): Promise<Started> {
    const ensemble = this.settings().ensembles.find((e) => e.name === name);
    if (!ensemble) {
      return undefined;
    }
    const maxEvents = clampMaxEvents(vscode.workspace.getConfiguration(SECTION).get<number>(ACTIVITY_MAX_EVENTS_KEY));
    let timeline: Timeline;
    try {
      const session = await this.connections.sessionFor(ensemble);
      if (this.isDisposed) {
        // Disposed while the session was made: a watch started now would run for nobody.
        return undefined;
      }
      const watch = new ActivityWatch(session, { namespaces: ensemble.hs2Namespaces, lockNamespace: ensemble.lockNamespace, maxEvents, maxQueries: maxEvents });
      timeline = { ensemble: name, watch, serial: 0, ids: new WeakMap() };
      watch.onEvent((event) => {
        timeline.serial += 1;
        timeline.ids.set(event, timeline.serial);
        this.eventEmitter.fire({ timeline, event });
      });
      this.timelines.set(name, timeline);
      starter?.created(watch);
      timeline.ready = await watch.start(starter);
      if (this.isDisposed || this.timelines.get(name) !== timeline) {
        // Disposed, or stopped while starting (its session closed, settings changed): not a live timeline.
        watch.dispose();
        if (this.timelines.get(name) === timeline) {
          this.timelines.delete(name);
        }
        return undefined;
      }
    } catch (error) {
      this.timelines.get(name)?.watch.dispose();
      this.timelines.delete(name);
      // Shown where the timeline would be; the next need tries again.
      return { error: toHiveZkError(error) };
    }
    this.changeEmitter.fire(name);
    return timeline;
  }

  private stop(name: string): void {
    this.timelines.get(name)?.watch.dispose();
    this.timelines.delete(name);
  }
}

function clampMaxEvents(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(100_000, Math.max(10, Math.floor(value))) : 1000;
}
