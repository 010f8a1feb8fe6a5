// The frame splitter and the library guard: whole frames whatever the slicing, and a loud
// failure if node-zookeeper-client's internals that the seam (zk/library.ts) drives ever move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FrameSplitter, MAX_FRAME_BYTES, addWatchFrame, connectResponseTimeout, decodeWatcherEvent, removeWatchesFrame, requestFrame, setWatches2Frame } from '../../src/core/zk/wire';
import { indexMultiReadResponse, multiReadFrame, statEphemeralOwnerAt } from '../../src/core/zk/wireMultiRead';
import { PersistentWatches } from '../../src/core/zk/persistentWatches';
import { pathProblem, pathProblemAt } from '../../src/core/zk/errorMap';
import { childPath, pathAt, pickPaths } from '../../src/core/zk/znodePath';
import { libraryInternalsProblems } from '../../src/core/zk/library';

function frame(body: Buffer): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

test('FrameSplitter hands on exactly the frames sent, however the stream is cut', () => {
  const frames = [0, 1, 3, 4, 17, 70_000, 0, 5, 1_000_000].map((size, i) => frame(Buffer.alloc(size, i + 1)));
  const stream = Buffer.concat(frames);
  for (const cut of [1, 2, 3, 5, 7, 1000, 65_536, stream.length]) {
    const splitter = new FrameSplitter();
    const seen: Buffer[] = [];
    for (let offset = 0; offset < stream.length; offset += cut) {
      splitter.push(stream.subarray(offset, offset + cut), (f) => seen.push(Buffer.from(f)));
    }
    assert.equal(seen.length, frames.length, `cut ${cut}`);
    seen.forEach((f, i) => assert.ok(f.equals(frames[i]), `frame ${i} with cut ${cut}`));
  }
});

test('FrameSplitter refuses impossible lengths', () => {
  const negative = Buffer.alloc(8);
  negative.writeInt32BE(-5, 0);
  assert.throws(() => new FrameSplitter().push(negative, () => undefined), /impossible length/);
  const huge = Buffer.alloc(4);
  huge.writeInt32BE(MAX_FRAME_BYTES, 0);
  assert.throws(() => new FrameSplitter().push(huge, () => undefined), /impossible length/);
});

test('a frame announcing more than a reply of this client can be (250 MB) is refused by its length, before its body is buffered', () => {
  assert.ok(MAX_FRAME_BYTES <= 64 * 1024 * 1024, 'sized to jute.maxbuffer-bound replies, not to 256 MB');
  const announce = Buffer.alloc(4);
  announce.writeInt32BE(250 * 1024 * 1024, 0);
  assert.throws(() => new FrameSplitter().push(announce, () => undefined), /impossible length/);
  // The same when the length arrives in pieces, after a whole frame.
  const splitter = new FrameSplitter();
  const small = Buffer.from([0, 0, 0, 1, 7]);
  const frames: Buffer[] = [];
  splitter.push(Buffer.concat([small, announce.subarray(0, 2)]), (f) => frames.push(f));
  assert.equal(frames.length, 1);
  assert.throws(() => splitter.push(announce.subarray(2), () => undefined), /impossible length/);
  // A 1 MB znode reply, the largest Hive writes, passes.
  const megabyte = Buffer.alloc(4 + 1024 * 1024);
  megabyte.writeInt32BE(1024 * 1024, 0);
  new FrameSplitter().push(megabyte, (f) => frames.push(f));
  assert.equal(frames.length, 2);
});

test('request frames and ConnectResponse timeouts are read and written as jute does', () => {
  const request = requestFrame(7, 22, Buffer.from([1, 2]));
  assert.deepEqual([...request], [0, 0, 0, 10, 0, 0, 0, 7, 0, 0, 0, 22, 1, 2]);
  const connectResponse = Buffer.alloc(40);
  connectResponse.writeInt32BE(36, 0);
  connectResponse.writeInt32BE(30_000, 8);
  assert.equal(connectResponseTimeout(connectResponse), 30_000);
});

