// The ticket cache reader (MIT ccache v3/v4: principal and TGT end time; hostile files refused without
// trusting their counts) and the Kerberos failures in words: expired with its end time, unreachable
// KDC naming the realm, no ticket, and the server refusing a ticket (keytab, kdestroy && kinit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HiveZkError } from '../../src/core/errors';
import { gssapiRejected, toKerberosError } from '../../src/core/zk/auth/kerberosErrors';
import { runSaslExchange, type SaslMechanism } from '../../src/core/zk/auth/sasl';
import { parseTicketCache, readTicketCache, ticketCacheFile } from '../../src/core/zk/auth/ticketCache';

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
};
const counted = (data: Buffer | string): Buffer => {
  const bytes = Buffer.from(data);
  return Buffer.concat([u32(bytes.length), bytes]);
};
const principal = (realm: string, ...components: string[]): Buffer => Buffer.concat([u32(1), u32(components.length), counted(realm), ...components.map((c) => counted(c))]);

interface Cred {
  client: Buffer;
  server: Buffer;
  end: number;
}
function credential(version: 3 | 4, { client, server, end }: Cred): Buffer {
  return Buffer.concat([
    client,
    server,
    u16(18),
    ...(version === 3 ? [u16(18)] : []),
    counted(Buffer.alloc(32, 7)),
    u32(end - 3600),
    u32(end - 3600),
    u32(end),
    u32(0),
    Buffer.from([0]),
    u32(0x40e10000),
    u32(1),
    u16(2),
    counted(Buffer.from([127, 0, 0, 1])),
    u32(0),
    counted(Buffer.alloc(300, 1)),
    counted(Buffer.alloc(0)),
  ]);
}
function ccache(version: 3 | 4, owner: Buffer, creds: Cred[]): Buffer {
  const header = version === 4 ? Buffer.concat([u16(12), u16(1), u16(8), u32(0), u32(0)]) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from([5, version]), header, owner, ...creds.map((c) => credential(version, c))]);
}

const ALICE = principal('HIVEZK.TEST', 'alice');
const TGT = principal('HIVEZK.TEST', 'krbtgt', 'HIVEZK.TEST');
const END = 1_800_000_000;

test('ticket cache v3 and v4: the default principal and its TGT end time; service tickets and config entries do not count', () => {
  for (const version of [3, 4] as const) {
    const bytes = ccache(version, ALICE, [
      { client: ALICE, server: principal('X-CACHECONF:', 'krb5_ccache_conf_data', 'fast_avail'), end: 0 },
      { client: ALICE, server: TGT, end: END },
      { client: ALICE, server: principal('HIVEZK.TEST', 'zookeeper', 'localhost'), end: END + 999 },
    ]);
    assert.deepEqual(parseTicketCache(bytes), { principal: 'alice@HIVEZK.TEST', tgtEndsAt: END * 1000 }, `v${version}`);
  }
  assert.deepEqual(parseTicketCache(ccache(4, ALICE, [])), { principal: 'alice@HIVEZK.TEST' });
});

const badCache = (e: unknown): boolean => e instanceof HiveZkError && e.code === 'BAD_CONFIG_FILE' && /ticket cache/.test(e.message);

test('ticket cache: hostile and broken files are BAD_CONFIG_FILE, never trusted counts or lengths', () => {
  const good = ccache(4, ALICE, [{ client: ALICE, server: TGT, end: END }]);
  const hugeComponents = Buffer.concat([Buffer.from([5, 4]), u16(0), u32(1), u32(0xffffffff), counted('R')]);
  const hugeRealm = Buffer.concat([Buffer.from([5, 3]), u32(1), u32(1), u32(0x7fffffff)]);
  const hugeHeader = Buffer.concat([Buffer.from([5, 4]), u16(0xffff)]);
  const manyAddresses = Buffer.concat([
    Buffer.from([5, 4]),
    u16(0),
    ALICE,
    ALICE,
    TGT,
    u16(18),
    counted('k'),
    u32(0),
    u32(0),
    u32(END),
    u32(0),
    Buffer.from([0]),
    u32(0),
    u32(0xfffffff0),
  ]);
  const cases: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['not a ccache', Buffer.from('krb5 is great')],
    ['version 2 (native byte order)', Buffer.from([5, 2, 0, 0])],
    ['truncated mid-credential', good.subarray(0, good.length - 10)],
    ['component count beyond the cap', hugeComponents],
    ['realm length beyond the file', hugeRealm],
    ['header length beyond the file', hugeHeader],
    ['address count beyond the cap', manyAddresses],
  ];
  for (const [name, bytes] of cases) {
    assert.throws(() => parseTicketCache(bytes), badCache, name);
  }
  const many = ccache(4, ALICE, Array.from({ length: 1025 }, () => ({ client: ALICE, server: TGT, end: END })));
  assert.throws(() => parseTicketCache(many), badCache, 'more credentials than the cap');
});

test('ticket cache file: KRB5CCNAME FILE: or a bare path, else /tmp/krb5cc_<uid>; other cache types are not read', () => {
  assert.equal(ticketCacheFile({ KRB5CCNAME: 'FILE:/x/cc' }, 1000), '/x/cc');
  assert.equal(ticketCacheFile({ KRB5CCNAME: '/x/cc' }, 1000), '/x/cc');
  assert.equal(ticketCacheFile({}, 1000), '/tmp/krb5cc_1000');
  assert.equal(ticketCacheFile({ KRB5CCNAME: 'KEYRING:persistent:1000' }, 1000), undefined);
  assert.equal(ticketCacheFile({ KRB5CCNAME: 'KCM:' }, 1000), undefined);
});

