// The doctor's endpoint probe against real listeners on 127.0.0.1: plain TCP, TLS (trusted, wrong
// host, expired, untrusted, not TLS at all), HTTP 401/403/404/5xx/redirect, a full accept queue,
// silence, dripping and flooding peers, hostile registrations, and the loopback-only guard.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { MAX_PARALLEL_PROBES, probeAll, type PlannedEndpoint } from '../../src/core/doctor/endpoints';
import { isLoopbackAddress, loopbackOnlyFromEnv, nodeSeams, probeEndpoint, requestPath, type ProbeOptions, type ProbeSeams, type ProbeTarget } from '../../src/core/doctor/probe';
import {
  chattyListener,
  closedPort,
  drippingListener,
  floodingListener,
  fullBacklogListener,
  httpListener,
  makeProbeCertificates,
  silentListener,
  tlsListener,
  type Listener,
  type ProbeCertificates,
} from '../support/probeTargets';

let certs: ProbeCertificates;
const listeners: Listener[] = [];
const open = async <T extends Listener>(made: Promise<T>): Promise<T> => {
  const listener = await made;
  listeners.push(listener);
  return listener;
};
before(async () => {
  certs = await makeProbeCertificates();
});
after(async () => {
  await Promise.all(listeners.map((l) => l.close()));
  certs.remove();
});

/** Real seams, counted: every lookup and every connect a probe makes. */
function countingSeams(): ProbeSeams & { lookups: string[]; connects: string[] } {
  const lookups: string[] = [];
  const connects: string[] = [];
  return {
    lookups,
    connects,
    lookup: (host) => {
      lookups.push(host);
      return nodeSeams.lookup(host);
    },
    connect: (options) => {
      connects.push(`${options.host}:${options.port}`);
      return nodeSeams.connect(options);
    },
  };
}

const options = (extra: Partial<ProbeOptions> = {}): ProbeOptions => ({ timeoutMs: 1500, loopbackOnly: true, ...extra });
const binary = (port: number, host = '127.0.0.1'): ProbeTarget => ({ host, port, transport: 'binary', ssl: false });

test('a plain TCP listener that accepts is answering; nothing listening is refused', async () => {
  const listener = await open(silentListener());
  const seams = countingSeams();
  const up = await probeEndpoint(binary(listener.port), options({ seams }));
  assert.equal(up.status, 'answering', up.detail);
  assert.deepEqual(seams.connects, [`127.0.0.1:${listener.port}`]);
  const down = await probeEndpoint(binary(await closedPort()), options());
  assert.equal(down.status, 'refused', down.detail);
});

test('a port whose accept queue is full (SYNs dropped) times out within the probe timeout', async () => {
  const listener = await open(fullBacklogListener());
  const result = await probeEndpoint(binary(listener.port), options({ timeoutMs: 700 }));
  assert.equal(result.status, 'timeout', result.detail);
  assert.match(result.detail, /no TCP connection/);
});

test('TLS: a trusted certificate naming the host answers; wrong host, expired, untrusted are told apart', async () => {
  const good = await open(tlsListener(certs.good));
  const wrong = await open(tlsListener(certs.wrongHost));
  const expired = await open(tlsListener(certs.expired));
  const untrusted = await open(tlsListener(certs.untrusted));
  const ssl = (port: number, host = 'localhost'): ProbeTarget => ({ host, port, transport: 'binary', ssl: true });
  const withCa = options({ ca: [certs.ca] });
  const ok = await probeEndpoint(ssl(good.port), withCa);
  assert.equal(ok.status, 'answering', ok.detail);
  assert.match(ok.detail, /TLS handshake .* completed/);
  assert.equal((await probeEndpoint(ssl(good.port, '127.0.0.1'), withCa)).status, 'answering', 'the IP is in the certificate too');
  assert.equal((await probeEndpoint(ssl(good.port), options())).status, 'tls-untrusted', 'without the CA, the system CAs do not trust it');
  const hostname = await probeEndpoint(ssl(wrong.port), withCa);
  assert.equal(hostname.status, 'tls-hostname', hostname.detail);
  const old = await probeEndpoint(ssl(expired.port), withCa);
  assert.equal(old.status, 'tls-expired', old.detail);
  const stranger = await probeEndpoint(ssl(untrusted.port), withCa);
  assert.equal(stranger.status, 'tls-untrusted', stranger.detail);
});

