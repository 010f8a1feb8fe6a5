// The watch command: Hive's lock and HiveServer2 registration activity as JSON lines, live — a ready
// line, then one line per event — until --for elapses or SIGINT, then exit 0.

import { ActivityWatch, type ActivityEvent } from '../core/timeline/activityWatch';
import { HiveZkError, preview } from '../core/errors';
import { DEFAULT_HS2_NAMESPACE, DEFAULT_LOCK_NAMESPACE } from '../core/registry/hs2Registry';
import { escapeInvisible } from '../core/untrusted';
import { flag, requireFlag, STREAMED, type Args } from './args';
import { withSession } from './session';

/** --for at most (seconds): what one Node timer can wait. */
const MAX_FOR_SECONDS = 2_000_000;
/** Lines waiting for a slow reader of stdout at most; past this, events are dropped and counted. */
const MAX_BUFFERED_LINES = 10_000;

export async function watch(args: Args): Promise<typeof STREAMED> {
  const connectString = requireFlag(args, 'zk');
  const forMs = parseFor(flag(args, 'for'));
  const given = args.values.namespace;
  const namespaces = Array.isArray(given) ? given.map(String) : typeof given === 'string' ? [given] : [DEFAULT_HS2_NAMESPACE];
  const lockNamespace = flag(args, 'locks') ?? DEFAULT_LOCK_NAMESPACE;
  const out = new LineWriter();
  // Listening from the start: a SIGINT while still connecting ends the watch as one after the ready line does.
  const stop = new Interruption();
  try {
    return await withSession(connectString, args, async (session): Promise<typeof STREAMED> => {
      const timeline = new ActivityWatch(session, { namespaces, lockNamespace });
      // Events that come before the ready line is out wait for it (a change during the first read).
      const early: ActivityEvent[] = [];
      let ready = false;
      timeline.onEvent((event) => (ready ? out.write(event) : early.push(event)));
      try {
        const { mode, watches } = await timeline.start();
        out.write({ type: 'ready', mode, watches });
        ready = true;
        early.splice(0).forEach((event) => out.write(event));
        await stop.after(forMs);
      } finally {
        timeline.dispose();
      }
      await out.flushed();
      return STREAMED;
    });
  } finally {
    stop.dispose();
  }
}

function parseFor(text: string | undefined): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  const seconds = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds >= 1 && seconds <= MAX_FOR_SECONDS)) {
    throw new HiveZkError('BAD_ARGUMENT', `--for must be a whole number of seconds from 1 to ${MAX_FOR_SECONDS}, not "${preview(text, 20)}".`);
  }
  return seconds * 1000;
}

/**
 * SIGINT/SIGTERM end the watch with exit 0. Before the ready line (still connecting or reading what
 * stands) nothing has been written, so the process ends at once; after it, `after` resolves and the
 * lines waiting for stdout are flushed first.
 */
class Interruption {
  private resolve: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onSignal = (): void => {
    if (this.resolve) {
      this.resolve();
    } else {
      process.exit(0);
    }
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Resolves when `forMs` has passed (never, if undefined) or on a signal. */
  after(forMs: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      this.resolve = resolve;
      if (forMs !== undefined) {
        this.timer = setTimeout(resolve, forMs);
      }
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

/** JSON lines on stdout, znode text with invisible characters escaped; a reader that falls behind costs events (counted), never memory. */
class LineWriter {
  private waiting: string[] = [];
  private blocked = false;
  private dropped = 0;
  private drained: (() => void)[] = [];

  write(value: object): void {
    if (this.blocked) {
      if (this.waiting.length < MAX_BUFFERED_LINES) {
        this.waiting.push(line(value));
      } else {
        this.dropped += 1;
      }
      return;
    }
    this.blocked = !process.stdout.write(line(value));
    if (this.blocked) {
      process.stdout.once('drain', () => this.resume());
    }
  }

  flushed(): Promise<void> {
    return this.blocked ? new Promise((resolve) => this.drained.push(resolve)) : Promise.resolve();
  }

  private resume(): void {
    this.blocked = false;
    const lines = this.waiting.splice(0);
    if (this.dropped > 0) {
      lines.push(line({ time: new Date().toISOString(), type: 'dropped', count: this.dropped }));
      this.dropped = 0;
    }
    this.blocked = lines.length > 0 && !process.stdout.write(lines.join(''));
    if (this.blocked) {
      process.stdout.once('drain', () => this.resume());
    } else {
      this.drained.splice(0).forEach((resolve) => resolve());
    }
  }
}

function line(value: object): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? escapeInvisible(v) : v))}\n`;
}
