// Server health parsers on replies recorded from Debian's ZooKeeper 3.8.0 (3-server ensemble on
// loopback, four-letter words and AdminServer), plus older and hostile variants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { sendAdminCommand } from '../../src/core/health/adminServer';
import { sendFourLetterWord } from '../../src/core/health/fourLetterWords';
import {
  classifyRefusal,
  normalizeSessionId,
  parseAdminConf,
  parseAdminCons,
  parseAdminJson,
  parseAdminMntr,
  parseAdminSrvr,
  parseConf,
  parseCons,
  parseMntr,
  parseSrvr,
  parseVersion,
} from '../../src/core/health/healthReplies';
import { groupConnectionsByClient, healthHints, indexSessions, type ServerHealth } from '../../src/core/health/serverHealth';

const SRVR_LEADER = `Zookeeper version: 3.8.0-\${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Latency min/avg/max: 2/17.0/25
Received: 5
Sent: 4
Connections: 2
Outstanding: 0
Zxid: 0x100000002
Mode: leader
Node count: 6
Proposal sizes last/min/max: 87/48/87
`;

// ZooKeeper 3.4 wrote the average as an integer and had no "Proposal sizes" line.
const SRVR_34 = `Zookeeper version: 3.4.14-4c25d480e66aadd371de8bd2fd8da255ac140bcf, built on 03/06/2019 16:18 GMT
Latency min/avg/max: 0/1/12
Received: 10
Sent: 9
Connections: 3
Outstanding: 4
Zxid: 0x0
Mode: standalone
Node count: 4
`;

const MNTR = [
  'zk_version\t3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC',
  'zk_server_state\tleader',
  'zk_peer_state\tleading - broadcast',
  'zk_ephemerals_count\t1',
  'zk_num_alive_connections\t2',
  'zk_avg_latency\t17.0',
  'zk_outstanding_requests\t0',
  'zk_znode_count\t6',
  'zk_watch_count\t3',
  'zk_min_latency\t2',
  'zk_max_latency\t25',
  'zk_p50_readlatency\t2',
  '',
].join('\n');

const CONS = ` /127.0.0.1:48496[1](queued=0,recved=3,sent=3,sid=0x3000004fc350000,lop=EXIS,est=1795618757335,to=30000,lcxid=0x1,lzxid=0x100000002,lresp=326941,llat=2,minlat=0,avglat=17,maxlat=25)
 /127.0.0.1:48522[0](queued=0,recved=1,sent=0)

`;

const CONF = `clientPort=38953
secureClientPort=-1
dataDir=/tmp/hivezk-zk-tzydFy/server3/data/version-2
tickTime=2000
maxClientCnxns=60
minSessionTimeout=4000
maxSessionTimeout=60000
serverId=3
membership: 
server.1=127.0.0.1:43979:44341:participant
server.2=127.0.0.1:40741:36381:participant
server.3=127.0.0.1:40583:37661:participant
version=0
`;

const ADMIN_SRVR = `{
  "version" : "3.8.0-\${mvngit.commit.id}, built on 2024-12-29 17:54 UTC",
  "read_only" : false,
  "server_stats" : {
    "packets_sent" : 10,
    "server_state" : "leader",
    "outstanding_requests" : 0,
    "min_latency" : 0,
    "avg_latency" : 0.0,
    "max_latency" : 0,
    "num_alive_client_connections" : 0,
    "uptime" : 1958
  },
  "node_count" : 6,
  "command" : "server_stats",
  "error" : null
}`;

const ADMIN_CONS = `{
  "connections" : [ {
    "remote_socket_address" : "127.0.0.1:42634",
    "interest_ops" : 1,
    "outstanding_requests" : 0,
    "packets_received" : 3,
    "packets_sent" : 3,
    "session_id" : 144115211371479041,
    "last_operation" : "EXIS",
    "established" : 1795618786111,
    "session_timeout" : 30000
  } ],
  "secure_connections" : [ ],
  "command" : "connections",
  "error" : null
}`;

const ADMIN_CONF = `{
  "client_port" : 38869,
  "tick_time" : 2000,
  "max_client_cnxns" : 60,
  "server_id" : 3,
  "command" : "configuration",
  "error" : null
}`;

