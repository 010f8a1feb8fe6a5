// One bounded probe of a ZooKeeper server's health: it settles exactly once, by its deadline at the
// latest, with the reply cut at its size bound. The transports (fourLetterWords.ts: a short TCP
// connection; adminServer.ts: an HTTP GET) only open the connection and feed it.

export interface ProbeOptions {
  /** Per request, connect and reply included. */
  timeoutMs?: number;
  /** Replies are cut (and marked truncated) beyond this many bytes. */
  maxReplyBytes?: number;
  /** Local address to connect from (tests use other loopback addresses). */
  localAddress?: string;
}

export const PROBE_DEFAULTS = { timeoutMs: 5000, maxReplyBytes: 4 * 1024 * 1024 };

export interface ProbeReply {
  text: string;
  truncated: boolean;
  /** Our own end of the connection, so the `cons` line of this very request can be left out. */
  local?: { address: string; port: number };
}

export type ProbeFailure = { failure: 'refused' | 'timeout' | 'closed' | 'error'; message: string };

export function isFailure(reply: ProbeReply | ProbeFailure): reply is ProbeFailure {
  return 'failure' in reply;
}

/** The probe as its transport feeds it. */
export interface ProbeFeed {
  /** Bytes of the reply taken so far. */
  readonly size: number;
  /** Our end of the connection, reported with the reply. */
  local: ProbeReply['local'];
  /** A chunk of the reply; past the size bound, the reply so far settles the probe (truncated). */
  take(chunk: Buffer): void;
  /** Settles with the reply so far. */
  reply(): void;
  fail(failure: ProbeFailure['failure'], message: string): void;
}

/**
 * Runs one probe: `open` starts the transport and returns what to destroy once the probe has
 * settled (by reply, failure, size bound or deadline); `timeoutMessage` says what missed the deadline.
 */
export function boundedProbe(options: ProbeOptions, timeoutMessage: (timeoutMs: number) => string, open: (feed: ProbeFeed) => { destroy(): void }): Promise<ProbeReply | ProbeFailure> {
  const timeoutMs = options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
  const maxBytes = options.maxReplyBytes ?? PROBE_DEFAULTS.maxReplyBytes;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let settled = false;

    const finish = (result: ProbeReply | ProbeFailure): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        connection?.destroy();
        resolve(result);
      }
    };
    const feed: ProbeFeed = {
      get size() {
        return size;
      },
      local: undefined,
      take(chunk) {
        const room = maxBytes - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (chunk.length > room) {
          truncated = true;
          feed.reply();
        }
      },
      reply: () => finish({ text: Buffer.concat(chunks).toString('utf8'), truncated, ...(feed.local ? { local: feed.local } : {}) }),
      fail: (failure, message) => finish({ failure, message }),
    };
    const timer = setTimeout(() => finish({ failure: 'timeout', message: timeoutMessage(timeoutMs) }), timeoutMs);
    const connection: { destroy(): void } | undefined = open(feed);
    if (settled) {
      connection.destroy();
    }
  });
}
