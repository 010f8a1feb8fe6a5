// Batched reads for the session: znodes grouped into multiRead batches (ZooKeeper 3.6+) capped by
// ops and expected bytes, probed once per connection, and pipelined single reads where the server
// has no multiRead. Knows nothing of the client library: the session sends and reads for it.

import { Semaphore } from '../concurrency';
import { DataInReply, ListingInReply } from './batchedReply';
import { HiveZkError, isHiveZkError } from '../errors';
import type { SessionIdentities } from './identities';
import { errorFromCode, isUnimplemented, pathProblemAt, perPathError } from './errorMap';
import { pathAt, pathCount, pickPaths, type ZnodePaths } from './znodePath';
import type { SocketHook } from './socketHook';
import type { ReadOutcome } from './types';
import { replyHeader } from './wire';
import { childrenResultStart, multiReadErrorAt, dataResultEnd, dataResultStart, indexMultiReadResponse, int32At, multiReadResultAt, type MultiReadKind, type MultiReadResult } from './wireMultiRead';

export interface MultiReadOptions {
  /** false: batched reads are always pipelined single reads (as on servers before 3.6). */
  enabled?: boolean;
  /** Ops per batch at most. */
  maxOps?: number;
  /** Expected response bytes per batch at most (from known data sizes, else what earlier batches returned). */
  maxBytes?: number;
  /** Batches on the wire at once, per session. */
  inFlight?: number;
}

export const MULTI_READ_DEFAULTS: Required<MultiReadOptions> = { enabled: true, maxOps: 500, maxBytes: 1024 * 1024, inFlight: 2 };
/** ZooKeeper's NoAuth code: a batch holding one names the session's identities. */
const NO_AUTH = -102;
/** Ops in a session's first batch of each kind, before any response has shown how big znodes are. */
const SLOW_START_OPS = 32;

export type Sink = (outcome: ReadOutcome<unknown>, index: number) => void;
/** A znode's data read by multiRead, handed on in place (a view valid during the call): no data view or stat object is made for it. */
export type InFrameSink = (data: DataInReply, index: number) => void;
/** A znode's children listed by multiRead, handed on in place (a view valid during the call): no array or string is made for them. */
export type InFrameListingSink = (listing: ListingInReply, index: number) => void;

/** In-place sinks for batched reads that came by multiRead: one per kind of read. */
export type InFrameSinks = { data?: InFrameSink; children?: InFrameListingSink };

/** What a client has learnt about multiRead: probed per connection, refused for good once a server says -6. */
export interface MultiReadSupport {
  unsupported: boolean;
  /** The connection on which a multiRead last succeeded. */
  supportedOn: number;
  failedProbes: number;
  /** Decoded replies by xid, filled by the socket hook just before the library hands us the reply. */
  replies: Map<number, MultiReadReply>;
}

export interface MultiReadReply {
  /** What the batch asked for: each result must be of that kind (or an error). */
  kind: MultiReadKind;
  answer?: MultiReadAnswer;
  failure?: Error;
}

/** A checked response frame and where each op's result starts in it (decoded one by one as handed on). */
export interface MultiReadAnswer {
  frame: Buffer;
  offsets: Int32Array;
}

export function newMultiReadSupport(): MultiReadSupport {
  return { unsupported: false, supportedOn: 0, failedProbes: 0, replies: new Map() };
}

/** Runs in the socket's data path for every frame, before the library sees it. */
export function decodeMultiReadReply(support: MultiReadSupport, frame: Buffer): void {
  if (support.replies.size === 0 || frame.length < 20) {
    return;
  }
  const { xid, err } = replyHeader(frame);
  const reply = support.replies.get(xid);
  if (!reply || err !== 0) {
    return;
  }
  try {
    reply.answer = { frame, offsets: indexMultiReadResponse(frame, reply.kind) };
  } catch (error) {
    reply.failure = error instanceof Error ? error : new Error(String(error));
  }
}

/** What the batching needs from the session that owns the client. */
export interface MultiReadHost {
  readonly connectString: string;
  /** Pipelined single reads at once. */
  readonly maxInFlight: number;
  /** The current client's multiRead knowledge and socket hook, connecting first if need be. */
  currentClient(): Promise<{ support: MultiReadSupport; hook: SocketHook } | undefined>;
  /** The same without connecting: undefined when there is no client now. */
  currentSupport(): MultiReadSupport | undefined;
  /** One multiRead on the wire; 'probe' goes out even while a probe holds everything else back. */
  send(kind: MultiReadKind, paths: ZnodePaths, mode: 'normal' | 'probe'): Promise<MultiReadAnswer>;
  /** One single read: the data (and stat) or the children. */
  readOne(kind: MultiReadKind, path: string): Promise<unknown>;
  /** Resolves once no request is on the wire. */
  whenIdle(): Promise<void>;
  /** Who the session is, for ZK_NO_AUTH errors that name it. */
  identities(): SessionIdentities | undefined;
  /** Asks the server who the session is (once), so that a NO_AUTH names it as a single read's would. */
  learnIdentities(): Promise<unknown>;
}

