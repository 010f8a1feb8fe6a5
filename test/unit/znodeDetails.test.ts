// Hive znodes decoded for the details view: chosen by name and place, one key per line, untrusted
// values escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeHiveZnode } from '../../src/core/registry/znodeDetails';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

test('a HiveServer2 registration: host, port, version and every published key', () => {
  const details = describeHiveZnode('/hiveserver2/serverUri=h1:10000;version=3.1.3;sequence=0000000001', b('hive.server2.thrift.bind.host=h1;hive.server2.thrift.port=10000;hive.server2.transport.mode=binary'));
  assert.equal(details?.title, 'HiveServer2 instance');
  const rows = new Map(details?.rows);
  assert.equal(rows.get('Host'), 'h1');
  assert.equal(rows.get('Port'), '10000');
  assert.equal(rows.get('hive.server2.transport.mode'), 'binary');
});

test('a lock: mode, object, query and client; a newline in a value cannot fake a line', () => {
  const details = describeHiveZnode('/hive_zookeeper_namespace/sales/orders/ds=1/LOCK-SHARED-0000000003', b('q1:1764063000000:IMPLICIT:select 1\nHost  evil:10.0.0.1'));
  assert.equal(details?.title, 'Hive lock');
  const rows = new Map(details?.rows);
  assert.equal(rows.get('Mode'), 'SHARED');
  assert.equal(rows.get('Object'), 'sales.orders (ds=1)');
  assert.equal(rows.get('Query'), 'select 1\\u{000A}Host  evil');
});

test('a metastore entry, and nothing for other znodes', () => {
  assert.deepEqual(describeHiveZnode('/hive_metastore/ms1:90830000000001', b('ms1:9083'))?.rows, [['Host', 'ms1'], ['Port', '9083'], ['URI', 'thrift://ms1:9083']]);
  assert.equal(describeHiveZnode('/zookeeper/config', b('x')), undefined);
});