test('TLS registered but the port speaks something else is tls-expected; a silent port times out', async () => {
  const plain = await open(chattyListener('220 hello, not TLS\r\n'));
  const http = await open(httpListener(200));
  const silent = await open(silentListener());
  for (const port of [plain.port, http.port]) {
    const result = await probeEndpoint({ host: '127.0.0.1', port, transport: 'binary', ssl: true }, options());
    assert.equal(result.status, 'tls-expected', result.detail);
    assert.match(result.detail, /does not speak TLS/);
    assert.doesNotMatch(result.detail, /clientPort/, 'in the words of the registered endpoint, not of ZooKeeper\'s ports');
  }
  const quiet = await probeEndpoint({ host: '127.0.0.1', port: silent.port, transport: 'binary', ssl: true }, options({ timeoutMs: 500 }));
  assert.equal(quiet.status, 'timeout', quiet.detail);
  assert.match(quiet.detail, /TLS handshake/);
});

test('HTTP: 401 and 403 answer, 404 and 5xx are http-error, a redirect answers and is not followed', async () => {
  const target = await open(httpListener(200));
  const cases: [number, string][] = [
    [401, 'answering'],
    [403, 'answering'],
    [404, 'http-error'],
    [500, 'http-error'],
    [503, 'http-error'],
    [200, 'answering'],
  ];
  for (const [status, expected] of cases) {
    const listener = await open(httpListener(status));
    const result = await probeEndpoint({ host: '127.0.0.1', port: listener.port, transport: 'http', ssl: false, httpPath: 'cliservice' }, options());
    assert.equal(result.status, expected, `${status}: ${result.detail}`);
    assert.deepEqual(listener.requests, [{ method: 'GET', url: '/cliservice' }], 'one GET on the registered path');
  }
  const redirect = await open(httpListener(302, { location: `http://127.0.0.1:${target.port}/elsewhere` }));
  const moved = await probeEndpoint({ host: '127.0.0.1', port: redirect.port, transport: 'http', ssl: false, httpPath: '/cliservice' }, options());
  assert.equal(moved.status, 'answering', moved.detail);
  assert.match(moved.detail, /redirect to http:\/\/127\.0\.0\.1:\d+\/elsewhere, not followed/);
  assert.equal(target.requests.length, 0, 'the redirect target never hears from the probe');
});

test('HTTPS: the handshake, then the HTTP status decides', async () => {
  const unauthorized = await open(tlsListener(certs.good, 401));
  const missing = await open(tlsListener(certs.good, 404));
  const https = (port: number): ProbeTarget => ({ host: 'localhost', port, transport: 'http', ssl: true, httpPath: 'cliservice' });
  assert.equal((await probeEndpoint(https(unauthorized.port), options({ ca: [certs.ca] }))).status, 'answering');
  assert.equal((await probeEndpoint(https(missing.port), options({ ca: [certs.ca] }))).status, 'http-error');
  assert.equal((await probeEndpoint(https(unauthorized.port), options())).status, 'tls-untrusted');
});

test('peers that drip, flood or stay silent give typed results within the probe timeout', async () => {
  const drip = await open(drippingListener(20));
  const flood = await open(floodingListener());
  const floodWithStatus = await open(floodingListener('HTTP/1.1 200 OK\r\nX-Junk: '));
  const silent = await open(silentListener());
  const http = (port: number): ProbeTarget => ({ host: '127.0.0.1', port, transport: 'http', ssl: false, httpPath: 'cliservice' });
  const before = process.memoryUsage().rss;
  const dripped = await probeEndpoint(http(drip.port), options({ timeoutMs: 600 }));
  assert.equal(dripped.status, 'http-error', dripped.detail);
  const flooded = await probeEndpoint(http(flood.port), options({ timeoutMs: 5000 }));
  assert.equal(flooded.status, 'http-error', flooded.detail);
  assert.match(flooded.detail, /no HTTP answer/);
  const endless = await probeEndpoint(http(floodWithStatus.port), options({ timeoutMs: 5000 }));
  assert.equal(endless.status, 'answering', endless.detail);
  const quiet = await probeEndpoint(http(silent.port), options({ timeoutMs: 500 }));
  assert.equal(quiet.status, 'http-error', quiet.detail);
  assert.match(quiet.detail, /no HTTP answer .* within 500 ms/);
  // Reads stop at 8 KiB: the flood costs a socket buffer or two, not what the peer sends.
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'memory stays bounded');
});

