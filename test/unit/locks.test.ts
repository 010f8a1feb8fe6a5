// Lock manager formats and its grant rule (hive-zk-spec §4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { prng } from '../support/prng';
import { decodeLockData, decodeLockObject, lockNameMode, lockNameModeAt, lockNameSequence, lockNameSequenceAt, lockSequenceText, sortStably, decodeTableName, encodeTableName, parseLockName, unlockStatement, unescapePathName, type HiveLock, type LockMode } from '../../src/core/locks/locks';
import { LockTable } from '../../src/core/locks/lockTable';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

test('lock names: the three modes, upper case with the 10-digit sequence', () => {
  assert.deepEqual(parseLockName('LOCK-SHARED-0000000007'), { mode: 'SHARED', sequence: 7, sequenceText: '0000000007' });
  assert.deepEqual(parseLockName('LOCK-EXCLUSIVE-0000000010'), { mode: 'EXCLUSIVE', sequence: 10, sequenceText: '0000000010' });
  assert.deepEqual(parseLockName('LOCK-SEMI_SHARED-0000000001')?.mode, 'SEMI_SHARED');
});

test('lock names: the sequence as written, also past what an int holds (Hive then reads -1)', () => {
  assert.equal(lockSequenceText('LOCK-SHARED-0000000007'), '0000000007');
  assert.equal(lockSequenceText('LOCK-SEMI_SHARED-99999999999'), '99999999999');
  assert.equal(parseLockName('LOCK-SEMI_SHARED-99999999999')?.sequence, -1);
  assert.equal(parseLockName('LOCK-SHARED-2147483647')?.sequence, 2147483647);
  assert.equal(parseLockName('LOCK-SHARED-2147483648')?.sequence, -1);
  assert.equal(parseLockName('LOCK-SHARED-9999999999999999999')?.sequence, -1);
});

for (const name of ['lock-shared-0000000001', 'LOCK-SHARED-', 'LOCK-READ-0000000001', 'ds=2026', 'LOCK-SHARED-00000x0001']) {
  test(`lock names: "${name}" is not a lock`, () => assert.equal(parseLockName(name), undefined));
}

test('lock data: queryId:lockTime:lockMode:queryStr:clientIp', () => {
  assert.deepEqual(decodeLockData(b('hive_2026_q1:1764063000000:IMPLICIT:select * from t:10.0.0.7')), {
    queryId: 'hive_2026_q1',
    lockTime: 1764063000000,
    lockMode: 'IMPLICIT',
    queryString: 'select * from t',
    clientIp: '10.0.0.7',
    problems: [],
  });
});

test('lock data: older four-field form, no client', () => {
  const data = decodeLockData(b('q:1:EXPLICIT:LOCK TABLE t EXCLUSIVE'));
  assert.equal(data.clientIp, undefined);
  assert.equal(data.lockMode, 'EXPLICIT');
});

test('lock data: IPv6 client keeps its colons', () => assert.equal(decodeLockData(b('q:1:IMPLICIT:s:fe80::1')).clientIp, 'fe80::1'));
test('lock data: "null" client as Hive writes it', () => assert.equal(decodeLockData(b('q:1:IMPLICIT:s:null')).clientIp, 'null'));
test('lock data: bad time reported', () => assert.match(decodeLockData(b('q:soon:IMPLICIT:s')).problems.join(), /not epoch/));
test('lock data: one field only', () => assert.match(decodeLockData(b('q')).problems.join(), /fewer fields/));
test('lock data: binary', () => assert.match(decodeLockData(Buffer.from([0xc3, 0x28])).problems.join(), /not UTF-8/));
test('lock data: empty', () => assert.deepEqual(decodeLockData(Buffer.alloc(0)).problems, ['no lock data']));

/** The format read the plain way: a strict UTF-8 decode, the BOM dropped, split at the first four colons. */
function referenceLockData(bytes: Buffer): { problems: string[]; fields?: Record<string, string | number> } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { problems: ['not UTF-8'] };
  }
  if (text === '') {
    return { problems: ['no lock data'] };
  }
  const parts = text.split(':');
  const [queryId, lockTime, lockMode, queryString] = parts;
  const client = parts.length > 4 ? parts.slice(4).join(':') : undefined;
  const fields: Record<string, string | number> = {};
  const problems: string[] = [];
  if (queryId) {
    fields.queryId = queryId;
  }
  if (lockTime !== undefined && lockTime !== '') {
    if (/^[0-9]{1,15}$/.test(lockTime)) {
      fields.lockTime = Number(lockTime);
    } else {
      problems.push('time');
    }
  }
  if (lockMode) {
    fields.lockMode = lockMode;
  }
  if (queryString !== undefined) {
    fields.queryString = queryString;
  }
  if (client) {
    fields.clientIp = client;
  }
  if (lockTime === undefined) {
    problems.push('fields');
  }
  return { problems, fields };
}

