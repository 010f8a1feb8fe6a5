// ZooKeeper's wire format where the session needs it below the client library: length-prefixed
// frames, and the few jute records the library cannot read or write itself (multiRead, SASL).

import type { ZnodeStat } from './types';
import { isChildPaths, pathCount, type ZnodePaths } from './znodePath';

/**
 * Larger frames mean a broken or hostile peer, refused by their announced length before a byte of
 * them is buffered. Sized to what this client asks for: ZooKeeper keeps a znode under jute.maxbuffer
 * (1 MB by default; Hive's largest, a lock with its query text, stays below it), the largest reply is
 * a first multiRead batch of up to 32 such znodes or a listing of a million lock names, and this is
 * twice that. A frame is held about twice over while it is decoded, so memory stays near 130 MB.
 */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * Cuts a byte stream into whole frames (4-byte big-endian length + body), each handed on
 * with its length prefix. Chunks of a large frame are collected and joined once, so reassembly
 * stays linear however the network slices it; small frames in one chunk are views, not copies.
 */
export class FrameSplitter {
  private parts: Buffer[] = [];
  private buffered = 0;
  /** Total length (prefix included) of the frame being collected, once its prefix is known. */
  private needed = 0;

  /** Calls `onFrame` for every frame completed by `chunk`; throws on an impossible length. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let data = chunk;
    if (this.buffered > 0) {
      this.parts.push(chunk);
      this.buffered += chunk.length;
      if (this.needed === 0) {
        if (this.buffered < 4) {
          return;
        }
        this.needed = frameLength(this.joinParts());
      }
      if (this.buffered < this.needed) {
        return;
      }
      data = this.joinParts();
      this.parts = [];
      this.buffered = 0;
      this.needed = 0;
    }
    let offset = 0;
    while (data.length - offset >= 4) {
      const length = frameLength(data.subarray(offset));
      if (data.length - offset < length) {
        break;
      }
      onFrame(data.subarray(offset, offset + length));
      offset += length;
    }
    if (offset < data.length) {
      const rest = data.subarray(offset);
      this.parts = [rest];
      this.buffered = rest.length;
      this.needed = rest.length >= 4 ? frameLength(rest) : 0;
    }
  }

  private joinParts(): Buffer {
    const joined = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.buffered);
    this.parts = [joined];
    return joined;
  }
}

function frameLength(data: Buffer): number {
  const body = data.readInt32BE(0);
  if (body < 0 || body + 4 > MAX_FRAME_BYTES) {
    throw new Error(`ZooKeeper sent a frame of impossible length ${body}.`);
  }
  return body + 4;
}

/** The negotiated session timeout of a ConnectResponse frame; 0 or less means the session expired. */
export function connectResponseTimeout(frame: Buffer): number {
  // length, protocolVersion, timeOut, …
  return frame.length >= 12 ? frame.readInt32BE(8) : 0;
}

/** Opcodes the session writes itself (the library knows the others). */
export const OPCODES = { exists: 3, getData: 4, getChildren: 8, removeWatches: 18, multiRead: 22, sasl: 102, setWatches2: 105, addWatch: 106 } as const;

/** The xid ZooKeeper gives a watch notification (a WatcherEvent frame). */
export const NOTIFICATION_XID = -1;

/** AddWatchMode of ZooKeeper 3.6+. */
export const ADD_WATCH_MODES = { persistent: 0, persistentRecursive: 1 } as const;
export type AddWatchMode = keyof typeof ADD_WATCH_MODES;

/** WatcherType of a RemoveWatchesRequest: Any (3) removes a persistent watch on 3.6–3.8 as on later servers. */
const WATCHER_TYPE_ANY = 3;

/** A request frame: length, RequestHeader {xid, type}, then the record's bytes. */
export function requestFrame(xid: number, opcode: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const frame = Buffer.allocUnsafe(12 + body.length);
  frame.writeInt32BE(8 + body.length, 0);
  frame.writeInt32BE(xid, 4);
  frame.writeInt32BE(opcode, 8);
  body.copy(frame, 12);
  return frame;
}

/** jute ustring: int length + UTF-8 bytes. */
export function juteString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(4 + bytes.length);
  out.writeInt32BE(bytes.length, 0);
  bytes.copy(out, 4);
  return out;
}

/** jute buffer: int length (-1 for none) + bytes. */
export function juteBuffer(bytes: Buffer | undefined): Buffer {
  const out = Buffer.allocUnsafe(4 + (bytes?.length ?? 0));
  out.writeInt32BE(bytes ? bytes.length : -1, 0);
  bytes?.copy(out, 4);
  return out;
}