test('srvr (3.8 leader): mode, version, latency, outstanding, znodes, connections', () => {
  assert.deepEqual(parseSrvr(SRVR_LEADER), {
    versionText: '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC',
    mode: 'leader',
    outstanding: 0,
    znodeCount: 6,
    connectionCount: 2,
    latency: { min: 2, avg: 17, max: 25 },
  });
});

test('srvr (3.4 standalone): integer average latency', () => {
  const stats = parseSrvr(SRVR_34);
  assert.deepEqual([stats.mode, stats.latency, stats.outstanding, stats.connectionCount], ['standalone', { min: 0, avg: 1, max: 12 }, 4, 3]);
  assert.equal(parseVersion(stats.versionText)?.batchedReads, false);
});

test('srvr of a server out of quorum: "not serving"', () => {
  assert.deepEqual(parseSrvr('This ZooKeeper instance is not currently serving requests\n'), { mode: 'not serving' });
  assert.equal(classifyRefusal('This ZooKeeper instance is not currently serving requests\n'), 'notServing');
});

test('mntr: watches and ephemerals besides the srvr facts', () => {
  assert.deepEqual(parseMntr(MNTR), {
    versionText: '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC',
    mode: 'leader',
    outstanding: 0,
    znodeCount: 6,
    watchCount: 3,
    ephemeralsCount: 1,
    connectionCount: 2,
    latency: { min: 2, avg: 17, max: 25 },
  });
});

test('conf: maxClientCnxns and serverId; membership lines ignored', () => {
  assert.deepEqual(parseConf(CONF), { maxClientCnxns: 60, serverId: 3 });
  assert.deepEqual(parseConf('maxClientCnxns=0\n'), { maxClientCnxns: 0 });
});

test('cons: sessions as hex without 0x, sessionless connections kept', () => {
  assert.deepEqual(parseCons(CONS), [
    { address: '127.0.0.1', port: 48496, sessionId: '3000004fc350000', outstanding: 0, established: 1795618757335, lastOperation: 'EXIS' },
    { address: '127.0.0.1', port: 48522, outstanding: 0 },
  ]);
});

test('cons: resolved host names, IPv6 and hostile lines', () => {
  const text = [
    ' hs2-a.example.com/10.20.0.15:40000[1](queued=2,recved=9,sent=9,sid=0xff00000000000001,lop=GETD)',
    ' /0:0:0:0:0:0:0:1:50000[1](queued=0,recved=1,sent=1,sid=0x2)',
    ' /10.0.0.1:70000[1](queued=0)', // port out of range
    ' /<script>:1[1](queued=0)', // not an address
    ' /10.0.0.2:1[1](sid=0xnothex,lop=<b>)',
    'garbage',
  ].join('\n');
  assert.deepEqual(parseCons(text), [
    { address: '10.20.0.15', port: 40000, sessionId: 'ff00000000000001', outstanding: 2, lastOperation: 'GETD' },
    { address: '0:0:0:0:0:0:0:1', port: 50000, sessionId: '2', outstanding: 0 },
    { address: '10.0.0.2', port: 1 },
  ]);
});

test('whitelist refusal is recognised for every word', () => {
  for (const word of ['mntr', 'cons', 'conf']) {
    assert.equal(classifyRefusal(`${word} is not executed because it is not in the whitelist.\n`), 'notWhitelisted');
  }
  assert.equal(classifyRefusal(SRVR_LEADER), undefined);
});

test('session ids: 0x hex, bare hex and the AdminServer signed decimal all agree with ephemeralOwner', () => {
  assert.equal(normalizeSessionId('0x3000004fc350000'), '3000004fc350000');
  assert.equal(normalizeSessionId('03000004FC350000'), '3000004fc350000');
  assert.equal(normalizeSessionId('144115211371479041', 10), '20000056c870001');
  // Server ids >= 128 make negative longs.
  assert.equal(normalizeSessionId('-72057594037927935', 10), 'ff00000000000001');
  assert.equal(normalizeSessionId('0'), undefined);
  assert.equal(normalizeSessionId('0x'), undefined);
  assert.equal(normalizeSessionId('12345678901234567890123', 10), undefined);
});

