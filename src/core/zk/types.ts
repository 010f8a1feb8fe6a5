// What a ZooKeeper read returns, as the session hands it to its callers: plain data, no library types.

import type { HiveZkError } from '../errors';

/** A batched read's outcome for one znode: its value, or the error a single read would have thrown. */
export type ReadOutcome<T> = T | HiveZkError;

export interface ZnodeData {
  data: Buffer;
  stat: ZnodeStat;
}

export interface ZnodeStat {
  version: number;
  cversion: number;
  aversion: number;
  numChildren: number;
  dataLength: number;
  /** Creation and modification times, epoch milliseconds. */
  ctime: number;
  mtime: number;
  /** Session id owning an ephemeral node, as hex; "0" for persistent nodes. */
  ephemeralOwner: string;
}

export interface ZnodeAcl {
  scheme: string;
  id: string;
  /** Letters of READ, WRITE, CREATE, DELETE, ADMIN, e.g. "rwcda". */
  permissions: string;
}

export type WatchEventType = 'created' | 'deleted' | 'dataChanged' | 'childrenChanged';
export type WatchListener = (event: { type: WatchEventType; path: string }) => void;
