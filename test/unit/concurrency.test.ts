import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fifo, Semaphore } from '../../src/core/concurrency';
import { parseConnectString, formatConnectString } from '../../src/core/zk/connectString';
import { HiveZkError } from '../../src/core/errors';

test('Fifo keeps order across compaction', () => {
  const fifo = new Fifo<number>();
  for (let i = 0; i < 5000; i += 1) {
    fifo.push(i);
  }
  for (let i = 0; i < 3000; i += 1) {
    assert.equal(fifo.shift(), i);
  }
  fifo.push(5000);
  assert.equal(fifo.length, 2001);
  for (let i = 3000; i <= 5000; i += 1) {
    assert.equal(fifo.shift(), i);
  }
  assert.equal(fifo.shift(), undefined);
});

test('Semaphore never exceeds its limit and serves everyone', async () => {
  const semaphore = new Semaphore(4);
  let active = 0;
  let peak = 0;
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      semaphore.run(async () => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 1));
        active -= 1;
        return i;
      }),
    ),
  );
  assert.equal(peak, 4);
  assert.deepEqual(results, Array.from({ length: 50 }, (_, i) => i));
  assert.equal(semaphore.inFlight, 0);
});

test('Semaphore releases its slot when a task throws', async () => {
  const semaphore = new Semaphore(1);
  await assert.rejects(semaphore.run(() => Promise.reject(new Error('boom'))));
  assert.equal(await semaphore.run(() => Promise.resolve(7)), 7);
});

test('connect strings: hosts, default port, chroot', () => {
  assert.deepEqual(parseConnectString('zk1:2181,zk2/hive/prod'), { servers: [{ host: 'zk1', port: 2181 }, { host: 'zk2', port: 2181 }], chroot: '/hive/prod' });
  assert.equal(formatConnectString(parseConnectString(' zk1:2182 ')), 'zk1:2182');
  for (const bad of ['', 'zk1:0', 'zk1:x', ',zk1', '[::1]:2181', 'a:1:2', 'h;x:1', 'zk/a b']) {
    assert.throws(() => parseConnectString(bad), (e: unknown) => e instanceof HiveZkError && e.code === 'BAD_CONNECT_STRING', bad);
  }
});
