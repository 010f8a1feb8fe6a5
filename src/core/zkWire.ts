// ZooKeeper's wire format where the session needs it below the client library: length-prefixed
// frames, and the few jute records the library cannot read or write itself.

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