export class MultiReader {
  private readonly batchLimiter: Semaphore;
  /** A multiRead probe in progress: nothing else is sent meanwhile (an old server closes the connection). */
  private probe: Promise<void> | undefined;
  /** Expected response bytes per op, learnt from earlier batches, for sizing the next ones. */
  private readonly bytesPerOp: Record<MultiReadKind, number> = { data: 512, children: 512 };
  /** Whether any batch of that kind has come back yet: until then, sizes are guesses and batches start small. */
  private readonly sizesLearnt: Record<MultiReadKind, boolean> = { data: false, children: false };

  constructor(
    private readonly host: MultiReadHost,
    private readonly options: Required<MultiReadOptions>,
  ) {
    this.batchLimiter = new Semaphore(options.inFlight);
  }

  /** The probe in flight, if any: other requests wait for it. */
  get probing(): Promise<void> | undefined {
    return this.probe;
  }

  /** What the current client knows about multiRead: 'unknown' until it has been tried. */
  get state(): 'unknown' | 'supported' | 'unsupported' {
    const support = this.host.currentSupport();
    if (!support || (!support.unsupported && support.supportedOn === 0)) {
      return 'unknown';
    }
    return support.unsupported ? 'unsupported' : 'supported';
  }

  /** Reads every path, handing each outcome (value or per-znode error) to `sink` as its batch arrives. */
  async readMany(kind: MultiReadKind, paths: ZnodePaths, sink: Sink, expectedBytes?: readonly (number | undefined)[], inFrame: InFrameSinks = {}): Promise<void> {
    const valid: number[] = [];
    const checked = {};
    for (let i = 0; i < pathCount(paths); i += 1) {
      const problem = pathProblemAt(paths, i, checked);
      if (problem) {
        sink(problem, i);
      } else {
        valid.push(i);
      }
    }
    if (!this.options.enabled || valid.length === 0 || this.state === 'unsupported') {
      await this.readSingly(kind, paths, valid, sink);
      return;
    }
    const { maxOps, maxBytes } = this.options;
    let cursor = 0;
    // Batches are cut when taken, so each uses what the previous ones taught about sizes.
    const nextBatch = (): number[] | undefined => {
      if (cursor >= valid.length) {
        return undefined;
      }
      const batch: number[] = [];
      let bytes = 0;
      // The server builds each answer whole in memory: until real sizes are known (unknown znodes
      // may be 1 MB each), a batch of unknown sizes stays small.
      const opsCap = this.sizesLearnt[kind] ? maxOps : Math.min(maxOps, SLOW_START_OPS);
      while (cursor < valid.length && batch.length < maxOps) {
        const index = valid[cursor];
        const known = expectedBytes?.[index];
        if (known === undefined && batch.length >= opsCap) {
          break;
        }
        const expected = (known ?? this.bytesPerOp[kind]) + 100;
        if (batch.length > 0 && bytes + expected > maxBytes) {
          break;
        }
        batch.push(index);
        bytes += expected;
        cursor += 1;
      }
      return batch;
    };
    const worker = async (): Promise<void> => {
      for (let batch = nextBatch(); batch; batch = nextBatch()) {
        if (!(await this.readBatch(kind, paths, batch, sink, inFrame))) {
          // No multiRead here (any more): everything left goes as one pipeline of single reads,
          // not batch by batch, which would stall the pipeline at every batch's slowest read.
          const rest = valid.slice(cursor);
          cursor = valid.length;
          await this.readSingly(kind, paths, rest, sink);
        }
      }
    };
    // One worker more than batches on the wire: while one decodes its answer, the others' batches are out.
    await Promise.all(Array.from({ length: this.options.inFlight + 1 }, worker));
  }

