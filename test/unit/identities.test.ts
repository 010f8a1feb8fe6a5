// whoAmI replies decoded within bounds (hostile ones refused with a typed error), and the
// identity words of ZK_NO_AUTH: named, escaped, and advice that fits the way the session authenticated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { authenticationAttempted, clientIdentities, describeIdentities, digestUserOf, type SessionIdentities } from '../../src/core/zk/identities';
import { decodeWhoAmIReply, newWhoAmISupport, takeWhoAmIReply, whoAmIFrame, WHO_AM_I_OPCODE } from '../../src/core/zk/whoAmI';
import { errorFromCode } from '../../src/core/zk/errorMap';

/** A reply frame: length, ReplyHeader{xid, zxid, err}, then `body`. */
function reply(body: Buffer, xid = 7, err = 0): Buffer {
  const frame = Buffer.alloc(20 + body.length);
  frame.writeInt32BE(16 + body.length, 0);
  frame.writeInt32BE(xid, 4);
  frame.writeInt32BE(err, 16);
  body.copy(frame, 20);
  return frame;
}
const int = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
};
const ustring = (text: string): Buffer => Buffer.concat([int(Buffer.byteLength(text)), Buffer.from(text)]);
const infos = (...pairs: [string, string][]): Buffer => Buffer.concat([int(pairs.length), ...pairs.flatMap(([s, u]) => [ustring(s), ustring(u)])]);

const malformed = (e: unknown): boolean => e instanceof HiveZkError && e.code === 'ZK_ERROR' && /malformed whoAmI reply/.test(e.message);

test('whoAmI request is the RequestHeader alone, opcode 107', () => {
  assert.deepEqual([...whoAmIFrame(5)], [0, 0, 0, 8, 0, 0, 0, 5, 0, 0, 0, WHO_AM_I_OPCODE]);
});

test('whoAmI reply: identities in order; a null vector is none', () => {
  assert.deepEqual(decodeWhoAmIReply(reply(infos(['sasl', 'bob@HIVEZK.TEST'], ['ip', '127.0.0.1']))), [
    { scheme: 'sasl', id: 'bob@HIVEZK.TEST' },
    { scheme: 'ip', id: '127.0.0.1' },
  ]);
  assert.deepEqual(decodeWhoAmIReply(reply(int(-1))), []);
  assert.deepEqual(decodeWhoAmIReply(reply(int(0))), []);
});

test('whoAmI reply: a digest id with its password hash is shown as the user alone', () => {
  assert.deepEqual(decodeWhoAmIReply(reply(infos(['digest', 'reader:Zm9vYmFyYmF6cXV4PQ==']))), [{ scheme: 'digest', id: 'reader' }]);
});

test('whoAmI reply: hostile counts, lengths and framing are typed errors, never big allocations', () => {
  const cases: [string, Buffer][] = [
    ['no body', reply(Buffer.alloc(0))],
    ['count beyond the cap', reply(int(1_000_000))],
    ['negative count', reply(int(-2))],
    ['count larger than the frame', reply(Buffer.concat([int(3), ustring('ip'), ustring('1.2.3.4')]))],
    ['string length beyond the frame', reply(Buffer.concat([int(1), int(0x7fffffff)]))],
    ['string length beyond the cap', reply(Buffer.concat([int(1), int(5000), Buffer.alloc(5000), ustring('x')]))],
    ['negative string length', reply(Buffer.concat([int(1), int(-5), ustring('x')]))],
    ['bytes after the last identity', reply(Buffer.concat([infos(['ip', '127.0.0.1']), Buffer.from([0])]))],
  ];
  for (const [name, frame] of cases) {
    assert.throws(() => decodeWhoAmIReply(frame), malformed, name);
  }
  const lying = reply(infos(['ip', '127.0.0.1']));
  lying.writeInt32BE(9999, 0);
  assert.throws(() => decodeWhoAmIReply(lying), malformed, 'frame length that does not match');
  assert.throws(() => decodeWhoAmIReply(Buffer.alloc(10)), malformed, 'shorter than a header');
});

test('the socket hook keeps only the reply of a whoAmI in flight, and only when it succeeded', () => {
  const support = newWhoAmISupport();
  const answer = reply(infos(['ip', '127.0.0.1']), 7);
  takeWhoAmIReply(support, answer);
  assert.equal(support.replies.size, 0, 'nothing asked, nothing kept');
  support.replies.set(7, undefined);
  takeWhoAmIReply(support, reply(int(0), 8));
  takeWhoAmIReply(support, reply(Buffer.alloc(0), 7, -6));
  assert.equal(support.replies.get(7), undefined);
  takeWhoAmIReply(support, answer);
  assert.equal(support.replies.get(7), answer);
});