test('lock data: decoded in place as the plain reading decodes it (BOM, bad UTF-8 in every field, U+FFFD, colons, times)', () => {
  const random = prng(20261125);
  const pieces = ['q1', 'hive_2026', '1764063000000', '1', '', 'IMPLICIT', 'EXPLICIT', 'select 1', 'ü', '\uFFFD', 'fe80::1', '10.0.0.7', '9999999999999999', 'x'];
  const bytePieces = [[0xef, 0xbb, 0xbf], [0xc3, 0x28], [0xff], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98, 0x80]];
  for (let round = 0; round < 5000; round += 1) {
    const parts: Buffer[] = [];
    const count = Math.floor(random() * 8);
    for (let i = 0; i < count; i += 1) {
      if (i > 0 && random() < 0.7) {
        parts.push(b(':'));
      }
      parts.push(random() < 0.15 ? Buffer.from(bytePieces[Math.floor(random() * bytePieces.length)]) : b(pieces[Math.floor(random() * pieces.length)]));
    }
    const bytes = Buffer.concat(parts);
    // In place inside a larger frame, with bytes on either side that must not be read.
    const frame = Buffer.concat([Buffer.from([0x3a, 0xff]), bytes, Buffer.from([0x3a, 0x31])]);
    const inPlace = decodeLockData(frame, 2, 2 + bytes.length);
    assert.deepEqual(inPlace, decodeLockData(bytes), `in place vs alone: ${bytes.toString('hex')}`);
    // A walk keeps the usual case's fields in its table's columns: read back, the same data.
    const table = new LockTable();
    table.addObject('/r/db', ['db']);
    table.read(table.addLock('SHARED', 1), frame, 2, 2 + bytes.length, 0, '0');
    assert.deepEqual(table.locks()[0]?.data, inPlace, `kept in a table: ${bytes.toString('hex')}`);
    const expected = referenceLockData(bytes);
    const { problems, ...fields } = inPlace;
    const kinds = problems.map((p) => (/not UTF-8/.test(p) ? 'not UTF-8' : /no lock data/.test(p) ? 'no lock data' : /epoch/.test(p) ? 'time' : /fewer fields/.test(p) ? 'fields' : p));
    assert.deepEqual(kinds, expected.problems, `problems of ${bytes.toString('hex')}`);
    if (expected.fields) {
      assert.deepEqual(fields, expected.fields, `fields of ${bytes.toString('hex')}`);
    }
  }
});

test('lock names read from their bytes as from the decoded name: modes, digits, non-ASCII and broken UTF-8', () => {
  const random = prng(20261126);
  const pieces = ['LOCK-', 'LOCK', '-', 'SHARED', 'EXCLUSIVE', 'SEMI_SHARED', 'shared', '0000000007', '2147483648', '9', '9999999999999999999', 'x', 'Ü', '٣'];
  const bytePieces = [[0xc3, 0x28], [0xff], [0x80], [0xed, 0xa0, 0x80]];
  let locks = 0;
  for (let round = 0; round < 20_000; round += 1) {
    const parts: Buffer[] = [];
    // Mostly shaped like a lock name, so that near misses are tried as often as hits.
    if (random() < 0.8) {
      parts.push(b('LOCK-'), b(['SHARED', 'EXCLUSIVE', 'SEMI_SHARED', 'READ'][Math.floor(random() * 4)]), b('-'));
    }
    for (let i = Math.floor(random() * 3); i > 0; i -= 1) {
      parts.push(random() < 0.1 ? Buffer.from(bytePieces[Math.floor(random() * bytePieces.length)]) : b(pieces[Math.floor(random() * pieces.length)]));
    }
    const name = Buffer.concat(parts);
    const frame = Buffer.concat([b('-9'), name, b('7-')]);
    const text = name.toString('utf8');
    const mode = lockNameModeAt(frame, 2, 2 + name.length);
    assert.equal(mode, lockNameMode(text), `mode of ${name.toString('hex')}`);
    if (mode) {
      locks += 1;
      assert.equal(lockNameSequenceAt(frame, 2, 2 + name.length), lockNameSequence(text), `sequence of ${text}`);
    }
  }
  assert.ok(locks > 1000, `enough lock names among the cases (${locks})`);
});

test('lock data texts met again come from the memo, right after thousands that never repeat', () => {
  const data = 'hive_20261125_q1:1764063000000:IMPLICIT:insert into t select 1:10.0.0.7';
  const first = decodeLockData(Buffer.concat([b('xx'), b(data)]), 2, 2 + data.length);
  assert.deepEqual(decodeLockData(b(data)), first, 'the same bytes, elsewhere: the same data');
  const later = decodeLockData(b(data.replace('1764063000000', '1764063000001')));
  assert.equal(later.lockTime, 1764063000001);
  assert.equal(later.queryString, first.queryString);
  // Thousands of texts that never repeat (the memo stands aside), then the first again: still right.
  for (let i = 0; i < 40_000; i += 1) {
    assert.equal(decodeLockData(b(`q${i}:${i}:EXPLICIT:select ${i}:h${i}`)).queryString, `select ${i}`);
  }
  assert.deepEqual(decodeLockData(b(data)), first);
});

