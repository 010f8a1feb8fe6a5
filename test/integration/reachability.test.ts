// Telling unreachable ensembles apart: unknown host, refused, silent, and a port that accepts TCP but
// does not speak ZooKeeper. Real sockets on loopback; no ZooKeeper needed. (A silent address is
// not tested: this machine's network accepts TCP to any address, so nothing here times out.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { parseConnectString } from '../../src/core/zk/connectString';
import { diagnoseUnreachable } from '../../src/core/health/reachability';
import { freePort } from '../support/zkServer';

test('an unknown host name is a DNS verdict', async () => {
  const verdict = await diagnoseUnreachable(parseConnectString('nxhost.invalid:2181'), 2000);
  assert.deepEqual([verdict.kind, verdict.label], ['dns', 'Unknown host: nxhost.invalid']);
});

test('a closed port is "refused"; it beats an unknown host in the same ensemble', async () => {
  const port = await freePort();
  const verdict = await diagnoseUnreachable(parseConnectString(`nxhost.invalid:2181,127.0.0.1:${port}`), 2000);
  assert.deepEqual([verdict.kind, verdict.label], ['refused', `Connection refused by 127.0.0.1:${port}`]);
});

test('a port that accepts but never speaks ZooKeeper is told apart (TLS-only port?)', async () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const verdict = await diagnoseUnreachable(parseConnectString(`127.0.0.1:${port}`), 2000);
    assert.equal(verdict.kind, 'noHandshake');
    assert.match(verdict.label, /No ZooKeeper handshake from 127\.0\.0\.1:\d+ \(a TLS-only port\?\)/);
  } finally {
    sockets.forEach((s) => s.destroy());
    server.close();
  }
});
