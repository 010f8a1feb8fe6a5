// The Disposable base: idempotent dispose, and nothing armed or owned after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Disposable, toDisposable } from '../../src/core/lifecycle';

class Owner extends Disposable {
  fired = 0;
  arm(ms: number): void {
    this.timeout(ms, () => {
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