/** An AddWatchRequest {path, mode} frame (opcode 106, ZooKeeper 3.6+); `path` is written under `chroot`. */
export function addWatchFrame(xid: number, path: string, mode: AddWatchMode, chroot = ''): Buffer {
  const mode4 = Buffer.allocUnsafe(4);
  mode4.writeInt32BE(ADD_WATCH_MODES[mode], 0);
  return requestFrame(xid, OPCODES.addWatch, Buffer.concat([juteString(chrooted(path, chroot)), mode4]));
}

/** A RemoveWatchesRequest {path, type = Any} frame (opcode 18, ZooKeeper 3.5+). */
export function removeWatchesFrame(xid: number, path: string, chroot = ''): Buffer {
  const type = Buffer.allocUnsafe(4);
  type.writeInt32BE(WATCHER_TYPE_ANY, 0);
  return requestFrame(xid, OPCODES.removeWatches, Buffer.concat([juteString(chrooted(path, chroot)), type]));
}

/**
 * A SetWatches2 {relativeZxid, data, exist, child, persistent, persistentRecursive watches} frame
 * (opcode 105, ZooKeeper 3.6+): persistent watches set again on a new connection, in one request.
 * relativeZxid only concerns the one-shot lists, sent empty here (the library sets its own).
 */
export function setWatches2Frame(xid: number, watches: readonly { path: string; mode: AddWatchMode }[], chroot = ''): Buffer {
  const list = (mode?: AddWatchMode): Buffer[] => {
    const paths = watches.filter((w) => w.mode === mode).map((w) => juteString(chrooted(w.path, chroot)));
    const count = Buffer.allocUnsafe(4);
    count.writeInt32BE(paths.length, 0);
    return [count, ...paths];
  };
  return requestFrame(xid, OPCODES.setWatches2, Buffer.concat([Buffer.alloc(8), ...list(), ...list(), ...list(), ...list('persistent'), ...list('persistentRecursive')]));
}

function chrooted(path: string, chroot: string): string {
  return chroot ? (path === '/' ? chroot : chroot + path) : path;
}

/** A watch notification as the server sends it (types: 1 created, 2 deleted, 3 data changed, 4 children changed). */
export interface WatcherEventFrame {
  type: number;
  /** The znode's path with the chroot taken off; undefined when it lies outside the chroot. */
  path: string | undefined;
}

/**
 * The WatcherEvent {int type, int state, ustring path} of a notification frame (xid -1), or
 * undefined for any other frame or a malformed one (a notification is never trusted to be whole).
 */
export function decodeWatcherEvent(frame: Buffer, chroot = ''): WatcherEventFrame | undefined {
  if (frame.length < 32 || frame.readInt32BE(4) !== NOTIFICATION_XID) {
    return undefined;
  }
  const type = frame.readInt32BE(20);
  const length = frame.readInt32BE(28);
  if (length < 0 || 32 + length > frame.length) {
    return undefined;
  }
  const raw = frame.toString('utf8', 32, 32 + length);
  if (!chroot) {
    return { type, path: raw };
  }
  if (raw === chroot) {
    return { type, path: '/' };
  }
  return { type, path: raw.startsWith(`${chroot}/`) ? raw.slice(chroot.length) : undefined };
}

/** The ReplyHeader {xid, zxid, err} that opens every response frame after the ConnectResponse. */
export function replyHeader(frame: Buffer): { xid: number; err: number } {
  return { xid: frame.readInt32BE(4), err: frame.readInt32BE(16) };
}

export type MultiReadKind = 'data' | 'children';

/**
 * A multiRead request (opcode 22, ZooKeeper 3.6+): a MultiHeader {type, done=false, err=-1} and a
 * {path, watch=false} request per op, closed by MultiHeader {-1, true, -1}. Each path is written
 * under `chroot`; paths given as parents and names are written from those parts, each parent's
 * prefix made once for the run of names under it.
 */