test('multiRead requests: paths given as parents and names are written byte for byte as the joined paths, under a chroot too', () => {
  const parents = ['/', '/a', '/a', '/hive_locks/db/t/ds=2026', '/é/ü', '/a'];
  const names = ['x', 'LOCK-SHARED-0000000001', 'b', 'LOCK-EXCLUSIVE-0000000002', 'ñ-名', 'c'];
  const joined = parents.map((parent, i) => childPath(parent, names[i]));
  assert.deepEqual(joined, ['/x', '/a/LOCK-SHARED-0000000001', '/a/b', '/hive_locks/db/t/ds=2026/LOCK-EXCLUSIVE-0000000002', '/é/ü/ñ-名', '/a/c']);
  for (const chroot of ['', '/chroot', '/ç']) {
    for (const kind of ['data', 'children'] as const) {
      assert.deepEqual(multiReadFrame(7, kind, { parents, names }, chroot), multiReadFrame(7, kind, joined, chroot), `${kind} under "${chroot}"`);
    }
    // The plain form under a chroot: "/" is the chroot itself.
    assert.deepEqual(multiReadFrame(1, 'data', ['/'], chroot), multiReadFrame(1, 'data', [chroot || '/']));
  }
  assert.deepEqual(pickPaths({ parents, names }, [4, 0]), { parents: ['/é/ü', '/'], names: ['ñ-名', 'x'] });
  assert.equal(pathAt({ parents, names }, 3), joined[3]);
});

/** A multiRead request as jute writes it, field by field: the reference multiReadFrame is held to. */
function juteMultiRead(xid: number, opcode: number, paths: readonly string[]): Buffer {
  const int = (value: number): Buffer => {
    const out = Buffer.alloc(4);
    out.writeInt32BE(value, 0);
    return out;
  };
  const ops = paths.flatMap((path) => {
    const bytes = Buffer.from(path, 'utf8');
    return [int(opcode), Buffer.from([0]), int(-1), int(bytes.length), bytes, Buffer.from([0])];
  });
  const body = Buffer.concat([int(xid), int(22), ...ops, int(-1), Buffer.from([1]), int(-1)]);
  return Buffer.concat([int(body.length), body]);
}

test('multiRead requests are byte for byte what jute writes: ASCII, UTF-8, a lone surrogate, long paths, none', () => {
  const cases: string[][] = [
    [],
    ['/'],
    ['/a', '/hive_locks/db/t/ds=2026/LOCK-SHARED-0000000001'],
    ['/é/ü', '/a', '/ñ-名', '/\u{1F600}', '/lone-\ud800-surrogate'],
    [`/${'x'.repeat(200)}`, `/${'y'.repeat(70_000)}`, `/${'é'.repeat(40_000)}`],
  ];
  for (const paths of cases) {
    assert.deepEqual(multiReadFrame(9, 'data', paths), juteMultiRead(9, 4, paths), `data: ${paths.length} paths`);
    assert.deepEqual(multiReadFrame(9, 'children', paths), juteMultiRead(9, 8, paths), `children: ${paths.length} paths`);
    const asChildren = { parents: paths.map((p) => p.slice(0, p.lastIndexOf('/')) || '/'), names: paths.map((p) => p.slice(p.lastIndexOf('/') + 1)) };
    const nonRoot = paths.filter((p) => p !== '/').length === paths.length;
    if (nonRoot) {
      assert.deepEqual(multiReadFrame(9, 'data', asChildren, '/ç'), juteMultiRead(9, 4, paths.map((p) => `/ç${p}`)), `as parents and names under a chroot: ${paths.length} paths`);
    }
  }
});

/** A multiRead response frame: ReplyHeader {xid 5, zxid 0, err 0}, the given results (hex), the closing MultiHeader. */
function multiReadAnswer(results: string): Buffer {
  const frame = Buffer.from(`00000000000000050000000000000000 00000000 ${results} ffffffff01ffffffff`.replace(/ /g, ''), 'hex');
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

test('multiRead answers: a negative child count or a result of the other kind is refused, not read as empty or as garbage', () => {
  const listing = '0000000800ffffffff 00000001 00000001 61';
  const data = '0000000400ffffffff 00000001 61' + '00'.repeat(68);
  const error = 'ffffffff00ffffffff ffffff9b';
  assert.deepEqual([...indexMultiReadResponse(multiReadAnswer(listing + error), 'children')], [20, 38]);
  assert.deepEqual([...indexMultiReadResponse(multiReadAnswer(data + error), 'data')], [20, 102]);
  assert.throws(() => indexMultiReadResponse(multiReadAnswer('0000000800ffffffff ffffffff'), 'children'), /Impossible child count -1/);
  assert.throws(() => indexMultiReadResponse(multiReadAnswer(listing), 'data'), /Unexpected op type 8/);
  assert.throws(() => indexMultiReadResponse(multiReadAnswer(data), 'children'), /Unexpected op type 4/);
});

test('stat owners read in place: runs of one owner and owners that alternate each get their own text', () => {
  const stat = (owner: bigint): Buffer => {
    const bytes = Buffer.alloc(68);
    bytes.writeBigInt64BE(owner, 44);
    return bytes;
  };
  const owners = [0x1000a2b3c4d5e6fn, 0x1000a2b3c4d5e6fn, 0n, 0x7n, 0x1000a2b3c4d5e6fn, 0x1000a2b3c4d5e70n, -1n];
  assert.deepEqual(
    owners.map((owner) => statEphemeralOwnerAt(stat(owner), 0)),
    ['1000a2b3c4d5e6f', '1000a2b3c4d5e6f', '0', '7', '1000a2b3c4d5e6f', '1000a2b3c4d5e70', 'ffffffffffffffff'],
  );
});

test('multiRead requests: a parent or name that is no znode path is refused as the joined path would be', () => {
  const checked = {};
  const paths = { parents: ['/a', '/a', '/a', 'a', '/a/', '/a'], names: ['ok', 'b/c', 'x\u0000', 'y', 'z', ''] };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((i) => pathProblemAt(paths, i, checked)?.code),
    [undefined, 'BAD_ARGUMENT', 'BAD_ARGUMENT', 'BAD_ARGUMENT', 'BAD_ARGUMENT', 'BAD_ARGUMENT'],
  );
  assert.match(pathProblemAt(paths, 1, {})?.message ?? '', /"\/a\/b\/c"/);
});