test('versions: batched reads from 3.6', () => {
  assert.deepEqual(parseVersion('3.8.0-${mvngit.commit.id}, built on 2024'), { text: '3.8.0', major: 3, minor: 8, patch: 0, batchedReads: true });
  assert.equal(parseVersion('3.6.0')?.batchedReads, true);
  assert.equal(parseVersion('3.5.9')?.batchedReads, false);
  assert.equal(parseVersion('4.0.0')?.batchedReads, true);
  assert.equal(parseVersion('unknown'), undefined);
});

test('AdminServer server_stats, monitor, configuration', () => {
  const srvr = parseAdminJson(ADMIN_SRVR);
  assert.ok(srvr);
  assert.deepEqual(parseAdminSrvr(srvr), {
    versionText: '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC',
    mode: 'leader',
    outstanding: 0,
    znodeCount: 6,
    connectionCount: 0,
    latency: { min: 0, avg: 0, max: 0 },
  });
  const mntr = parseAdminJson('{"server_state":"follower","watch_count":7,"znode_count":9,"num_alive_connections":4,"min_latency":1,"avg_latency":2.5,"max_latency":9}');
  assert.ok(mntr);
  assert.deepEqual(parseAdminMntr(mntr), { mode: 'follower', watchCount: 7, znodeCount: 9, connectionCount: 4, latency: { min: 1, avg: 2.5, max: 9 } });
  const conf = parseAdminJson(ADMIN_CONF);
  assert.ok(conf);
  assert.deepEqual(parseAdminConf(conf), { maxClientCnxns: 60, serverId: 3 });
});

test('AdminServer connections: the 64-bit session id stays exact (JSON numbers would round it)', () => {
  assert.notEqual(BigInt(Math.round(JSON.parse('144115211371479041') as number)), 144115211371479041n, 'plain JSON.parse loses the low bits');
  const json = parseAdminJson(ADMIN_CONS);
  assert.ok(json);
  assert.deepEqual(parseAdminCons(json), [{ address: '127.0.0.1', port: 42634, sessionId: '20000056c870001', outstanding: 0, established: 1795618786111, lastOperation: 'EXIS' }]);
});

test('AdminServer replies that are not objects, or odd addresses', () => {
  assert.equal(parseAdminJson('<html>'), undefined);
  assert.equal(parseAdminJson('[1]'), undefined);
  const json = parseAdminJson('{"connections":[{"remote_socket_address":"[::1]:5"},{"remote_socket_address":"x"},{"remote_socket_address":7},null],"secure_connections":"no"}');
  assert.ok(json);
  assert.deepEqual(parseAdminCons(json), [{ address: '::1', port: 5 }]);
});

const server = (name: string, connections: { address: string; sessionId?: string }[], maxClientCnxns?: number): ServerHealth => ({
  server: name,
  host: name.split(':')[0] ?? '',
  port: Number(name.split(':')[1]),
  reachable: true,
  ...(maxClientCnxns !== undefined ? { maxClientCnxns } : {}),
  connections: connections.map((c, i) => ({ ...c, port: 40000 + i })),
  sources: {},
  missing: [],
  truncated: false,
  problems: [],
});

test('connections grouped by client address, per server against the per-host limit', () => {
  const leaky = Array.from({ length: 50 }, (_, i) => ({ address: '10.20.0.15', sessionId: (0x100 + i).toString(16) }));
  const servers = [
    server('zk1:2181', [...leaky, { address: '10.20.0.16', sessionId: 'a1' }], 60),
    server('zk2:2181', [{ address: '10.20.0.15', sessionId: 'b1' }, { address: '10.20.0.16' }], 60),
  ];
  const groups = groupConnectionsByClient(servers);
  assert.deepEqual(
    groups.map((g) => [g.address, g.total, g.warn, g.perServer.map((p) => `${p.server}=${p.count}/${p.limit ?? '?'}${p.warn ? '!' : ''}`)]),
    [
      ['10.20.0.15', 51, true, ['zk1:2181=50/60!', 'zk2:2181=1/60']],
      ['10.20.0.16', 2, false, ['zk1:2181=1/60', 'zk2:2181=1/60']],
    ],
  );
  assert.equal(groups[0]?.sessions.length, 51);
  assert.equal(groupConnectionsByClient(servers, 100)[0]?.warn, false, 'an explicit threshold wins');
  assert.equal(groupConnectionsByClient([server('zk1:2181', leaky, 0)])[0]?.warn, true, 'unlimited: warns from 50');
});

