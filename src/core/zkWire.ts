// ZooKeeper's wire format where the session needs it below the client library: length-prefixed
// frames, and the few jute records the library cannot read or write itself (multiRead, SASL).

import type { ZnodeStat } from './zkTypes';
import { isChildPaths, pathCount, type ZnodePaths } from './znodePath';

/** Larger frames mean a broken or hostile peer; ZooKeeper's own client stops far below this. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

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
export const OPCODES = { exists: 3, getData: 4, getChildren: 8, multiRead: 22, sasl: 102 } as const;

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

/** The ReplyHeader {xid, zxid, err} that opens every response frame after the ConnectResponse. */
export function replyHeader(frame: Buffer): { xid: number; err: number } {
  return { xid: frame.readInt32BE(4), err: frame.readInt32BE(16) };
}

export type MultiReadKind = 'data' | 'children';

/**
 * A multiRead request (opcode 22, ZooKeeper 3.6+): a MultiHeader {type, done=false, err=-1} and a
 * {path, watch=false} request per op, closed by MultiHeader {-1, true, -1}. Each path is written
 * under `chroot`; paths given as parents and names are written from those parts, each parent's
 * bytes encoded once for the run of names under it.
 */
export function multiReadFrame(xid: number, kind: MultiReadKind, paths: ZnodePaths, chroot = ''): Buffer {
  const opcode = kind === 'data' ? OPCODES.getData : OPCODES.getChildren;
  const count = pathCount(paths);
  // Each op's path as written: a whole server path, or a parent's "chroot/parent/" bytes and a name.
  const whole = isChildPaths(paths) ? undefined : paths.map((path) => (chroot ? (path === '/' ? chroot : chroot + path) : path));
  const prefixes = new Array<Buffer | undefined>(count);
  const lengths = new Int32Array(count);
  let size = 12 + 9; // length, xid, type; closing MultiHeader
  let lastParent: string | undefined;
  let lastPrefix: Buffer | undefined;
  for (let i = 0; i < count; i += 1) {
    if (whole) {
      lengths[i] = Buffer.byteLength(whole[i] ?? '', 'utf8');
    } else if (isChildPaths(paths)) {
      const parent = paths.parents[i] ?? '';
      if (parent !== lastParent || !lastPrefix) {
        lastParent = parent;
        lastPrefix = Buffer.from(`${chroot}${parent === '/' ? '' : parent}/`, 'utf8');
      }
      prefixes[i] = lastPrefix;
      lengths[i] = lastPrefix.length + Buffer.byteLength(paths.names[i] ?? '', 'utf8');
    }
    size += 9 + 4 + lengths[i] + 1;
  }
  const frame = Buffer.allocUnsafe(size);
  let at = frame.writeInt32BE(size - 4, 0);
  at = frame.writeInt32BE(xid, at);
  at = frame.writeInt32BE(OPCODES.multiRead, at);
  for (let i = 0; i < count; i += 1) {
    at = frame.writeInt32BE(opcode, at);
    at = frame.writeUInt8(0, at);
    at = frame.writeInt32BE(-1, at);
    at = frame.writeInt32BE(lengths[i], at);
    if (whole) {
      at += frame.write(whole[i] ?? '', at, 'utf8');
    } else if (isChildPaths(paths)) {
      at += (prefixes[i] ?? Buffer.alloc(0)).copy(frame, at);
      at += frame.write(paths.names[i] ?? '', at, 'utf8');
    }
    at = frame.writeUInt8(0, at);
  }
  at = frame.writeInt32BE(-1, at);
  at = frame.writeUInt8(1, at);
  frame.writeInt32BE(-1, at);
  return frame;
}

/** One op's outcome in a multiRead response: data + stat, children, or a ZooKeeper error code. */
export type MultiReadResult = { data: Buffer; stat: ZnodeStat } | { children: string[] } | { errorCode: number };

const OP_ERROR = -1;
const STAT_BYTES = 68;

