// ZooKeeper's SASL exchange (opcode 102) run between a connection's ConnectResponse and its first
// request: the frame codec and the token loop, independent of the mechanism (DIGEST-MD5, GSSAPI).

import { HiveZkError } from '../../errors';
import { gssapiRejected } from './kerberosErrors';
import { juteBuffer, OPCODES, replyHeader, requestFrame } from '../wire';

/** One client side of a SASL mechanism. */
export interface SaslMechanism {
  readonly name: 'DIGEST-MD5' | 'GSSAPI';
  /** The first token sent (empty for DIGEST-MD5, which has no initial response). */
  start(): Promise<Buffer>;
  /** Answers a server token; undefined when the client is done and sends nothing more. */
  step(serverToken: Buffer): Promise<Buffer | undefined>;
  /** True once the client has sent (or verified) its last message. */
  readonly complete: boolean;
  /** Who the client authenticated as, once known (a Kerberos principal after the context is set up). */
  readonly user?: string | undefined;
}

/** Server tokens are small (a DIGEST challenge, a Kerberos AP-REP); anything larger is not SASL. */
const MAX_TOKEN_BYTES = 64 * 1024;
/** The exchange is a handful of round trips; a server that keeps asking is broken or hostile. */
const MAX_ROUND_TRIPS = 10;

/** A request frame: RequestHeader{xid, type=102} + GetSASLRequest{buffer token}. */
export function encodeSaslRequest(xid: number, token: Buffer): Buffer {
  return requestFrame(xid, OPCODES.sasl, juteBuffer(token));
}

export interface SaslReply {
  xid: number;
  /** ZooKeeper error code of the reply header (0 when the server accepted the token). */
  err: number;
  token: Buffer;
}

/** Decodes a whole reply frame: ReplyHeader{xid, zxid, err} + SetSASLResponse{buffer token}; an error reply may end after the header. */
export function decodeSaslReply(frame: Buffer): SaslReply {
  if (frame.length < 20 || frame.readInt32BE(0) !== frame.length - 4) {
    throw new HiveZkError('ZK_SASL_FAILED', 'The server sent a malformed SASL reply.');
  }
  const { xid, err } = replyHeader(frame);
  const length = frame.length >= 24 ? frame.readInt32BE(20) : -1;
  if (length === -1) {
    return { xid, err, token: Buffer.alloc(0) };
  }
  if (length < 0 || length > MAX_TOKEN_BYTES || 24 + length > frame.length) {
    throw new HiveZkError('ZK_SASL_FAILED', 'The server sent a malformed SASL reply (bad token length).');
  }
  return { xid, err, token: Buffer.from(frame.subarray(24, 24 + length)) };
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
      if (mechanism.name === 'GSSAPI') {
        throw gssapiRejected(reply.err);
      }
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