test('znode paths: a path of millions of segments is checked, not a stack overflow', () => {
  assert.equal(pathProblem('/a'.repeat(5 << 20)), undefined);
  assert.equal(pathProblem(`${'/a'.repeat(5 << 20)}/`)?.code, 'BAD_ARGUMENT');
  assert.equal(pathProblem(`${'/a'.repeat(5 << 20)}//b`)?.code, 'BAD_ARGUMENT');
});

// If this fails, node-zookeeper-client changed: re-read lib/ConnectionManager.js against
// the contract at the top of src/core/zk/library.ts (the seam: connect, the socket handlers,
// CONNECTING/AUTHENTICATION_FAILED, queue), then update the fingerprint below.
test('GUARD: node-zookeeper-client internals used by the seam (src/core/zk/library.ts) are where they were', () => {
  assert.deepEqual(libraryInternalsProblems(), []);
  const source = readFileSync(require.resolve('node-zookeeper-client/lib/ConnectionManager.js'), 'utf8');
  const connect = /ConnectionManager\.prototype\.connect = function \(\) \{([\s\S]*?)\n\};/.exec(source)?.[1] ?? '';
  for (const part of ['self.setState(STATES.CONNECTING)', 'self.findNextServer(function (server)', 'self.socket = net.connect(server)', 'self.connectTimeoutHandler = setTimeout', "self.socket.on('connect', self.onSocketConnected", "self.socket.on('data', self.onSocketData", "self.socket.on('drain', self.onSocketDrain", "self.socket.on('close', self.onSocketClosed", "self.socket.on('error', self.onSocketError"]) {
    assert.ok(connect.includes(part), `ConnectionManager.connect still does ${part}`);
  }
  assert.match(source, /if \(self\.state === STATES\.CONNECTING\) \{\s*\/\/ Handle connect response\./, 'the first frame in CONNECTING is the ConnectResponse');
  assert.match(source, /case STATES\.AUTHENTICATION_FAILED:\s*errorCode = Exception\.AUTH_FAILED;\s*retry = false;/, 'AUTHENTICATION_FAILED stops reconnecting');
  const fingerprint = createHash('sha256').update(source).digest('hex').slice(0, 16);
  assert.equal(fingerprint, '51fbfd9f71e6ccfe', 'lib/ConnectionManager.js changed: re-verify the hook, then update this fingerprint');
});

/** A notification frame as the server writes it: ReplyHeader {xid -1, zxid, err 0}, WatcherEvent {type, state 3, path}. */
function notification(type: number, path: string, declaredLength?: number): Buffer {
  const bytes = Buffer.from(path, 'utf8');
  const frame = Buffer.alloc(32 + bytes.length);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt32BE(-1, 4);
  frame.writeInt32BE(type, 20);
  frame.writeInt32BE(3, 24);
  frame.writeInt32BE(declaredLength ?? bytes.length, 28);
  bytes.copy(frame, 32);
  return frame;
}

test('addWatch and removeWatches frames: header, path under the chroot, mode or watcher type', () => {
  const add = addWatchFrame(7, '/locks', 'persistentRecursive', '/hive');
  assert.deepEqual([add.readInt32BE(0), add.readInt32BE(4), add.readInt32BE(8)], [add.length - 4, 7, 106]);
  assert.equal(add.readInt32BE(12), '/hive/locks'.length);
  assert.equal(add.toString('utf8', 16, 16 + 11), '/hive/locks');
  assert.equal(add.readInt32BE(27), 1);
  assert.equal(addWatchFrame(1, '/', 'persistent', '/hive').toString('utf8', 16, 21), '/hive');
  assert.equal(addWatchFrame(1, '/', 'persistent').readInt32BE(17), 0);
  const remove = removeWatchesFrame(9, '/locks');
  assert.deepEqual([remove.readInt32BE(8), remove.readInt32BE(12), remove.readInt32BE(22)], [18, 6, 3]);
});

test('setWatches2: relativeZxid, three empty one-shot lists, then the persistent and the recursive paths (chrooted)', () => {
  const frame = setWatches2Frame(11, [
    { path: '/locks', mode: 'persistentRecursive' },
    { path: '/one', mode: 'persistent' },
    { path: '/hs2', mode: 'persistentRecursive' },
  ], '/c');
  assert.deepEqual([frame.readInt32BE(0), frame.readInt32BE(4), frame.readInt32BE(8)], [frame.length - 4, 11, 105]);
  assert.equal(frame.readBigInt64BE(12), 0n);
  let at = 20;
  const list = (): string[] => {
    const paths: string[] = [];
    for (let n = frame.readInt32BE((at += 4) - 4); n > 0; n -= 1) {
      const length = frame.readInt32BE(at);
      paths.push(frame.toString('utf8', at + 4, at + 4 + length));
      at += 4 + length;
    }
    return paths;
  };
  assert.deepEqual([list(), list(), list(), list(), list()], [[], [], [], ['/c/one'], ['/c/locks', '/c/hs2']]);
  assert.equal(at, frame.length, 'nothing after the five lists');
});

test('watcher events: decoded with the chroot taken off; anything outside the chroot has no path; malformed frames are not notifications', () => {
  assert.deepEqual(decodeWatcherEvent(notification(1, '/a/LOCK-SHARED-0000000001')), { type: 1, path: '/a/LOCK-SHARED-0000000001' });
  assert.deepEqual(decodeWatcherEvent(notification(2, '/hive/a'), '/hive'), { type: 2, path: '/a' });
  assert.deepEqual(decodeWatcherEvent(notification(2, '/hive'), '/hive'), { type: 2, path: '/' });
  assert.deepEqual(decodeWatcherEvent(notification(2, '/hivex/a'), '/hive'), { type: 2, path: undefined });
  assert.equal(decodeWatcherEvent(notification(1, '/a', 1000)), undefined, 'a path longer than the frame');
  assert.equal(decodeWatcherEvent(notification(1, '/a', -5)), undefined);
  assert.equal(decodeWatcherEvent(notification(1, '/a').subarray(0, 20)), undefined, 'truncated');
  const reply = notification(1, '/a');
  reply.writeInt32BE(5, 4);
  assert.equal(decodeWatcherEvent(reply), undefined, 'an ordinary reply');
});

test('persistent watches: a recursive watch covers its subtree only, a persistent one its node (and its child list); unknown event types are dropped', () => {
  const watches = new PersistentWatches();
  const seen: string[] = [];
  watches.add('/locks', 'persistentRecursive', { event: (e) => seen.push(`r ${e.type} ${e.path}`) });
  watches.add('/ns', 'persistent', { event: (e) => seen.push(`p ${e.type} ${e.path}`) });
  for (const [type, path] of [
    [1, '/locks/db/LOCK-SHARED-0000000001'],
    [2, '/locks'],
    [1, '/locksmith'],
    [4, '/locks'],
    [4, '/ns'],
    [1, '/ns/child'],
    [3, '/ns'],
  ] as const) {
    assert.equal(watches.inspect(notification(type, path), ''), 'pass');
  }
  assert.deepEqual(seen, ['r created /locks/db/LOCK-SHARED-0000000001', 'r deleted /locks', 'p childrenChanged /ns', 'p dataChanged /ns']);
  assert.equal(watches.inspect(notification(99, '/locks/x'), ''), 'drop');
  assert.equal(watches.malformed, 1);
});

test('persistent watches: a listener hears at once but is re-armed by a new connection only once its own addWatch was answered', () => {
  const watches = new PersistentWatches();
  const first = { event: () => undefined };
  const second = { event: () => undefined };
  watches.add('/locks', 'persistentRecursive', first);
  assert.deepEqual(watches.armed(), [], 'its addWatch goes out on the new connection itself');
  watches.arm('/locks', 'persistentRecursive', first);
  watches.add('/locks', 'persistentRecursive', second);
  assert.deepEqual(watches.armed().map((a) => [a.watch.path, a.listeners]), [['/locks', [first]]]);
  assert.equal(watches.remove('/locks', 'persistentRecursive', second), false, 'not its last listener');
  assert.equal(watches.remove('/locks', 'persistentRecursive', first), true);
  assert.equal(watches.size, 0);
});
