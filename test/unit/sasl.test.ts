// SASL pieces without a server: the DIGEST-MD5 client against RFC 2831's own example, the opcode-102
// frame codec, the exchange loop, and the GSSAPI client's security-layer step with a stand-in module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { createDigestMd5Client, digestResponseValue, parseDigestCredential, parseDigestDirectives } from '../../src/core/zk/auth/saslDigest';
import { decodeSaslReply, encodeSaslRequest, runSaslExchange, type SaslMechanism } from '../../src/core/zk/auth/sasl';
import { createGssapiClient } from '../../src/core/zk/auth/kerberos';
import type { KerberosModule } from '../../src/core/zk/auth/kerberosModule';

const isCode = (code: string) => (error: unknown) => error instanceof HiveZkError && error.code === code;

// RFC 2831 §4 example (IMAP), values as printed there.
const rfc = { username: 'chris', realm: 'elwood.innosoft.com', password: 'secret', nonce: 'OA6MG9tEQGm2hh', cnonce: 'OA6MHXh6VqTrRk', nc: '00000001', qop: 'auth', digestUri: 'imap/elwood.innosoft.com', encoding: 'utf8' as const };

test('DIGEST-MD5: response and rspauth match RFC 2831 §4', () => {
  assert.equal(digestResponseValue({ ...rfc, a2Prefix: 'AUTHENTICATE' }), 'd388dad90d4bbd760a152321f2143af7');
  assert.equal(digestResponseValue({ ...rfc, a2Prefix: '' }), 'ea40f60335c427b5527b84dbabcdfffd');
});

const directiveCases: [string, Record<string, string>][] = [
  ['realm="zk-sasl-md5",nonce="abc",charset=utf-8,algorithm=md5-sess', { realm: 'zk-sasl-md5', nonce: 'abc', charset: 'utf-8', algorithm: 'md5-sess' }],
  ['qop="auth,auth-int,auth-conf", nonce="x,y"', { qop: 'auth,auth-int,auth-conf', nonce: 'x,y' }],
  ['realm="a\\"b\\\\c",realm="second"', { realm: 'a"b\\c' }],
  ['  , rspauth=ea40f60335c427b5527b84dbabcdfffd ', { rspauth: 'ea40f60335c427b5527b84dbabcdfffd' }],
];
for (const [text, expected] of directiveCases) {
  test(`DIGEST-MD5 directives: ${text}`, () => assert.deepEqual(Object.fromEntries(parseDigestDirectives(text)), expected));
}
for (const bad of ['nonce="open', 'no-equals-sign', 'bad key=1']) {
  test(`DIGEST-MD5 directives: "${bad}" is refused`, () => assert.throws(() => parseDigestDirectives(bad), isCode('ZK_SASL_FAILED')));
}

/** A server side of DIGEST-MD5 built from the same RFC formulas, with the password it holds. */
function digestServer(serverPassword: string): (response: Buffer) => { challenge: Buffer; check(response: Buffer): Buffer } {
  return () => {
    const nonce = 'server-nonce-123';
    return {
      challenge: Buffer.from(`realm="zk-sasl-md5",nonce="${nonce}",charset=utf-8,algorithm=md5-sess,qop="auth"`),
      check: (response) => {
        const d = parseDigestDirectives(response.toString('utf8'));
        const common = { username: d.get('username') ?? '', realm: d.get('realm') ?? '', password: serverPassword, nonce, cnonce: d.get('cnonce') ?? '', nc: d.get('nc') ?? '', qop: 'auth', digestUri: d.get('digest-uri') ?? '', encoding: 'utf8' as const };
        assert.equal(d.get('digest-uri'), 'zookeeper/zk-sasl-md5');
        assert.equal(d.get('response'), digestResponseValue({ ...common, a2Prefix: 'AUTHENTICATE' }), 'client proof');
        return Buffer.from(`rspauth=${digestResponseValue({ ...common, a2Prefix: '' })}`);
      },
    };
  };
}

test('DIGEST-MD5 client: empty first token, RFC response, verifies rspauth, then complete', async () => {
  const server = digestServer('bob-secret')(Buffer.alloc(0));
  const client = createDigestMd5Client({ username: 'bob', password: 'bob-secret' });
  assert.equal((await client.start()).length, 0);
  const response = await client.step(server.challenge);
  assert.ok(response);
  assert.equal(client.complete, false);
  assert.equal(await client.step(server.check(response)), undefined);
  assert.equal(client.complete, true);
});