  /** One batch: multiRead where this connection supports it, else the same reads one by one (then false). */
  private async readBatch(kind: MultiReadKind, paths: ZnodePaths, batch: number[], sink: Sink, inFrame: InFrameSinks): Promise<boolean> {
    let usable: boolean;
    try {
      usable = await this.usable();
    } catch (error) {
      // The probe timed out: the server does not answer at all, and reads one by one would only
      // wait again (for a reconnect, then their own timeouts). The batch fails with that timeout.
      batch.forEach((index) => sink(perPathError(error, pathAt(paths, index), this.host.connectString), index));
      return true;
    }
    if (!usable) {
      await this.readSingly(kind, paths, batch, sink);
      return false;
    }
    const batchPaths = pickPaths(paths, batch);
    let outcome: MultiReadAnswer;
    try {
      outcome = await this.batchLimiter.run(() => this.host.send(kind, batchPaths, 'normal'));
    } catch (error) {
      if (isUnimplemented(error)) {
        // The server (before 3.6) closed the connection; the session reconnects on its own.
        this.markUnsupported();
        await this.readSingly(kind, paths, batch, sink);
        return false;
      }
      batch.forEach((index, i) => sink(perPathError(error, pathAt(batchPaths, i), this.host.connectString, this.host.identities()), index));
      return true;
    }
    const { frame, offsets } = outcome;
    if (this.host.identities()?.source !== 'server' && offsets.some((at) => multiReadErrorAt(frame, at) === NO_AUTH)) {
      await this.host.learnIdentities();
    }
    const observed = frame.length / Math.max(1, batch.length);
    this.bytesPerOp[kind] = Math.round(this.bytesPerOp[kind] * 0.5 + observed * 0.5);
    this.sizesLearnt[kind] = true;
    const { data, children } = inFrame;
    // One view per batch, repositioned for each result.
    const dataView = data ? new DataInReply() : undefined;
    const listingView = children ? new ListingInReply() : undefined;
    for (let i = 0; i < batch.length; i += 1) {
      const at = i < offsets.length ? offsets[i] : -1;
      const dataStart = data && at >= 0 ? dataResultStart(frame, at) : -1;
      const listStart = children && at >= 0 ? childrenResultStart(frame, at) : -1;
      if (data && dataView && dataStart >= 0) {
        data(dataView.at(frame, dataStart, dataResultEnd(frame, dataStart)), batch[i]);
      } else if (children && listingView && listStart >= 0) {
        children(listingView.at(frame, listStart, int32At(frame, listStart - 4)), batch[i]);
      } else {
        sink(this.toOutcome(at >= 0 ? multiReadResultAt(frame, at) : undefined, batchPaths, i), batch[i]);
      }
    }
    return true;
  }

  /** The outcome of the op at `index` of a batch; its path is made only for an error. */
  private toOutcome(result: MultiReadResult | undefined, batchPaths: ZnodePaths, index: number): ReadOutcome<unknown> {
    if (!result) {
      const path = pathAt(batchPaths, index);
      return new HiveZkError('ZK_ERROR', `ZooKeeper's multiRead answer had no result for ${path}.`, { path });
    }
    if ('errorCode' in result) {
      return errorFromCode(result.errorCode, pathAt(batchPaths, index), this.host.connectString, undefined, this.host.identities());
    }
    return 'children' in result ? result.children : result;
  }

  /** Pipelined single reads, at most maxInFlight at once, each outcome kept as a single read reports it. */
  private async readSingly(kind: MultiReadKind, paths: ZnodePaths, indices: readonly number[], sink: Sink): Promise<void> {
    let cursor = 0;
    const worker = async (): Promise<void> => {
      while (cursor < indices.length) {
        const index = indices[cursor++];
        const path = pathAt(paths, index);
        let outcome: ReadOutcome<unknown>;
        try {
          outcome = await this.host.readOne(kind, path);
        } catch (error) {
          outcome = error instanceof HiveZkError ? error : new HiveZkError('ZK_ERROR', String(error), { path }, { cause: error });
        }
        sink(outcome, index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(indices.length, this.host.maxInFlight) }, worker));
  }

  /**
   * Whether to send a multiRead now: known per connection, probed once per new connection with a
   * one-op batch while nothing else is on the wire. A -6 answer, or two probes that came to nothing,
   * settle it for this client: single reads from then on, never a loop.
   */
  private async usable(): Promise<boolean> {
    for (;;) {
      const current = await this.host.currentClient();
      if (!current || current.support.unsupported) {
        return false;
      }
      const { support, hook } = current;
      if (support.supportedOn === hook.connectionId) {
        return true;
      }
      if (this.probe) {
        await this.probe;
        continue;
      }
      let supported = false;
      this.probe = (async () => {
        await this.host.whenIdle();
        try {
          await this.host.send('data', ['/'], 'probe');
          supported = true;
        } catch (error) {
          if (isHiveZkError(error, 'ZK_TIMEOUT')) {
            // No answer at all says nothing about multiRead; every batch waiting on the probe fails with it.
            throw error;
          }
          support.failedProbes += 1;
          if (isUnimplemented(error) || support.failedProbes >= 2) {
            support.unsupported = true;
          }
          if (isUnimplemented(error)) {
            // The server closes the connection right after its answer: hold everything back until
            // it has, so nothing else is written to a connection about to go.
            await hook.currentSocketClosed(1000);
          }
        }
      })().finally(() => {
        this.probe = undefined;
      });
      await this.probe;
      return supported;
    }
  }

  private markUnsupported(): void {
    const support = this.host.currentSupport();
    if (support) {
      support.unsupported = true;
    }
  }
}