export function multiReadFrame(xid: number, kind: MultiReadKind, paths: ZnodePaths, chroot = ''): Buffer {
  const count = pathCount(paths);
  const children = isChildPaths(paths) ? paths : undefined;
  // The whole body as one text, encoded in one call: a native call per path would cost more than
  // the path (a walk writes 100k). Headers and lengths go in as NUL placeholders, patched below.
  const texts = new Array<string>(count * 3 + 1);
  let lastParent: string | undefined;
  let prefix = '';
  for (let i = 0; i < count; i += 1) {
    texts[3 * i] = i === 0 ? OP_HEAD : WATCH_AND_OP_HEAD;
    if (children) {
      const parent = children.parents[i] ?? '';
      if (parent !== lastParent) {
        lastParent = parent;
        prefix = `${chroot}${parent === '/' ? '' : parent}/`;
      }
      texts[3 * i + 1] = prefix;
      texts[3 * i + 2] = children.names[i] ?? '';
    } else {
      const path = (paths as readonly string[])[i] ?? '';
      texts[3 * i + 1] = chrooted(path, chroot);
      texts[3 * i + 2] = '';
    }
  }
  texts[3 * count] = count > 0 ? WATCH_AND_CLOSE : CLOSE;
  const body = texts.join('');
  const bodyBytes = Buffer.byteLength(body, 'utf8');
  // Every UTF-16 unit of ASCII text is one byte: then each path's byte length is its text length.
  const ascii = bodyBytes === body.length;
  const frame = Buffer.allocUnsafe(12 + bodyBytes);
  frame.writeInt32BE(8 + bodyBytes, 0);
  frame.writeInt32BE(xid, 4);
  frame.writeInt32BE(OPCODES.multiRead, 8);
  frame.write(body, 12, 'utf8');
  const opcode = kind === 'data' ? OPCODES.getData : OPCODES.getChildren;
  let at = 12;
  for (let i = 0; i < count; i += 1) {
    const head = texts[3 * i + 1];
    const tail = texts[3 * i + 2];
    const pathBytes = ascii ? head.length + tail.length : Buffer.byteLength(head, 'utf8') + Buffer.byteLength(tail, 'utf8');
    // By hand: Buffer's fill and writeInt32BE cost more than the bytes they write.
    frame[at + 3] = opcode;
    frame[at + 5] = 0xff; // err = -1
    frame[at + 6] = 0xff;
    frame[at + 7] = 0xff;
    frame[at + 8] = 0xff;
    frame[at + 9] = pathBytes >>> 24;
    frame[at + 10] = (pathBytes >>> 16) & 0xff;
    frame[at + 11] = (pathBytes >>> 8) & 0xff;
    frame[at + 12] = pathBytes & 0xff;
    at += OP_HEAD.length + pathBytes + 1;
  }
  // The closing MultiHeader {-1, true, -1}.
  frame.writeInt32BE(-1, at);
  frame[at + 4] = 1;
  frame.writeInt32BE(-1, at + 5);
  return frame;
}

/** An op's MultiHeader and path length before it is patched in (9 + 4 bytes). */
const OP_HEAD = '\0'.repeat(13);
/** The previous op's watch = false, then the next op's head. */
const WATCH_AND_OP_HEAD = '\0'.repeat(14);
/** The closing MultiHeader before it is patched in, after the last op's watch = false. */
const CLOSE = '\0'.repeat(9);
const WATCH_AND_CLOSE = '\0'.repeat(10);

/** One op's outcome in a multiRead response: data + stat, children, or a ZooKeeper error code. */
export type MultiReadResult = { data: Buffer; stat: ZnodeStat } | { children: string[] } | { errorCode: number };

const OP_ERROR = -1;
const STAT_BYTES = 68;

/**
 * Checks a multiRead response frame (after its 16-byte ReplyHeader) and returns where each op's
 * result starts, without decoding any: results are made one at a time by multiReadResultAt as
 * they are handed on, so a batch's objects die young instead of living while its whole batch
 * (and the batches in flight beside it) waits. Throws on anything that is not a well-formed answer
 * to a batch of `kind` (each result that kind's or an error).
 */
export function indexMultiReadResponse(frame: Buffer, kind: MultiReadKind): Int32Array {
  const expected = kind === 'data' ? OPCODES.getData : OPCODES.getChildren;
  let offsets = new Int32Array(64);
  let count = 0;
  let at = 20;
  const need = (bytes: number): void => {
    if (bytes < 0 || at + bytes > frame.length) {
      throw new Error('Truncated multiRead response.');
    }
  };
  for (;;) {
    need(9);
    const type = int32At(frame, at);
    if (frame[at + 4] !== 0) {
      return offsets.subarray(0, count);
    }
    if (count === offsets.length) {
      const grown = new Int32Array(count * 2);
      grown.set(offsets);
      offsets = grown;
    }
    if (type !== expected && type !== OP_ERROR) {
      throw new Error(`Unexpected op type ${type} in a multiRead response to ${kind} reads.`);
    }
    offsets[count++] = at;
    at += 9;
    if (type === OPCODES.getData) {
      need(4);
      const length = int32At(frame, at);
      at += 4;
      need(Math.max(length, 0) + STAT_BYTES);
      at += Math.max(length, 0) + STAT_BYTES;
    } else if (type === OPCODES.getChildren) {
      need(4);
      const children = int32At(frame, at);
      at += 4;
      if (children < 0) {
        throw new Error(`Impossible child count ${children} in a multiRead response.`);
      }
      for (let i = 0; i < children; i += 1) {
        need(4);
        const length = int32At(frame, at);
        at += 4;
        need(length);
        at += length;
      }
    } else {
      need(4);
      at += 4;
    }
  }
}

