// The ZooKeeper client library (pinned 1.1.3) as the session uses it: its untyped API typed here, its values
// converted to ours, its internals checked and its quirks contained. This module never loads the
// library: session.ts does (the only module allowed to) and hands it in.

import { LIBRARY_STATES, type LibraryConnectionManager } from './socketHook';
import type { WatchEventType, ZnodeAcl, ZnodeStat } from './types';

export interface ZkState {
  name: string;
  code: number;
}
export interface ZkEvent {
  getType(): number;
  getPath(): string;
}
export interface ZkAcl {
  permission: number;
  id: { scheme: string; id: string };
}
export type Cb<T extends unknown[]> = (error: Error | null | undefined, ...results: T) => void;
export interface Client {
  connect(): void;
  close(): void;
  on(event: 'state', listener: (state: ZkState) => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  removeAllListeners(): void;
  getSessionId(): Buffer;
  addAuthInfo(scheme: string, auth: Buffer): void;
  getChildren(path: string, callback: Cb<[string[], unknown]>): void;
  getChildren(path: string, watcher: (event: ZkEvent) => void, callback: Cb<[string[], unknown]>): void;
  getData(path: string, callback: Cb<[Buffer | null | undefined, unknown]>): void;
  getData(path: string, watcher: (event: ZkEvent) => void, callback: Cb<[Buffer | null | undefined, unknown]>): void;
  exists(path: string, callback: Cb<[unknown]>): void;
  exists(path: string, watcher: (event: ZkEvent) => void, callback: Cb<[unknown]>): void;
  getACL(path: string, callback: Cb<[ZkAcl[], unknown]>): void;
  create(path: string, data: Buffer, acls: ZkAcl[], mode: number, callback: Cb<[string]>): void;
  remove(path: string, version: number, callback: Cb<[]>): void;
}
export interface ZookeeperLibrary {
  createClient(connectionString: string, options: { sessionTimeout: number; spinDelay: number; retries: number }): Client;
  CreateMode: { PERSISTENT: number; PERSISTENT_SEQUENTIAL: number; EPHEMERAL: number; EPHEMERAL_SEQUENTIAL: number };
  ACL: { OPEN_ACL_UNSAFE: ZkAcl[]; CREATOR_ALL_ACL: ZkAcl[]; READ_ACL_UNSAFE: ZkAcl[] };
}
/** The library's Exception module object (its `create` is replaced by tolerateUnknownErrorCodes). */
export interface ZookeeperExceptions {
  create: (code: number, path?: string) => Error;
  __hiveZkTolerant?: boolean;
}

/** The library's internals that the socket hook depends on, as loaded by session.ts. */
export interface LibraryInternals {
  library: ZookeeperLibrary;
  version: string | undefined;
  connectionManagerClass: { prototype: Record<string, unknown>; STATES?: Record<string, number> };
}

/**
 * The library only knows the error codes of ZooKeeper 3.4 and throws from its socket handler on any
 * other (a 3.6+ server enforcing SASL answers -124), which would crash the process. Unknown codes
 * become ordinary errors that carry the code instead.
 */
export function tolerateUnknownErrorCodes(exceptions: ZookeeperExceptions): void {
  if (exceptions.__hiveZkTolerant || typeof exceptions.create !== 'function') {
    return;
  }
  const create = exceptions.create;
  exceptions.create = (code: number, path?: string): Error => {
    try {
      return create(code, path);
    } catch {
      return Object.assign(new Error(`ZooKeeper error code ${code}`), { getCode: () => code });
    }
  };
  exceptions.__hiveZkTolerant = true;
}

const HOOKED_METHODS = ['connect', 'findNextServer', 'setState', 'onSocketConnected', 'onSocketData', 'onSocketDrain', 'onSocketClosed', 'onSocketError', 'onSocketConnectTimeout', 'queue'] as const;

/**
 * What the socket hook needs from the library's internals and does not find (empty when all is in
 * place). The library is pinned; this is the loud failure if an upgrade moves them.
 */
export function checkLibraryInternals({ library, version, connectionManagerClass }: LibraryInternals): string[] {
  const problems: string[] = [];
  if (version !== '1.1.3') {
    problems.push(`version ${String(version)} instead of 1.1.3`);
  }
  for (const method of HOOKED_METHODS) {
    if (typeof connectionManagerClass.prototype[method] !== 'function') {
      problems.push(`ConnectionManager.${method} is missing`);
    }
  }
  const states = connectionManagerClass.STATES ?? {};
  if (states.CONNECTING !== LIBRARY_STATES.CONNECTING || states.AUTHENTICATION_FAILED !== LIBRARY_STATES.AUTHENTICATION_FAILED || states.CONNECTED !== 2) {
    problems.push('ConnectionManager.STATES changed');
  }
  const client = library.createClient('127.0.0.1:1', { sessionTimeout: 1000, spinDelay: 0, retries: 0 }) as unknown as { connectionManager?: unknown };
  if (!(client.connectionManager instanceof (connectionManagerClass as unknown as new () => unknown))) {
    problems.push('Client.connectionManager is gone');
  }
  return problems;
}

export function connectionManagerOf(client: Client): LibraryConnectionManager {
  return (client as unknown as { connectionManager: LibraryConnectionManager }).connectionManager;
}

/** The library decodes no payload for a DELETE reply: requests the session writes itself are filed under that type. */
const LIBRARY_DISPATCH_WITHOUT_PAYLOAD = 2;

/**
 * Sends a request frame the library cannot write (multiRead, whoAmI) through its own queue, so xids,
 * ordering, pings and reconnects stay its business. `frame` is called as the packet is written, with
 * the xid just assigned; `callback` gets the library's verdict and that xid (undefined if never written).
 * The reply's payload is not decoded by the library: the socket hook takes it by xid first.
 */
export function queueOwnFrame(client: Client, frame: (xid: number) => Buffer, callback: (error: Error | null | undefined, xid: number | undefined) => void): void {
  const header = { xid: 0, type: LIBRARY_DISPATCH_WITHOUT_PAYLOAD };
  let written: number | undefined;
  connectionManagerOf(client).queue(
    {
      header,
      payload: null,
      toBuffer: () => {
        written = header.xid;
        return frame(header.xid);
      },
    },
    (error) => callback(error, written),
  );
}

/**
 * Closes a client for good. The library sends a close request and keeps its socket until the
 * server answers, which a frozen or silent server never does; so the socket is destroyed after
 * `graceMs` (at once when there is no session worth closing politely).
 */
export function shutDown(client: Client, graceMs: number, attempt = 0): void {
  client.removeAllListeners();
  client.on('error', () => undefined);
  const socket = (client as unknown as { connectionManager?: { socket?: { destroy(): void; destroyed?: boolean } } }).connectionManager?.socket;
  if (!socket && attempt < 10) {
    // Closed right after connect(): the library opens its socket on a later tick and would write
    // the close request to a socket it does not have yet. Close once the socket exists.
    setTimeout(() => shutDown(client, graceMs, attempt + 1), 20).unref();
    return;
  }
  client.close();
  if (socket && typeof socket.destroy === 'function') {
    const destroy = (): void => {
      if (!socket.destroyed) {
        socket.destroy();
      }
    };
    if (graceMs <= 0) {
      destroy();
    } else {
      setTimeout(destroy, graceMs).unref();
    }
  }
}

export function toWatchEvent(event: ZkEvent): { type: WatchEventType; path: string } {
  const types: Record<number, WatchEventType> = { 1: 'created', 2: 'deleted', 3: 'dataChanged', 4: 'childrenChanged' };
  return { type: types[event.getType()] ?? 'childrenChanged', path: event.getPath() };
}

export function toStat(raw: unknown): ZnodeStat {
  const stat = raw as Record<string, unknown>;
  return {
    version: Number(stat.version ?? 0),
    cversion: Number(stat.cversion ?? 0),
    aversion: Number(stat.aversion ?? 0),
    numChildren: Number(stat.numChildren ?? 0),
    dataLength: Number(stat.dataLength ?? 0),
    ctime: bufferToNumber(stat.ctime),
    mtime: bufferToNumber(stat.mtime),
    ephemeralOwner: bufferToHex(stat.ephemeralOwner),
  };
}

/** The library returns 64-bit longs as 8-byte big-endian buffers. */
function bufferToNumber(value: unknown): number {
  return Buffer.isBuffer(value) && value.length === 8 ? value.readInt32BE(0) * 2 ** 32 + value.readUInt32BE(4) : Number(value ?? 0);
}

function bufferToHex(value: unknown): string {
  if (!Buffer.isBuffer(value)) {
    return '0';
  }
  const hex = value.toString('hex').replace(/^0+/, '');
  return hex === '' ? '0' : hex;
}

export function toAcl(acl: ZkAcl): ZnodeAcl {
  const bits = Number(acl.permission);
  const letters = [
    [1, 'r'],
    [2, 'w'],
    [4, 'c'],
    [8, 'd'],
    [16, 'a'],
  ] as const;
  return {
    scheme: acl.id.scheme,
    id: acl.id.id,
    permissions: letters.map(([bit, letter]) => (bits & bit ? letter : '')).join(''),
  };
}
