// The Disposable base: idempotent dispose, and nothing armed or owned after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHiveZkError } from '../../src/core/errors';
import { Disposable, throwIfAborted, toDisposable, untilAborted } from '../../src/core/lifecycle';

class Owner extends Disposable {
  fired = 0;
  arm(ms: number): void {
    this.timeout(ms, () => {
      this.fired += 1;
    });
  }
  tick(ms: number): void {
    this.interval(ms, () => {
      this.fired += 1;
    });
  }
  own(dispose: () => void): void {
    this.register(toDisposable(dispose));
  }
}

test('dispose releases what was registered, once, even when called twice', () => {
  const owner = new Owner();
  let released = 0;
  owner.own(() => (released += 1));
  owner.dispose();
  owner.dispose();
  assert.equal(released, 1);
});

test('a resource registered after dispose is released at once', () => {
  const owner = new Owner();
  owner.dispose();
  let released = 0;
  owner.own(() => (released += 1));
  assert.equal(released, 1);
});

test('timers: cleared by dispose, and never armed afterwards', async () => {
  const owner = new Owner();
  owner.arm(20);
  owner.dispose();
  owner.arm(1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(owner.fired, 0);
  const live = new Owner();
  live.arm(1);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(live.fired, 1);
  live.dispose();
});

test('an interval stops with dispose and is never armed after it', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const owner = new Owner();
  owner.tick(10);
  t.mock.timers.tick(25);
  assert.equal(owner.fired, 2);
  owner.dispose();
  t.mock.timers.tick(100);
  assert.equal(owner.fired, 2, 'cleared by dispose');
  owner.tick(10);
  t.mock.timers.tick(100);
  assert.equal(owner.fired, 2, 'not armed after dispose');
});

test('untilAborted: the result when not aborted; CANCELLED at once on abort, the late result unheard', async () => {
  assert.equal(await untilAborted(Promise.resolve(7), new AbortController().signal, 'Work'), 7);
  let finish: (value: number) => void = () => undefined;
  const slow = new Promise<number>((resolve) => (finish = resolve));
  const abort = new AbortController();
  const waiting = untilAborted(slow, abort.signal, 'Listing /hiveserver2');
  abort.abort();
  await assert.rejects(waiting, (error: unknown) => isHiveZkError(error, 'CANCELLED') && /Listing \/hiveserver2 was cancelled/.test(error.message));
  finish(1);
  await assert.rejects(untilAborted(Promise.resolve(1), abort.signal, 'Work'), (error: unknown) => isHiveZkError(error, 'CANCELLED'), 'already aborted: refused before waiting');
  assert.throws(() => throwIfAborted(abort.signal, 'Work'), (error: unknown) => isHiveZkError(error, 'CANCELLED'));
  assert.doesNotThrow(() => throwIfAborted(undefined, 'Work'));
});
