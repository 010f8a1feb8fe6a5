// Results of a batched read (multiRead) read in place, for readers outside zk/ that must not make an
// object per znode (a lock walk reads 100k): a view over the reply, repositioned for each result and
// valid only during the call it is handed to. The reply's wire layout stays zk/'s business (wireMultiRead.ts).

import { forEachChildNameAt, statCtimeAt, statEphemeralOwnerAt } from './wireMultiRead';

const EMPTY = Buffer.alloc(0);

/** One znode's data: bytes[start, end) of the reply; its stat follows it. */
export class DataInReply {
  /** The reply's bytes (the whole frame): only [start, end) is this znode's data. */
  bytes: Buffer = EMPTY;
  start = 0;
  end = 0;

  /** Repositions the view on a result (multiRead.ts only). */
  at(bytes: Buffer, start: number, end: number): this {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    return this;
  }

  /** The znode's creation time (epoch ms), from its stat. */
  get ctime(): number {
    return statCtimeAt(this.bytes, this.end);
  }

  /** The session (lower-case hex, no leading zeros) owning an ephemeral znode; "0" for a persistent one. */
  get ephemeralOwner(): string {
    return statEphemeralOwnerAt(this.bytes, this.end);
  }
}

/** One znode's children: `count` names in the reply, each handed on as its UTF-8 bytes, bytes[start, end). */
export class ListingInReply {
  private bytes: Buffer = EMPTY;
  private first = 0;
  count = 0;

  /** Repositions the view on a result (multiRead.ts only). */
  at(bytes: Buffer, first: number, count: number): this {
    this.bytes = bytes;
    this.first = first;
    this.count = count;
    return this;
  }

  /** Each child's name in the server's order, as bytes[start, end) of the reply: no string is made. */
  forEachChildName(visit: (bytes: Buffer, start: number, end: number) => void): void {
    forEachChildNameAt(this.bytes, this.first, this.count, visit);
  }
}