test('sorted by a key in place, stably, short lists and long ones alike', () => {
  const random = prng(7);
  for (let round = 0; round < 500; round += 1) {
    const list = Array.from({ length: Math.floor(random() * 70) }, (_, i) => ({ sequence: Math.floor(random() * 20) - 1, i }));
    const expected = [...list].sort((a, b) => a.sequence - b.sequence);
    sortStably(list, (item) => item.sequence);
    assert.deepEqual(list, expected);
  }
});

test('table names: Hive 2.0+ encoding round-trips', () => {
  assert.equal(encodeTableName('web-logs'), 'web-45-logs');
  assert.equal(decodeTableName('web-45-logs'), 'web-logs');
  assert.equal(decodeTableName(encodeTableName('a.b c')), 'a.b c');
  assert.equal(decodeTableName('plain_name1'), 'plain_name1');
});

test('partition segments: FileUtils.escapePathName is reversed', () => {
  assert.equal(unescapePathName('US%2FCA'), 'US/CA');
  assert.deepEqual(decodeLockObject(['db', 'web-45-logs', 'country=US%2FCA', 'hr=%3D09']), {
    database: 'db',
    table: 'web-logs',
    partition: [
      { key: 'country', value: 'US/CA' },
      { key: 'hr', value: '=09' },
    ],
  });
  assert.deepEqual(decodeLockObject(['db']), { database: 'db' });
});

test('UNLOCK statements escape identifiers and values', () => {
  assert.equal(unlockStatement({ database: 'db' }), 'UNLOCK DATABASE `db`;');
  assert.throws(() => unlockStatement({ database: 'db', table: 'we`ird' }), /backquote/);
  assert.equal(unlockStatement({ database: 'd', table: 't', partition: [{ key: 'ds', value: "it's" }] }), "UNLOCK TABLE `d`.`t` PARTITION (`ds`='it\\'s');");
});

const DATA = b('q:1764063000000:IMPLICIT:select 1:10.0.0.7');

/** Locks as a walk keeps them: one object per list of modes, the locks read in the order given. */
function walked(...objects: LockMode[][]): HiveLock[] {
  const table = new LockTable();
  objects.forEach((modes, o) => {
    table.addObject(`/r/db/t${o}`, ['db', `t${o}`]);
    modes.forEach((mode, i) => table.read(table.addLock(mode, i), DATA, 0, DATA.length, 1, '0'));
  });
  return table.locks();
}

const rules: [string, LockMode[], string[]][] = [
  ['shared after shared: both granted', ['SHARED', 'SHARED'], ['granted', 'granted']],
  ['exclusive after shared waits', ['SHARED', 'EXCLUSIVE'], ['granted', 'waiting']],
  ['shared after exclusive waits', ['EXCLUSIVE', 'SHARED'], ['granted', 'waiting']],
  ['exclusive after exclusive waits', ['EXCLUSIVE', 'EXCLUSIVE'], ['granted', 'waiting']],
  ['only older locks count: shared before exclusive is granted', ['SHARED', 'SHARED', 'EXCLUSIVE'], ['granted', 'granted', 'waiting']],
  ['semi-shared never blocks others', ['SEMI_SHARED', 'EXCLUSIVE', 'SEMI_SHARED'], ['granted', 'granted', 'waiting']],
  ['semi-shared does not wait on shared', ['SHARED', 'SEMI_SHARED'], ['granted', 'granted']],
];
for (const [name, modes, expected] of rules) {
  test(`grant rule: ${name}`, () => {
    const group = walked(modes);
    assert.deepEqual(
      group.map((l) => l.status),
      expected,
    );
    for (const lock of group.filter((l) => l.status === 'waiting')) {
      const blocker = group.find((g) => g.znode === lock.blockedBy);
      assert.ok(blocker && blocker.sequence < lock.sequence, 'names an older blocker');
    }
  });
}

test('grant rule: locks on different objects never conflict', () => {
  assert.deepEqual(
    walked(['EXCLUSIVE'], ['EXCLUSIVE']).map((l) => [l.objectPath, l.status]),
    [
      ['/r/db/t0', 'granted'],
      ['/r/db/t1', 'granted'],
    ],
  );
});

test('lock data: the 1 MiB texts memo is made on first use, not when the lock modules load (the tree loads them at activation)', () => {
  const module = (name: string): string => JSON.stringify(join(__dirname, '..', '..', 'src', 'core', 'locks', `${name}.js`));
  // A fresh process: what loading costs is measured alone, then what the first decoded lock adds.
  const script = [
    'const before = process.memoryUsage().arrayBuffers;',
    `require(${module('locks')});`,
    'const loaded = process.memoryUsage().arrayBuffers - before;',
    `require(${module('lockData')}).decodeLockData(Buffer.from('q:1:IMPLICIT:select 1:h'));`,
    'console.log(JSON.stringify({ loaded, used: process.memoryUsage().arrayBuffers - before }));',
  ].join('\n');
  const { loaded, used } = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { loaded: number; used: number };
  assert.ok(loaded < 256 * 1024, `loading the lock modules allocated ${loaded} bytes of buffers`);
  assert.ok(used >= 1024 * 1024, `the memo is there once a lock is decoded (${used} bytes): this test can see it`);
});
