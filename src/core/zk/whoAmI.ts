// ZooKeeper's whoAmI (opcode 107, 3.7+): which identities the server holds for this session, as the
// request frame, a bounded decoder of its reply, and what one client has learnt of it (answer, or
// "the server has no whoAmI", after which the client falls back to what it knows it sent).

import { HiveZkError } from '../errors';
import type { ZkIdentity } from './identities';
import { replyHeader, requestFrame } from './wire';

export const WHO_AM_I_OPCODE = 107;

/** A session holds a handful of identities (ip, one SASL or digest per addAuth): more is not a whoAmI reply. */
const MAX_IDENTITIES = 64;
/** Schemes and user names are short (a Kerberos principal, an address); longer is not a whoAmI reply. */
const MAX_FIELD_BYTES = 4096;

/** A whoAmI request: the RequestHeader alone. */
export function whoAmIFrame(xid: number): Buffer {
  return requestFrame(xid, WHO_AM_I_OPCODE);
}

function malformed(reason: string): HiveZkError {
  return new HiveZkError('ZK_ERROR', `ZooKeeper sent a malformed whoAmI reply (${reason}).`, { opcode: WHO_AM_I_OPCODE });
}

/**
 * Decodes a whole reply frame: length, ReplyHeader{xid, zxid, err}, then WhoAmIResponse{
 * vector<ClientInfo{ustring authScheme; ustring user}>}. Every count and length is checked against
 * the bytes left and a cap before it is used; anything else is a ZK_ERROR naming what is wrong.
 */
export function decodeWhoAmIReply(frame: Buffer): ZkIdentity[] {
  if (frame.length < 24 || frame.readInt32BE(0) !== frame.length - 4) {
    throw malformed('truncated');
  }
  let at = 20;
  const count = frame.readInt32BE(at);
  at += 4;
  if (count === -1) {
    return []; // jute's null vector
  }
  if (count < 0 || count > MAX_IDENTITIES) {
    throw malformed(`impossible identity count ${count}`);
  }
  const field = (): string => {
    if (at + 4 > frame.length) {
      throw malformed('truncated');
    }
    const length = frame.readInt32BE(at);
    at += 4;
    if (length === -1) {
      return '';
    }
    if (length < 0 || length > MAX_FIELD_BYTES || at + length > frame.length) {
      throw malformed(`impossible string length ${length}`);
    }
    const text = frame.toString('utf8', at, at + length);
    at += length;
    return text;
  };
  const identities: ZkIdentity[] = [];
  for (let i = 0; i < count; i += 1) {
    const scheme = field();
    const id = field();
    identities.push({ scheme, id: withoutSecret(scheme, id) });
  }
  if (at !== frame.length) {
    throw malformed(`${frame.length - at} bytes after the last identity`);
  }
  return identities;
}

/**
 * A digest identity is "user:base64(sha1(user:password))" inside the server; servers answer the
 * user alone, but a hash of a password is never shown whatever a server sends.
 */
function withoutSecret(scheme: string, id: string): string {
  const colon = id.indexOf(':');
  return scheme === 'digest' && colon >= 0 ? id.slice(0, colon) : id;
}

/** What one library client has learnt of whoAmI. */
export interface WhoAmISupport {
  /** The server answered -6 (before 3.7): never asked again on this client. */
  unsupported: boolean;
  /** The server's answer, once it has given one (the identities last for the session). */
  identities?: ZkIdentity[];
  /** Reply frames by xid, taken by the socket hook before the library sees them. */
  replies: Map<number, Buffer | undefined>;
}

export function newWhoAmISupport(): WhoAmISupport {
  return { unsupported: false, replies: new Map() };
}

/** Runs in the socket's data path for every frame: keeps the reply of a whoAmI in flight (err 0 only). */
export function takeWhoAmIReply(support: WhoAmISupport, frame: Buffer): void {
  if (support.replies.size === 0 || frame.length < 20) {
    return;
  }
  const { xid, err } = replyHeader(frame);
  if (err === 0 && support.replies.has(xid)) {
    support.replies.set(xid, frame);
  }
}
