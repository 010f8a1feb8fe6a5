// The server principal's host, as ZooKeeper's Java client forms it (SaslServerPrincipal): the
// canonical name of the address connected to, kept only when it resolves back; else the name as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HiveZkError } from '../../src/core/errors';
import { principalHost, type HostResolver } from '../../src/core/zk/auth/kerberosPrincipal';

/** A resolver over fixed tables; it records every look-up, so a test can see none went elsewhere. */
function tableResolver(forward: Record<string, string[]>, reverse: Record<string, string>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    addresses: (host) => {
      asked.push(`A ${host}`);
      const found = forward[host];
      return found ? Promise.resolve(found) : Promise.reject(new Error(`ENOTFOUND ${host}`));
    },
    nameOf: (address) => {
      asked.push(`PTR ${address}`);
      const found = reverse[address];
      return found ? Promise.resolve(found) : Promise.reject(new Error(`ENOTFOUND ${address}`));
    },
  };
}

const hosts = { forward: { localhost: ['127.0.0.1'], 'zk1.lan': ['127.0.0.5'], 'zk1.internal.lan': ['127.0.0.5'] }, reverse: { '127.0.0.1': 'localhost', '127.0.0.5': 'zk1.internal.lan' } };

const cases: { name: string; host: string; address?: string; canonicalize: boolean; expect: string }[] = [
  { name: 'an IP address becomes its canonical name', host: '127.0.0.1', canonicalize: true, expect: 'localhost' },
  { name: 'a short name becomes the canonical (reverse) name of its address', host: 'zk1.lan', canonicalize: true, expect: 'zk1.internal.lan' },
  { name: 'the address actually connected to is the one canonicalized', host: 'zk1.lan', address: '127.0.0.1', canonicalize: true, expect: 'localhost' },
  { name: 'no reverse name: the host as written (not the literal address)', host: 'zk1.lan', address: '127.0.0.9', canonicalize: true, expect: 'zk1.lan' },
  { name: 'off: a name as written, no look-up', host: 'zk1.lan', canonicalize: false, expect: 'zk1.lan' },
  { name: 'off: an IP address is still named by its reverse name (Java resolves the literal)', host: '127.0.0.1', canonicalize: false, expect: 'localhost' },
  { name: 'off: an IP address without a reverse name stays as written', host: '127.0.0.9', canonicalize: false, expect: '127.0.0.9' },
];
for (const c of cases) {
  test(`principal host: ${c.name}`, async () => {
    const resolver = tableResolver(hosts.forward, hosts.reverse);
    assert.equal(await principalHost(c.host, { canonicalize: c.canonicalize, resolver, ...(c.address ? { address: c.address } : {}) }), c.expect);
    if (!c.canonicalize && c.host === 'zk1.lan') {
      assert.deepEqual(resolver.asked, []);
    }
  });
}

test('principal host: a reverse name that does not resolve back to the address is not trusted', async () => {
  const resolver = tableResolver({ 'evil.example': ['127.0.0.66'] }, { '127.0.0.5': 'evil.example' });
  assert.equal(await principalHost('zk1.lan', { canonicalize: true, address: '127.0.0.5', resolver }), 'zk1.lan');
});

test('principal host: an unresolvable name is a typed error saying how to turn canonicalization off', async () => {
  const resolver = tableResolver({}, {});
  await assert.rejects(principalHost('nowhere.invalid', { canonicalize: true, resolver }), (e: unknown) => e instanceof HiveZkError && e.code === 'ZK_SASL_FAILED' && /not resolvable/.test(e.message) && /canonicalization off/.test(e.message));
});