test('session index: who holds each session', () => {
  const sessions = indexSessions([server('zk1:2181', [{ address: '127.0.0.2', sessionId: 'abc' }, { address: '127.0.0.3' }])]);
  assert.deepEqual([...sessions.values()], [{ sessionId: 'abc', address: '127.0.0.2', port: 40000, server: 'zk1:2181' }]);
});

test('hints name the exact settings, only when something is missing', () => {
  const ok = server('zk1:2181', []);
  assert.deepEqual(healthHints([ok]), []);
  const hints = healthHints([{ ...ok, missing: ['mntr', 'cons', 'conf'] }], 9090);
  assert.equal(hints.length, 1);
  assert.match(hints[0] ?? '', /mntr, cons, conf unavailable on zk1:2181/);
  assert.match(hints[0] ?? '', /4lw\.commands\.whitelist=srvr,mntr,cons,conf/);
  assert.match(hints[0] ?? '', /admin\.enableServer=true with admin\.serverPort=9090/);
  assert.deepEqual(healthHints([{ ...ok, reachable: false, missing: ['srvr'] }]), [], 'a server that is down needs no setting');
});

// Transport bounds against plain local sockets (no ZooKeeper involved): replies are cut, silence times out.
async function listen(onConnection: (socket: Socket) => void): Promise<{ port: number; close: () => void }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => server.close() };
}

test('an endless reply is cut at maxReplyBytes and marked truncated', async () => {
  const flood = await listen((socket) => {
    socket.on('error', () => undefined);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = (): void => {
      while (!socket.destroyed && socket.write(chunk)) {
        // keep writing until the socket pushes back
      }
    };
    socket.on('drain', pump);
    pump();
  });
  try {
    const reply = await sendFourLetterWord({ host: '127.0.0.1', port: flood.port }, 'cons', { maxReplyBytes: 100_000, timeoutMs: 5000 });
    assert.ok('text' in reply);
    assert.equal(reply.truncated, true);
    assert.equal(reply.text.length, 100_000);
  } finally {
    flood.close();
  }
});

test('the AdminServer has the same bounds: an endless body is cut and marked truncated, a non-200 answer is an error', async () => {
  const http = createHttpServer((request, response) => {
    if (request.url === '/commands/monitor') {
      response.writeHead(500);
      response.end('no');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.on('error', () => undefined);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = (): void => {
      while (!response.destroyed && response.write(chunk)) {
        // keep writing until the socket pushes back
      }
    };
    response.on('drain', pump);
    pump();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const reply = await sendAdminCommand({ host: '127.0.0.1', port }, 'srvr', { maxReplyBytes: 100_000, timeoutMs: 5000 });
    assert.ok('text' in reply);
    assert.equal(reply.truncated, true);
    assert.equal(reply.text.length, 100_000);
    const refused = await sendAdminCommand({ host: '127.0.0.1', port }, 'mntr', { timeoutMs: 5000 });
    assert.deepEqual(refused, { failure: 'error', message: `http://127.0.0.1:${port}/commands/monitor answered HTTP 500` });
  } finally {
    http.closeAllConnections();
    http.close();
  }
});

test('a server that accepts and never answers times out; a closed port is refused', async () => {
  const sockets: Socket[] = [];
  const silent = await listen((socket) => sockets.push(socket));
  try {
    const started = Date.now();
    const reply = await sendFourLetterWord({ host: '127.0.0.1', port: silent.port }, 'srvr', { timeoutMs: 300 });
    assert.deepEqual('failure' in reply ? reply.failure : reply, 'timeout');
    assert.ok(Date.now() - started < 2000);
    const admin = await sendAdminCommand({ host: '127.0.0.1', port: silent.port }, 'mntr', { timeoutMs: 300 });
    assert.deepEqual('failure' in admin ? admin.failure : admin, 'timeout');
  } finally {
    sockets.forEach((s) => s.destroy());
    silent.close();
  }
  const closedPort = await listen(() => undefined);
  closedPort.close();
  const refused = await sendFourLetterWord({ host: '127.0.0.1', port: closedPort.port }, 'srvr', { timeoutMs: 1000 });
  assert.deepEqual('failure' in refused ? refused.failure : refused, 'refused');
});
