// ZooKeeper's SASL exchange (opcode 102) run between a connection's ConnectResponse and its first
// request: the frame codec and the token loop, independent of the mechanism (DIGEST-MD5, GSSAPI).

import { HiveZkError } from './errors';

/** One client side of a SASL mechanism. */
export interface SaslMechanism {
  readonly name: 'DIGEST-MD5' | 'GSSAPI';
  /** The first token sent (empty for DIGEST-MD5, which has no initial response). */
  start(): Promise<Buffer>;
  /** Answers a server token; undefined when the client is done and sends nothing more. */
  step(serverToken: Buffer): Promise<Buffer | undefined>;
  /** True once the client has sent (or verified) its last message. */
  readonly complete: boolean;
}

export const SASL_OPCODE = 102;
/** Server tokens are small (a DIGEST challenge, a Kerberos AP-REP); anything larger is not SASL. */
const MAX_TOKEN_BYTES = 64 * 1024;
/** The exchange is a handful of round trips; a server that keeps asking is broken or hostile. */
const MAX_ROUND_TRIPS = 10;

/** A length-prefixed request frame: RequestHeader{xid, type=102} + GetSASLRequest{buffer token}. */
export function encodeSaslRequest(xid: number, token: Buffer): Buffer {
  const frame = Buffer.alloc(4 + 4 + 4 + 4 + token.length);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt32BE(xid, 4);
  frame.writeInt32BE(SASL_OPCODE, 8);
  frame.writeInt32BE(token.length, 12);
  token.copy(frame, 16);
  return frame;
}

export interface SaslReply {
  xid: number;
  /** ZooKeeper error code of the reply header (0 when the server accepted the token). */
  err: number;
  token: Buffer;
}

/** Decodes a reply frame (with or without its 4-byte length prefix): ReplyHeader + SetSASLResponse. */
export function decodeSaslReply(frame: Buffer, hasLengthPrefix = true): SaslReply {
  const body = hasLengthPrefix ? frame.subarray(4) : frame;
  if (hasLengthPrefix && (frame.length < 4 || frame.readInt32BE(0) !== body.length)) {
    throw new HiveZkError('ZK_SASL_FAILED', 'The server sent a malformed SASL reply (bad frame length).');
  }
  // ReplyHeader{int xid, long zxid, int err} then SetSASLResponse{buffer token}; an error reply may end after the header.
  if (body.length < 16) {
    throw new HiveZkError('ZK_SASL_FAILED', 'The server sent a malformed SASL reply (too short).');
  }
  const xid = body.readInt32BE(0);
  const err = body.readInt32BE(12);
  const length = body.length >= 20 ? body.readInt32BE(16) : -1;
  if (length === -1) {
    return { xid, err, token: Buffer.alloc(0) };
  }
  if (length < 0 || length > MAX_TOKEN_BYTES || 20 + length > body.length) {
    throw new HiveZkError('ZK_SASL_FAILED', 'The server sent a malformed SASL reply (bad token length).');
  }
  return { xid, err, token: Buffer.from(body.subarray(20, 20 + length)) };
}

/**
 * Runs the whole exchange over `roundTrip` (sends one request frame, resolves with the reply frame).
 * Resolves when the server has accepted the client's last message; fails with ZK_SASL_FAILED.
 */
export async function runSaslExchange(mechanism: SaslMechanism, roundTrip: (frame: Buffer) => Promise<Buffer>, firstXid = 1): Promise<void> {
  let token: Buffer | undefined = await mechanism.start();
  let xid = firstXid;
  for (let round = 0; token !== undefined; round += 1) {
    if (round >= MAX_ROUND_TRIPS) {
      throw new HiveZkError('ZK_SASL_FAILED', `The ${mechanism.name} exchange did not finish within ${MAX_ROUND_TRIPS} round trips.`);
    }
    const reply = decodeSaslReply(await roundTrip(encodeSaslRequest(xid, token)));
    xid += 1;
    if (reply.err !== 0) {
      // -115 (auth failed) or, when the server enforces SASL, -124; either way it rejected us.
      throw new HiveZkError('ZK_SASL_FAILED', `ZooKeeper rejected the ${mechanism.name} authentication (error ${reply.err}); check the credentials.`, { zkCode: reply.err, mechanism: mechanism.name });
    }
    if (mechanism.complete) {
      return;
    }
    token = await mechanism.step(reply.token);
  }
  if (!mechanism.complete) {
    throw new HiveZkError('ZK_SASL_FAILED', `The ${mechanism.name} exchange ended before it was complete.`);
  }
}