test('DIGEST-MD5 client: a server that does not know the password (wrong rspauth) is refused', async () => {
  const server = digestServer('bob-secret')(Buffer.alloc(0));
  const client = createDigestMd5Client({ username: 'bob', password: 'bob-secret' });
  await client.start();
  await client.step(server.challenge);
  await assert.rejects(client.step(Buffer.from('rspauth=00000000000000000000000000000000')), isCode('ZK_SASL_FAILED'));
  assert.equal(client.complete, false);
});

test('DIGEST-MD5 client: challenges without md5-sess, without auth qop or without nonce are refused', async () => {
  for (const challenge of ['nonce="n",algorithm=md5', 'nonce="n",algorithm=md5-sess,qop="auth-conf"', 'algorithm=md5-sess', '']) {
    const client = createDigestMd5Client({ username: 'u', password: 'p' });
    await client.start();
    await assert.rejects(client.step(Buffer.from(challenge)), isCode('ZK_SASL_FAILED'), challenge);
  }
});

test('digest credential "user:password": password may hold colons; a bad value is not echoed', () => {
  assert.deepEqual(parseDigestCredential('bob:pa:ss', 'HIVEZK_SASL'), { username: 'bob', password: 'pa:ss' });
  for (const bad of ['nocolon-secretvalue', ':secretvalue', 'user:']) {
    assert.throws(() => parseDigestCredential(bad, 'HIVEZK_SASL'), (e: unknown) => isCode('BAD_ARGUMENT')(e) && !(e as Error).message.includes('secretvalue'));
  }
});

test('opcode 102 frames: request layout and reply decoding, error replies without a body', () => {
  const frame = encodeSaslRequest(7, Buffer.from('tok'));
  assert.deepEqual([...frame], [0, 0, 0, 15, 0, 0, 0, 7, 0, 0, 0, 102, 0, 0, 0, 3, 0x74, 0x6f, 0x6b]);
  const reply = Buffer.alloc(4 + 16 + 4 + 2);
  reply.writeInt32BE(reply.length - 4, 0);
  reply.writeInt32BE(7, 4);
  reply.writeInt32BE(0, 16);
  reply.writeInt32BE(2, 20);
  reply.write('ok', 24);
  assert.deepEqual(decodeSaslReply(reply), { xid: 7, err: 0, token: Buffer.from('ok') });
  const failed = Buffer.alloc(4 + 16 + 4);
  failed.writeInt32BE(20, 0);
  failed.writeInt32BE(7, 4);
  failed.writeInt32BE(-124, 16);
  failed.writeInt32BE(-1, 20);
  assert.deepEqual(decodeSaslReply(failed), { xid: 7, err: -124, token: Buffer.alloc(0) });
  const huge = Buffer.from(reply);
  huge.writeInt32BE(1_000_000, 20);
  assert.throws(() => decodeSaslReply(huge), isCode('ZK_SASL_FAILED'));
  assert.throws(() => decodeSaslReply(Buffer.from([0, 0, 0, 2, 1, 2])), isCode('ZK_SASL_FAILED'));
  assert.throws(() => decodeSaslReply(failed.subarray(0, 22)), isCode('ZK_SASL_FAILED'), 'length prefix disagrees');
});