/**
 * Checks a multiRead response frame (after its 16-byte ReplyHeader) and returns where each op's
 * result starts, without decoding any: results are made one at a time by multiReadResultAt as
 * they are handed on, so a batch's objects die young instead of living while its whole batch
 * (and the batches in flight beside it) waits. Throws on anything that is not a well-formed response.
 */
export function indexMultiReadResponse(frame: Buffer): Int32Array {
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
    const type = frame.readInt32BE(at);
    if (frame.readUInt8(at + 4) !== 0) {
      return offsets.subarray(0, count);
    }
    if (count === offsets.length) {
      const grown = new Int32Array(count * 2);
      grown.set(offsets);
      offsets = grown;
    }
    offsets[count++] = at;
    at += 9;
    if (type === OPCODES.getData) {
      need(4);
      const length = frame.readInt32BE(at);
      at += 4;
      need(Math.max(length, 0) + STAT_BYTES);
      at += Math.max(length, 0) + STAT_BYTES;
    } else if (type === OPCODES.getChildren) {
      need(4);
      const children = frame.readInt32BE(at);
      at += 4;
      for (let i = 0; i < children; i += 1) {
        need(4);
        const length = frame.readInt32BE(at);
        at += 4;
        need(length);
        at += length;
      }
    } else if (type === OP_ERROR) {
      need(4);
      at += 4;
    } else {
      throw new Error(`Unexpected op type ${type} in a multiRead response.`);
    }
  }
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
  const type = frame.readInt32BE(at);
  at += 9;
  if (type === OPCODES.getChildren) {
    const count = frame.readInt32BE(at);
    at += 4;
    const children = new Array<string>(count);
    for (let i = 0; i < count; i += 1) {
      const length = frame.readInt32BE(at);
      at += 4;
      children[i] = frame.toString('utf8', at, at + length);
      at += length;
    }
    return { children };
  }
  return { errorCode: frame.readInt32BE(at) };
}

/**
 * Where the data of a getData result at `at` starts in the frame, or -1 for any other result. The
 * data ends at dataResultEnd and the result's stat follows it: for readers that take the bytes in
 * place instead of a data view and a stat object per znode (a lock walk reads 100k).
 */
export function dataResultStart(frame: Buffer, at: number): number {
  return frame.readInt32BE(at) === OPCODES.getData ? at + 13 : -1;
}

export function dataResultEnd(frame: Buffer, start: number): number {
  return start + Math.max(frame.readInt32BE(start - 4), 0);
}

/** jute Stat field offsets: czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, dataLength, numChildren, pzxid. */
const STAT = { ctime: 16, mtime: 24, version: 32, cversion: 36, aversion: 40, ephemeralOwner: 44, dataLength: 52, numChildren: 56 } as const;

/** A jute long as a number (exact for times, the one use). */
function readLong(frame: Buffer, at: number): number {
  return frame.readInt32BE(at) * 2 ** 32 + frame.readUInt32BE(at + 4);
}

export function statCtimeAt(frame: Buffer, statAt: number): number {
  return readLong(frame, statAt + STAT.ctime);
}

/** The owner session as lower-case hex without leading zeros, "0" for a persistent znode (as the library gives it). */
export function statEphemeralOwnerAt(frame: Buffer, statAt: number): string {
  const at = statAt + STAT.ephemeralOwner;
  return frame.readInt32BE(at) === 0 && frame.readInt32BE(at + 4) === 0 ? '0' : frame.toString('hex', at, at + 8).replace(/^0+/, '');
}

function readStat(frame: Buffer, at: number): ZnodeStat {
  return {
    version: frame.readInt32BE(at + STAT.version),
    cversion: frame.readInt32BE(at + STAT.cversion),
    aversion: frame.readInt32BE(at + STAT.aversion),
    numChildren: frame.readInt32BE(at + STAT.numChildren),
    dataLength: frame.readInt32BE(at + STAT.dataLength),
    ctime: statCtimeAt(frame, at),
    mtime: readLong(frame, at + STAT.mtime),
    ephemeralOwner: statEphemeralOwnerAt(frame, at),
  };
}
