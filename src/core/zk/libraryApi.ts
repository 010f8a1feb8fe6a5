// The ZooKeeper client library's public API as the session uses it: its untyped calls typed here and
// its values (stats, ACLs, watch events) converted to ours. Its private parts are library.ts's alone.

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

export type CreateMode = 'persistent' | 'ephemeral' | 'persistentSequential' | 'ephemeralSequential';
export type AclChoice = 'open' | 'creatorOnly' | 'worldReadCreatorAll';

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
