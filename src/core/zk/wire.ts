// ZooKeeper's wire format where the session needs it below the client library: length-prefixed
// frames, and the few jute records the library cannot read or write itself (watches, SASL); multiRead's
// are wireMultiRead.ts's.


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

/** `path` under `chroot` ("" for none), as the server sees it. */
export function chrooted(path: string, chroot: string): string {
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