/** The error code of the result at `at` (an offset from indexMultiReadResponse), or 0 when it is not an error. */
export function multiReadErrorAt(frame: Buffer, at: number): number {
  return int32At(frame, at) === OP_ERROR ? int32At(frame, at + 9) : 0;
}

/**
 * The result at `at` (an offset from indexMultiReadResponse). A data buffer is a view into the frame,
 * not a copy: whoever keeps it keeps the frame (batches are capped at about a megabyte).
 */
export function multiReadResultAt(frame: Buffer, at: number): MultiReadResult {
  const start = dataResultStart(frame, at);
  if (start >= 0) {
    const end = dataResultEnd(frame, start);
    return { data: frame.subarray(start, end), stat: readStat(frame, end) };
  }
  const type = int32At(frame, at);
  at += 9;
  if (type === OPCODES.getChildren) {
    const count = int32At(frame, at);
    at += 4;
    const children = new Array<string>(count);
    for (let i = 0; i < count; i += 1) {
      const length = int32At(frame, at);
      at += 4;
      children[i] = frame.toString('utf8', at, at + length);
      at += length;
    }
    return { children };
  }
  return { errorCode: int32At(frame, at) };
}

/**
 * Where the data of a getData result at `at` starts in the frame, or -1 for any other result. The
 * data ends at dataResultEnd and the result's stat follows it: for readers that take the bytes in
 * place instead of a data view and a stat object per znode (a lock walk reads 100k).
 */
export function dataResultStart(frame: Buffer, at: number): number {
  return int32At(frame, at) === OPCODES.getData ? at + 13 : -1;
}

export function dataResultEnd(frame: Buffer, start: number): number {
  return start + Math.max(int32At(frame, start - 4), 0);
}

/** Where the first child name of a getChildren result at `at` starts (its count is the int before), or -1 for any other result. */
export function childrenResultStart(frame: Buffer, at: number): number {
  return int32At(frame, at) === OPCODES.getChildren ? at + 13 : -1;
}

/** Each of `count` child names from `first` on (a checked frame, see childrenResultStart): its bytes are frame[start, end). */
export function forEachChildNameAt(frame: Buffer, first: number, count: number, visit: (start: number, end: number) => void): void {
  let at = first;
  for (let c = 0; c < count; c += 1) {
    const end = at + 4 + int32At(frame, at);
    visit(at + 4, end);
    at = end;
  }
}

/**
 * A big-endian int32 of a checked frame, by hand: Buffer's readInt32BE checks its arguments on
 * every call, and a walk reads a million of these.
 */
export function int32At(frame: Buffer, at: number): number {
  return (frame[at] << 24) | (frame[at + 1] << 16) | (frame[at + 2] << 8) | frame[at + 3];
}

/** jute Stat field offsets: czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, dataLength, numChildren, pzxid. */
const STAT = { ctime: 16, mtime: 24, version: 32, cversion: 36, aversion: 40, ephemeralOwner: 44, dataLength: 52, numChildren: 56 } as const;

/** A jute long as a number (exact for times, the one use). */
function readLong(frame: Buffer, at: number): number {
  return int32At(frame, at) * 2 ** 32 + (int32At(frame, at + 4) >>> 0);
}

export function statCtimeAt(frame: Buffer, statAt: number): number {
  return readLong(frame, statAt + STAT.ctime);
}

/** The owner session as lower-case hex without leading zeros, "0" for a persistent znode (as the library gives it). */
export function statEphemeralOwnerAt(frame: Buffer, statAt: number): string {
  const at = statAt + STAT.ephemeralOwner;
  const high = int32At(frame, at);
  const low = int32At(frame, at + 4);
  if (high === 0 && low === 0) {
    return '0';
  }
  // A lock manager's locks come in runs of one owner: its text is made once per run.
  if (high !== lastOwner.high || low !== lastOwner.low) {
    lastOwner.high = high;
    lastOwner.low = low;
    lastOwner.text = frame.toString('hex', at, at + 8).replace(/^0+/, '');
  }
  return lastOwner.text;
}

const lastOwner = { high: 0, low: 0, text: '0' };

function readStat(frame: Buffer, at: number): ZnodeStat {
  return {
    version: int32At(frame, at + STAT.version),
    cversion: int32At(frame, at + STAT.cversion),
    aversion: int32At(frame, at + STAT.aversion),
    numChildren: int32At(frame, at + STAT.numChildren),
    dataLength: int32At(frame, at + STAT.dataLength),
    ctime: statCtimeAt(frame, at),
    mtime: readLong(frame, at + STAT.mtime),
    ephemeralOwner: statEphemeralOwnerAt(frame, at),
  };
}
