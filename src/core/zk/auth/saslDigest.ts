// SASL DIGEST-MD5 client (RFC 2831, qop=auth only) as ZooKeeper's DigestLoginModule expects it:
// service "zookeeper", server name "zk-sasl-md5"; the server's rspauth is verified, not trusted.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HiveZkError } from '../../errors';
import type { SaslMechanism } from './sasl';

export interface DigestCredential {
  username: string;
  /** A secret: never logged, echoed or put in an error. */
  password: string;
}

/** ZooKeeper's fixed DIGEST-MD5 identity (its Java client uses the same). */
export const ZK_DIGEST_SERVICE = 'zookeeper';
export const ZK_DIGEST_SERVER_NAME = 'zk-sasl-md5';

const MAX_CHALLENGE_BYTES = 2048;

/**
 * Splits a DIGEST-MD5 challenge into its directives: `key=value` or `key="quoted, \"escaped\""`,
 * separated by commas. The first value of a repeated key wins (the RFC forbids repeats except realm).
 */
export function parseDigestDirectives(text: string): Map<string, string> {
  const directives = new Map<string, string>();
  let i = 0;
  const skipSpaces = (): void => {
    while (i < text.length && /[\s,]/.test(text[i])) {
      i += 1;
    }
  };
  skipSpaces();
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) {
      throw new HiveZkError('ZK_SASL_FAILED', 'The server sent a malformed DIGEST-MD5 challenge.');
    }
    const key = text.slice(i, eq).trim().toLowerCase();
    if (!/^[a-z0-9-]+$/.test(key)) {
      throw new HiveZkError('ZK_SASL_FAILED', 'The server sent a malformed DIGEST-MD5 challenge.');
    }
    i = eq + 1;
    let value = '';
    if (text[i] === '"') {
      i += 1;
      let closed = false;
      while (i < text.length) {
        const ch = text[i];
        if (ch === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (ch === '"') {
          i += 1;
          closed = true;
          break;
        } else {
          value += ch;
          i += 1;
        }
      }
      if (!closed) {
        throw new HiveZkError('ZK_SASL_FAILED', 'The server sent a malformed DIGEST-MD5 challenge (unterminated quote).');
      }
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      value = text.slice(i, end).trim();
      i = end;
    }
    if (!directives.has(key)) {
      directives.set(key, value);
    }
    skipSpaces();
  }
  return directives;
}

const md5 = (...parts: (string | Buffer)[]): Buffer => {
  const hash = createHash('md5');
  for (const part of parts) {
    hash.update(part);
  }
  return hash.digest();
};
const hex = (value: Buffer): string => value.toString('hex');
const quote = (value: string): string => `"${value.replace(/(["\\])/g, '\\$1')}"`;

/** The RFC 2831 response value; `a2Prefix` is "AUTHENTICATE" for the client, "" for the server's rspauth. */
export function digestResponseValue(input: {
  username: string;
  realm: string;
  password: string;
  nonce: string;
  cnonce: string;
  nc: string;
  qop: string;
  digestUri: string;
  a2Prefix: 'AUTHENTICATE' | '';
  /** utf-8 when the server offered charset=utf-8, else ISO-8859-1. */
  encoding: 'utf8' | 'latin1';
}): string {
  const secret = md5(Buffer.from(`${input.username}:${input.realm}:${input.password}`, input.encoding));
  const a1 = Buffer.concat([secret, Buffer.from(`:${input.nonce}:${input.cnonce}`, input.encoding)]);
  const a2 = `${input.a2Prefix}:${input.digestUri}`;
  return hex(md5(`${hex(md5(a1))}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${hex(md5(a2))}`));
}

