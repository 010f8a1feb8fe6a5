// The one helper for reads of znodes that may vanish or be closed to us by their ACL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { unlessMissing } from '../../src/core/zk/missingZnode';

const failWith = (code: 'ZK_NO_NODE' | 'ZK_NO_AUTH' | 'ZK_TIMEOUT'): Promise<string> => Promise.reject(new HiveZkError(code, code));

test('a value passes through', async () => assert.equal(await unlessMissing(Promise.resolve('data'), () => 'fallback'), 'data'));
test('a vanished znode falls back with "gone"', async () => assert.equal(await unlessMissing(failWith('ZK_NO_NODE'), (r) => r), 'gone'));
test('an unreadable znode falls back with "unreadable"', async () => assert.equal(await unlessMissing(failWith('ZK_NO_AUTH'), (r) => r), 'unreadable'));
test('unreadable can be an error for callers that must not hide it', async () => {
  await assert.rejects(unlessMissing(failWith('ZK_NO_AUTH'), () => undefined, { unreadable: false }), (e: unknown) => e instanceof HiveZkError && e.code === 'ZK_NO_AUTH');
});
test('any other failure is thrown as is', async () => {
  await assert.rejects(unlessMissing(failWith('ZK_TIMEOUT'), () => undefined), (e: unknown) => e instanceof HiveZkError && e.code === 'ZK_TIMEOUT');
});
