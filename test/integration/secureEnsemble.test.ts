// Failover on a 3-server ensemble serving only TLS + SASL DIGEST-MD5: when the server holding the
// session dies, the session moves on with TLS and SASL redone on the new connection, same session.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { secureTransport } from '../../src/core/zk/auth/secureTransport';
import { ZkSession } from '../../src/core/zk/session';
import { makeTestCertificates, type TestCertificates } from '../support/certs';
import { delay, startZooKeeper, type ZkCluster, type ZkServer } from '../support/zkServer';

const PASSWORD = 'ensemble-digest-pw-2';
let certs: TestCertificates;
let zk: ZkCluster;
before(async () => {
  certs = await makeTestCertificates();
  zk = await startZooKeeper({
    size: 3,
    tls: { keyStore: certs.serverP12, trustStore: certs.truststoreP12, password: certs.password },
    sasl: { mechanism: 'digest', users: { bob: PASSWORD } },
  });
});
after(async () => {
  await zk?.stop();
  certs?.remove();
});

/** A four-letter word over the TLS port (`cons` on the plain port lists only plain connections). */
function tlsFourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: readFileSync(certs.caPem), cert: readFileSync(certs.clientCertPem), key: readFileSync(certs.clientKeyPem) }, () => socket.write(word));
    const done = (): void => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(3000, done);
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('utf8')));
    socket.once('error', done);
    socket.once('close', done);
  });
}

/** The server whose `cons` lists the session. */
async function holder(sessionIdHex: string): Promise<ZkServer | undefined> {
  const id = `sid=0x${sessionIdHex.replace(/^0+/, '')}`;
  for (const server of zk.servers.filter((s) => s.running && s.securePort)) {
    if ((await tlsFourLetterWord(server.securePort ?? 0, 'cons')).includes(id)) {
      return server;
    }
  }
  return undefined;
}

test('TLS + SASL ensemble: the session survives losing its server; SASL is redone on the new one', async () => {
  const session = new ZkSession({
    connectString: zk.secureConnectString,
    sessionTimeoutMs: 20_000,
    connectTimeoutMs: 15_000,
    requestTimeoutMs: 15_000,
    transport: secureTransport({ tls: { caFile: certs.caPem, certFile: certs.clientCertPem, keyFile: certs.clientKeyPem }, sasl: { mechanism: 'digest', credential: { username: 'bob', password: PASSWORD } } }),
  });
  try {
    await session.create('/failover', Buffer.from('before'));
    const sessionId = session.sessionId;
    assert.ok(sessionId);
    const first = await holder(sessionId);
    assert.ok(first, 'cons shows the TLS session on one server');
    await first.stop(true);
    // Reads resume once the session has moved; the servers enforce SASL, so that proves it ran again.
    const deadline = Date.now() + 30_000;
    let data: string | undefined;
    while (data === undefined && Date.now() < deadline) {
      data = await session.getData('/failover').then((r) => r.data.toString(), () => undefined);
      if (data === undefined) {
        await delay(250);
      }
    }
    assert.equal(data, 'before');
    assert.equal(session.sessionId, sessionId, 'same server-side session');
    assert.equal(session.generation, 1, 'no new client was needed');
    const second = await holder(sessionId);
    assert.ok(second && second !== first, 'the session is on another server now');
  } finally {
    session.close();
  }
});