function replyFrame(xid: number, err: number, token?: Buffer): Buffer {
  const body = token ? Buffer.concat([Buffer.alloc(16), Buffer.alloc(4), token]) : Buffer.alloc(16);
  body.writeInt32BE(xid, 0);
  body.writeInt32BE(err, 12);
  if (token) {
    body.writeInt32BE(token.length, 16);
  }
  const frame = Buffer.alloc(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

test('exchange: DIGEST-MD5 runs two round trips with increasing xids; a server error is ZK_SASL_FAILED', async () => {
  const server = digestServer('pw')(Buffer.alloc(0));
  const xids: number[] = [];
  await runSaslExchange(createDigestMd5Client({ username: 'bob', password: 'pw' }), (frame) => {
    const xid = frame.readInt32BE(4);
    xids.push(xid);
    const token = frame.subarray(16);
    return Promise.resolve(replyFrame(xid, 0, token.length === 0 ? server.challenge : server.check(token)));
  }, 5);
  assert.deepEqual(xids, [5, 6]);
  await assert.rejects(
    runSaslExchange(createDigestMd5Client({ username: 'bob', password: 'wrong-one' }), (frame) => Promise.resolve(replyFrame(frame.readInt32BE(4), frame.subarray(16).length === 0 ? 0 : -124, frame.subarray(16).length === 0 ? server.challenge : undefined))),
    (e: unknown) => isCode('ZK_SASL_FAILED')(e) && !(e as Error).message.includes('wrong-one'),
  );
});

test('exchange: a server that never stops challenging is cut off', async () => {
  const endless: SaslMechanism = { name: 'GSSAPI', complete: false, start: () => Promise.resolve(Buffer.from('a')), step: () => Promise.resolve(Buffer.from('b')) };
  await assert.rejects(runSaslExchange(endless, (frame) => Promise.resolve(replyFrame(frame.readInt32BE(4), 0, Buffer.from('more')))), isCode('ZK_SASL_FAILED'));
});

/** A stand-in for the native module that records what the client wraps. */
function fakeKerberos(options: { offer: number[]; failStart?: string }): { module: KerberosModule; wrapped: Buffer[]; services: string[] } {
  const wrapped: Buffer[] = [];
  const services: string[] = [];
  const b64 = (b: Buffer | number[]): string => Buffer.from(b).toString('base64');
  const module: KerberosModule = {
    initializeClient: (service) => {
      services.push(service);
      if (options.failStart) {
        return Promise.reject(new Error(options.failStart));
      }
      let steps = 0;
      const client = {
        contextComplete: false,
        username: 'alice@HIVEZK.TEST',
        step: (challenge: string) => {
          steps += 1;
          if (steps === 2) {
            client.contextComplete = true;
            assert.equal(challenge, b64(Buffer.from('AP-REP')));
            return Promise.resolve('');
          }
          return Promise.resolve(b64(Buffer.from('AP-REQ')));
        },
        unwrap: () => Promise.resolve(b64(options.offer)),
        wrap: (payload: string) => {
          wrapped.push(Buffer.from(payload, 'base64'));
          return Promise.resolve(b64(Buffer.from('WRAPPED')));
        },
      };
      return Promise.resolve(client);
    },
  };
  return { module, wrapped, services };
}

test('GSSAPI client: AP-REQ, empty answer to AP-REP, then "no security layer" + authzid, wrapped', async () => {
  const fake = fakeKerberos({ offer: [0x07, 0x00, 0x10, 0x00] });
  const client = createGssapiClient('zk1.example.com', { service: 'zk', canonicalize: false, load: () => fake.module });
  assert.equal((await client.start()).toString(), 'AP-REQ');
  assert.deepEqual(fake.services, ['zk@zk1.example.com']);
  assert.equal((await client.step(Buffer.from('AP-REP')))?.length, 0);
  assert.equal(client.complete, false);
  assert.equal((await client.step(Buffer.from('offer')))?.toString(), 'WRAPPED');
  assert.equal(client.complete, true);
  assert.deepEqual(fake.wrapped[0], Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from('alice@HIVEZK.TEST')]));
});

test('GSSAPI client: a server without the no-layer option is refused; no ticket is ZK_KERBEROS_UNAVAILABLE', async () => {
  const strict = fakeKerberos({ offer: [0x04, 0, 0x10, 0] });
  const client = createGssapiClient('h', { canonicalize: false, load: () => strict.module });
  await client.start();
  await client.step(Buffer.from('AP-REP'));
  await assert.rejects(client.step(Buffer.from('offer')), isCode('ZK_SASL_FAILED'));
  const noTicket = fakeKerberos({ offer: [], failStart: 'Unspecified GSS failure.  Minor code may provide more information: No Kerberos credentials available (default cache: FILE:/tmp/krb5cc_0)' });
  await assert.rejects(createGssapiClient('h', { canonicalize: false, load: () => noTicket.module }).start(), (e: unknown) => isCode('ZK_KERBEROS_UNAVAILABLE')(e) && /kinit/.test((e as Error).message));
});

test('GSSAPI client: the service principal names the canonical host of the address connected to, as Java\'s client does', async () => {
  const fake = fakeKerberos({ offer: [0x07, 0x00, 0x10, 0x00] });
  const resolver = { addresses: (host: string) => Promise.resolve(host === 'localhost' ? ['127.0.0.1'] : []), nameOf: () => Promise.resolve('localhost') };
  await createGssapiClient('127.0.0.1', { address: '::ffff:127.0.0.1', resolver, load: () => fake.module }).start();
  await createGssapiClient('zk.alias', { address: '127.0.0.1', canonicalize: false, resolver, load: () => fake.module }).start();
  assert.deepEqual(fake.services, ['zookeeper@localhost', 'zookeeper@zk.alias']);
});