const kerberosBob: SessionIdentities = {
  source: 'server',
  identities: [
    { scheme: 'sasl', id: 'bob@HIVEZK.TEST' },
    { scheme: 'ip', id: '127.0.0.1' },
  ],
  client: { mechanism: 'GSSAPI', saslUser: 'bob@HIVEZK.TEST' },
};

test('ZK_NO_AUTH names the identities and gives advice that fits how the session authenticated', () => {
  const kerberos = errorFromCode(-102, '/hs2', 'zk:2181', undefined, kerberosBob);
  assert.equal(kerberos.code, 'ZK_NO_AUTH');
  assert.match(kerberos.message, /^Not authorized to read \/hs2: this session, which ZooKeeper knows as sasl:bob@HIVEZK\.TEST, ip:127\.0\.0\.1, is not allowed by the ACL\./);
  assert.match(kerberos.message, /kinit/);
  assert.doesNotMatch(kerberos.message, /digest/i);
  assert.deepEqual(kerberos.details.identities, ['sasl:bob@HIVEZK.TEST', 'ip:127.0.0.1']);

  const saslDigest = errorFromCode(-102, '/hs2', 'zk:2181', undefined, { source: 'server', identities: [{ scheme: 'sasl', id: 'hive' }], client: { mechanism: 'DIGEST-MD5', saslUser: 'hive' } });
  assert.match(saslDigest.message, /SASL user the ACL allows/);
  assert.doesNotMatch(saslDigest.message, /kinit|digest credential/);

  const digest = errorFromCode(-102, '/hs2', 'zk:2181', undefined, { source: 'client', identities: clientIdentities({ digestUser: 'reader' }), client: { digestUser: 'reader' } });
  assert.match(digest.message, /authenticated as digest:reader, is not allowed/);
  assert.match(digest.message, /digest credential the ACL allows/);

  const anonymous = errorFromCode(-102, '/hs2', 'zk:2181', undefined, { source: 'client', identities: [], client: {} });
  assert.match(anonymous.message, /this session has no credential, and the ACL does not allow anonymous access/);

  // Without knowing who the session is, no advice is guessed.
  assert.equal(errorFromCode(-102, '/hs2', 'zk:2181').message, 'Not authorized to read /hs2: its ACL does not grant this session access.');
});

test('identities from a hostile server are shown escaped and bounded', () => {
  const who: SessionIdentities = { source: 'server', identities: [{ scheme: 'sasl', id: `evil\u202e${'x'.repeat(5000)}` }], client: { mechanism: 'GSSAPI' } };
  const text = describeIdentities(who);
  assert.ok(!text.includes('\u202e'));
  assert.ok(text.length < 400, `${text.length} characters`);
});

test('what the client knows it sent: SASL user or mechanism, digest user, never a password', () => {
  assert.deepEqual(clientIdentities({ mechanism: 'GSSAPI' }), [{ scheme: 'sasl', id: '(Kerberos principal)' }]);
  assert.deepEqual(clientIdentities({ mechanism: 'GSSAPI', saslUser: 'alice@R', digestUser: 'd' }), [
    { scheme: 'sasl', id: 'alice@R' },
    { scheme: 'digest', id: 'd' },
  ]);
  assert.equal(digestUserOf('user:pa:ss'), 'user');
  assert.equal(digestUserOf(undefined), undefined);
  assert.equal(describeIdentities({ source: 'client', identities: [], client: {} }), 'none (anonymous)');
});

test('"authentication failed" only for credentials presented and judged, not for a client that never got to', () => {
  assert.ok(authenticationAttempted(new HiveZkError('ZK_AUTH_FAILED', 'x')));
  assert.ok(authenticationAttempted(new HiveZkError('ZK_SASL_FAILED', 'x', { zkCode: -124 })));
  for (const code of ['ZK_KERBEROS_UNAVAILABLE', 'ZK_TLS_FAILED', 'ZK_SASL_REQUIRED', 'ZK_UNREACHABLE'] as const) {
    assert.ok(!authenticationAttempted(new HiveZkError(code, 'x')), code);
  }
  assert.ok(!authenticationAttempted(undefined));
});