test('hostile registrations are skipped before any lookup or packet', async () => {
  const seams = countingSeams();
  const bad: ProbeTarget[] = [
    { host: 'a b', port: 10000, transport: 'binary', ssl: false },
    { host: 'h;rm -rf', port: 10000, transport: 'binary', ssl: false },
    { host: '', port: 10000, transport: 'binary', ssl: false },
    { host: 'localhost', port: 0, transport: 'binary', ssl: false },
    { host: 'localhost', port: 65536, transport: 'binary', ssl: false },
    { host: 'localhost', port: Number.NaN, transport: 'binary', ssl: false },
    { host: 'localhost', port: 10001, transport: 'http', ssl: false, httpPath: 'cli\r\nX-Injected: 1' },
    { host: 'localhost', port: 10001, transport: 'http', ssl: false, httpPath: 'a b' },
  ];
  for (const target of bad) {
    const result = await probeEndpoint(target, options({ seams, loopbackOnly: false }));
    assert.equal(result.status, 'skipped', JSON.stringify(target));
  }
  assert.deepEqual(seams.lookups, []);
  assert.deepEqual(seams.connects, []);
});

test('loopback-only guard: no lookup and no connection for anything but loopback literals and localhost', async () => {
  const listener = await open(silentListener());
  const seams = countingSeams();
  const elsewhere = ['hs2-a.example.com', 'hs2.example.com', '10.20.0.15', '192.168.1.1', '8.8.8.8', '2130706433', '0.0.0.0', 'localhost.example.com', 'nothing.invalid'];
  for (const host of elsewhere) {
    const result = await probeEndpoint(binary(listener.port, host), options({ seams }));
    assert.equal(result.status, 'skipped', host);
    assert.match(result.detail, /^loopback-only/);
  }
  assert.deepEqual(seams.lookups, [], 'no name was looked up');
  assert.deepEqual(seams.connects, [], 'no connection was attempted');
  // Loopback literals and "localhost" (never looked up: it is 127.0.0.1) are probed.
  // (The listener is bound to 127.0.0.1 alone: 127.0.0.2 is probed, and refused.)
  for (const [host, expected] of [['127.0.0.1', 'answering'], ['127.0.0.2', 'refused'], ['localhost', 'answering'], ['LOCALHOST', 'answering']] as const) {
    assert.equal((await probeEndpoint(binary(listener.port, host), options({ seams }))).status, expected, host);
  }
  assert.deepEqual(seams.lookups, []);
  assert.deepEqual(seams.connects, ['127.0.0.1', '127.0.0.2', '127.0.0.1', '127.0.0.1'].map((h) => `${h}:${listener.port}`));
});

test('a name that does not resolve is unresolved, and nothing is connected to', async () => {
  const connects: string[] = [];
  const failing: ProbeSeams = {
    lookup: () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
    connect: (o) => {
      connects.push(o.host);
      return nodeSeams.connect(o);
    },
  };
  const result = await probeEndpoint(binary(10000, 'hs2-gone.cluster'), options({ loopbackOnly: false, seams: failing }));
  assert.equal(result.status, 'unresolved');
  assert.match(result.detail, /does not resolve \(ENOTFOUND\)/);
  const hanging: ProbeSeams = { lookup: () => new Promise(() => undefined), connect: failing.connect };
  const slow = await probeEndpoint(binary(10000, 'hs2-slow-dns.cluster'), options({ loopbackOnly: false, seams: hanging, timeoutMs: 300 }));
  assert.equal(slow.status, 'unresolved');
  assert.deepEqual(connects, []);
  // With the guard on, a name that resolves to something else is never even asked about.
  const resolvesElsewhere: ProbeSeams = { lookup: () => Promise.resolve('10.1.2.3'), connect: failing.connect };
  assert.equal((await probeEndpoint(binary(10000, 'hs2.cluster'), options({ seams: resolvesElsewhere }))).status, 'skipped');
  // Without it, a looked-up address is where the probe goes.
  const listener = await open(silentListener());
  const toLoopback: ProbeSeams = { lookup: () => Promise.resolve('127.0.0.1'), connect: failing.connect };
  assert.equal((await probeEndpoint(binary(listener.port, 'hs2.cluster'), options({ loopbackOnly: false, seams: toLoopback }))).status, 'answering');
  assert.deepEqual(connects, ['127.0.0.1']);
});

