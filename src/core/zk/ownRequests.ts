// Requests the client library cannot write, as invocations for the session's request(): multiRead
// batches, whoAmI, addWatch, setWatches2 and removeWatches, each sent through the seam's queueOwnFrame. The socket
// hook files multiRead and whoAmI replies by xid (decodeMultiReadReply, takeWhoAmIReply) before the
// library sees them; the library only reports each request's outcome.

import type { SessionClient } from './clientLifecycle';
import { queueOwnFrame } from './library';
import type { Cb } from './libraryApi';
import type { MultiReadAnswer } from './multiRead';
import { whoAmIFrame } from './whoAmI';
import { addWatchFrame, removeWatchesFrame, setWatches2Frame, type AddWatchMode } from './wire';
import { multiReadFrame, type MultiReadKind } from './wireMultiRead';
import type { ZnodePaths } from './znodePath';

/** How the session's request() sends one request on a client. */
export type Invoke<T extends unknown[]> = (current: SessionClient, callback: Cb<T>) => void;

/** One multiRead batch; `onAnswer` gets its checked reply before the request settles. */
export function multiReadRequest(kind: MultiReadKind, paths: ZnodePaths, chroot: string | undefined, onAnswer: (answer: MultiReadAnswer) => void): Invoke<[]> {
  return ({ client, hook, multiRead }, callback) => {
    let connectionId = 0;
    queueOwnFrame(
      client,
      (xid) => {
        connectionId = hook.connectionId;
        multiRead.replies.set(xid, { kind });
        return multiReadFrame(xid, kind, paths, chroot);
      },
      (error, xid) => {
        const reply = xid !== undefined ? multiRead.replies.get(xid) : undefined;
        if (xid !== undefined) {
          multiRead.replies.delete(xid);
        }
        if (error) {
          callback(error);
        } else if (reply?.answer) {
          multiRead.supportedOn = connectionId;
          onAnswer(reply.answer);
          callback(null);
        } else {
          callback(reply?.failure ?? new Error('ZooKeeper sent no readable multiRead answer.'));
        }
      },
    );
  };
}

/** One whoAmI; `onReply` gets the reply frame (undefined if none came) before the request settles. */
export function whoAmIRequest(onReply: (reply: Buffer | undefined) => void): Invoke<[]> {
  return ({ client, whoAmI }, callback) => {
    queueOwnFrame(
      client,
      (xid) => {
        whoAmI.replies.set(xid, undefined);
        return whoAmIFrame(xid);
      },
      (error, xid) => {
        if (xid !== undefined) {
          onReply(whoAmI.replies.get(xid));
          whoAmI.replies.delete(xid);
        }
        callback(error ?? null);
      },
    );
  };
}

export function addWatchRequest(path: string, mode: AddWatchMode, chroot: string | undefined): Invoke<[]> {
  return ({ client }, callback) => queueOwnFrame(client, (xid) => addWatchFrame(xid, path, mode, chroot), (error) => callback(error ?? null));
}

export function removeWatchesRequest(path: string, chroot: string | undefined): Invoke<[]> {
  return ({ client }, callback) => queueOwnFrame(client, (xid) => removeWatchesFrame(xid, path, chroot), (error) => callback(error ?? null));
}

/** Persistent watches set again on a new connection, all in one setWatches2. */
export function setWatches2Request(watches: readonly { path: string; mode: AddWatchMode }[], chroot: string | undefined): Invoke<[]> {
  return ({ client }, callback) => queueOwnFrame(client, (xid) => setWatches2Frame(xid, watches, chroot), (error) => callback(error ?? null));
}