test('ticket cache file: read by count (an oversized file is refused), absent is undefined', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hivezk-ccache-'));
  try {
    const file = join(dir, 'cc');
    writeFileSync(file, ccache(4, ALICE, [{ client: ALICE, server: TGT, end: END }]));
    assert.deepEqual(readTicketCache(file), { principal: 'alice@HIVEZK.TEST', tgtEndsAt: END * 1000 });
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.concat([ccache(4, ALICE, []), Buffer.alloc(2 * 1024 * 1024)]));
    assert.throws(() => readTicketCache(big), (e: unknown) => badCache(e) && /larger than/.test((e as Error).message));
    assert.equal(readTicketCache(join(dir, 'none')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const TARGET = 'zookeeper/zk1.example.com';
const gss = (text: string): Error => new Error(`Unspecified GSS failure.  Minor code may provide more information: ${text}`);

test('an expired ticket says "expired" with its end time from the ticket cache', () => {
  const endedAt = Date.UTC(2026, 0, 2, 3, 4, 5);
  const error = toKerberosError(gss('Ticket expired'), TARGET, () => ({ principal: 'alice@HIVEZK.TEST', tgtEndsAt: endedAt }));
  assert.equal(error.code, 'ZK_KERBEROS_UNAVAILABLE');
  assert.equal(error.details.reason, 'expired');
  assert.match(error.message, /^The Kerberos ticket of alice@HIVEZK\.TEST expired at 2026-01-02T03:04:05\.000Z: run `kinit`/);
  // GSSAPI may only say "no credentials": the cache's end time in the past still says why.
  const vague = toKerberosError(gss('No Kerberos credentials available (default cache: FILE:/tmp/x)'), TARGET, () => ({ principal: 'a@R', tgtEndsAt: endedAt }));
  assert.equal(vague.details.reason, 'expired');
  // An unreadable cache: still "expired", without a time.
  const noCache = toKerberosError(gss('The referenced credential has expired'), TARGET, () => {
    throw new HiveZkError('BAD_CONFIG_FILE', 'x');
  });
  assert.match(noCache.message, /^The Kerberos ticket expired: run `kinit`/);
});

test('no ticket says kinit; a valid ticket in the cache is not called expired', () => {
  const error = toKerberosError(gss('No Kerberos credentials available'), TARGET, () => ({ principal: 'a@R', tgtEndsAt: Date.now() + 3_600_000 }));
  assert.equal(error.details.reason, 'noTicket');
  assert.match(error.message, /No Kerberos ticket to authenticate to zookeeper\/zk1\.example\.com: run `kinit`/);
});

test('an unreachable KDC says so, naming the realm', () => {
  const error = toKerberosError(gss("Cannot contact any KDC for realm 'PROD.CORP'"), TARGET, () => undefined);
  assert.equal(error.code, 'ZK_KERBEROS_UNAVAILABLE');
  assert.deepEqual([error.details.reason, error.details.realm], ['kdcUnreachable', 'PROD.CORP']);
  assert.match(error.message, /^Cannot reach a Kerberos KDC for realm PROD\.CORP/);
  for (const length of [100, 300]) {
    const evil = toKerberosError(gss(`Cannot contact any KDC for realm '\u202e${'A'.repeat(length)}'`), TARGET, () => undefined);
    assert.ok(!evil.message.includes('\u202e') && evil.message.length < 1000, evil.message);
  }
});

test('other GSSAPI failures stay ZK_SASL_FAILED with their text', () => {
  const error = toKerberosError(gss('Server not found in Kerberos database'), TARGET, () => undefined);
  assert.equal(error.code, 'ZK_SASL_FAILED');
  assert.match(error.message, /zookeeper\/zk1\.example\.com failed: .*Server not found/);
});

test('the server refusing a GSSAPI exchange (-124, -115) hints at its keytab and kdestroy && kinit; DIGEST-MD5 keeps its words', async () => {
  const rejectingServer = (frame: Buffer): Promise<Buffer> => {
    const reply = Buffer.alloc(24);
    reply.writeInt32BE(20, 0);
    reply.writeInt32BE(frame.readInt32BE(4), 4);
    reply.writeInt32BE(-124, 16);
    reply.writeInt32BE(-1, 20);
    return Promise.resolve(reply);
  };
  const mechanism = (name: SaslMechanism['name']): SaslMechanism => ({ name, complete: false, start: () => Promise.resolve(Buffer.from('token')), step: () => Promise.resolve(undefined) });
  await assert.rejects(runSaslExchange(mechanism('GSSAPI'), rejectingServer), (e: unknown) => {
    assert.ok(e instanceof HiveZkError && e.code === 'ZK_SASL_FAILED');
    assert.match(e.message, /keytab/);
    assert.match(e.message, /`kdestroy && kinit`/);
    assert.equal(e.details.zkCode, -124);
    return true;
  });
  await assert.rejects(runSaslExchange(mechanism('DIGEST-MD5'), rejectingServer), (e: unknown) => e instanceof HiveZkError && /check the credentials/.test(e.message) && !/keytab/.test(e.message));
  assert.match(gssapiRejected(-115).message, /error -115/);
});