test('the guard reads the environment; loopback addresses are literal ones', () => {
  assert.equal(loopbackOnlyFromEnv({ HIVEZK_PROBE_LOOPBACK_ONLY: '1' }), true);
  assert.equal(loopbackOnlyFromEnv({ HIVEZK_PROBE_LOOPBACK_ONLY: 'true' }), true);
  assert.equal(loopbackOnlyFromEnv({ HIVEZK_PROBE_LOOPBACK_ONLY: '0' }), false);
  assert.equal(loopbackOnlyFromEnv({}), false);
  assert.equal(loopbackOnlyFromEnv(process.env), true, 'test/support sets it for every test process');
  for (const yes of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) {
    assert.equal(isLoopbackAddress(yes), true, yes);
  }
  for (const no of ['localhost', '10.0.0.1', '0.0.0.0', '::', '::ffff:10.0.0.1', '128.0.0.1', '2130706433']) {
    assert.equal(isLoopbackAddress(no), false, no);
  }
  assert.equal(requestPath('cliservice'), '/cliservice');
  assert.equal(requestPath('/cliservice'), '/cliservice');
  assert.equal(requestPath(undefined), '/');
});

test('probeAll: 10k registrations of one server cost one connection; distinct targets run at most 16 at once', async () => {
  let accepted = 0;
  const listener = await open(silentListener());
  const seams = countingSeams();
  const planned: PlannedEndpoint[] = Array.from({ length: 10_000 }, (_, i) => ({ namespace: 'hiveserver2', znode: `/hiveserver2/serverUri=127.0.0.1:${listener.port};sequence=${i}`, kind: 'hs2', host: '127.0.0.1', port: listener.port, transport: 'binary', ssl: false, target: binary(listener.port) }));
  const results = await probeAll(planned, options({ seams }));
  accepted = seams.connects.length;
  assert.equal(results.length, 10_000);
  assert.ok(results.every((r) => r.probe.status === 'answering'));
  assert.equal(accepted, 1);
  assert.equal(results[9999]?.znode, planned[9999]?.znode, 'results in plan order');

  // Sockets that never connect: every probe waits its full timeout, so the peak is the limit.
  let active = 0;
  let peak = 0;
  const stuck: ProbeSeams = {
    lookup: () => Promise.reject(new Error('no lookups here')),
    connect: () => {
      active += 1;
      peak = Math.max(peak, active);
      const socket = new Socket();
      socket.once('close', () => (active -= 1));
      return socket;
    },
  };
  const many: PlannedEndpoint[] = Array.from({ length: 50 }, (_, i) => ({ namespace: 'n', znode: `/n/${i}`, kind: 'hs2', host: '127.0.0.1', port: 20000 + i, transport: 'binary', ssl: false, target: binary(20000 + i) }));
  const timedOut = await probeAll(many, options({ seams: stuck, timeoutMs: 100 }));
  assert.ok(timedOut.every((r) => r.probe.status === 'timeout'));
  assert.equal(peak, MAX_PARALLEL_PROBES);
  assert.equal(active, 0, 'every socket was closed');
  // Planned endpoints with nothing to probe are skipped with the reason, without a probe.
  const [skipped] = await probeAll([{ namespace: 'n', znode: '/n/x', kind: 'hs2', host: null, port: null, transport: 'binary', ssl: false, problem: 'nothing to probe: data is empty' }], options({ seams: stuck }));
  assert.deepEqual(skipped?.probe, { status: 'skipped', ms: 0, detail: 'nothing to probe: data is empty' });
});