/** A DIGEST-MD5 client for one connection (a new one for every connection: nonces are single use). */
export function createDigestMd5Client(credential: DigestCredential, options: { cnonce?: string } = {}): SaslMechanism {
  let expectedRspauth: string | undefined;
  let done = false;
  const digestUri = `${ZK_DIGEST_SERVICE}/${ZK_DIGEST_SERVER_NAME}`;

  const answerChallenge = (challenge: Buffer): Buffer => {
    if (challenge.length === 0) {
      // What a server without a SASL (JAAS Server) configuration answers.
      throw new HiveZkError('ZK_SASL_FAILED', 'The server did not start a DIGEST-MD5 exchange: it seems to have no SASL configured (JAAS "Server" section). Connect without SASL, or check the server.');
    }
    if (challenge.length > MAX_CHALLENGE_BYTES) {
      throw new HiveZkError('ZK_SASL_FAILED', 'The server sent an oversized DIGEST-MD5 challenge.');
    }
    const directives = parseDigestDirectives(challenge.toString('utf8'));
    const nonce = directives.get('nonce');
    if (!nonce) {
      throw new HiveZkError('ZK_SASL_FAILED', 'The server\'s DIGEST-MD5 challenge has no nonce.');
    }
    const algorithm = directives.get('algorithm');
    if (algorithm?.toLowerCase() !== 'md5-sess') {
      throw new HiveZkError('ZK_SASL_FAILED', 'The server\'s DIGEST-MD5 challenge does not offer algorithm=md5-sess.');
    }
    const qops = (directives.get('qop') ?? 'auth').split(',').map((q) => q.trim().toLowerCase());
    if (!qops.includes('auth')) {
      throw new HiveZkError('ZK_SASL_FAILED', `The server only offers DIGEST-MD5 protection levels this client does not do (${qops.join(', ')}).`);
    }
    const utf8 = directives.get('charset')?.toLowerCase() === 'utf-8';
    const realm = directives.get('realm') ?? ZK_DIGEST_SERVER_NAME;
    const cnonce = options.cnonce ?? randomBytes(24).toString('base64');
    const nc = '00000001';
    const common = { username: credential.username, realm, password: credential.password, nonce, cnonce, nc, qop: 'auth', digestUri, encoding: utf8 ? ('utf8' as const) : ('latin1' as const) };
    const response = digestResponseValue({ ...common, a2Prefix: 'AUTHENTICATE' });
    expectedRspauth = digestResponseValue({ ...common, a2Prefix: '' });
    const fields = [
      `username=${quote(credential.username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(nonce)}`,
      `nc=${nc}`,
      `cnonce=${quote(cnonce)}`,
      `digest-uri=${quote(digestUri)}`,
      'maxbuf=65536',
      `response=${response}`,
      'qop=auth',
      ...(utf8 ? ['charset=utf-8'] : []),
    ];
    return Buffer.from(fields.join(','), utf8 ? 'utf8' : 'latin1');
  };

  const verifyRspauth = (final: Buffer): undefined => {
    const rspauth = parseDigestDirectives(final.toString('utf8')).get('rspauth') ?? '';
    const expected = Buffer.from(expectedRspauth ?? '', 'utf8');
    const got = Buffer.from(rspauth.toLowerCase(), 'utf8');
    if (expected.length === 0 || got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new HiveZkError('ZK_SASL_FAILED', 'The server\'s DIGEST-MD5 proof (rspauth) is wrong: it does not know this credential, or something is in between.');
    }
    done = true;
    return undefined;
  };

  return {
    name: 'DIGEST-MD5',
    get complete() {
      return done;
    },
    start: () => Promise.resolve(Buffer.alloc(0)),
    step: (serverToken) => {
      try {
        return Promise.resolve(expectedRspauth === undefined ? answerChallenge(serverToken) : verifyRspauth(serverToken));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

/** Splits "user:password" (the env form); the password may itself contain colons. */
export function parseDigestCredential(value: string, source: string): DigestCredential {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    // Never echo the value: it holds a password.
    throw new HiveZkError('BAD_ARGUMENT', `${source} must be "user:password" (it is set, but not in that form).`);
  }
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}
