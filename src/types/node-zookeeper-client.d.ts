// Type declarations for the parts of node-zookeeper-client 1.1.3 that src/core/zkSession.ts uses.
declare module 'node-zookeeper-client' {
  import { EventEmitter } from 'events';

  export interface State {
    name: string;
    code: number;
  }
  export interface Event {
    getType(): number;
    getPath(): string;
  }
  export interface Id {
    scheme: string;
    id: string;
  }
  export class ACL {
    constructor(permission: number, id: Id);
    permission: number;
    id: Id;
    static OPEN_ACL_UNSAFE: ACL[];
    static CREATOR_ALL_ACL: ACL[];
    static READ_ACL_UNSAFE: ACL[];
  }
  export const CreateMode: {
    PERSISTENT: number;
    PERSISTENT_SEQUENTIAL: number;
    EPHEMERAL: number;
    EPHEMERAL_SEQUENTIAL: number;
  };
  type Cb<T extends unknown[]> = (error: Error | null | undefined, ...results: T) => void;
  export interface Client extends EventEmitter {
    connect(): void;
    close(): void;
    getSessionId(): Buffer;
    addAuthInfo(scheme: string, auth: Buffer): void;
    getChildren(path: string, callback: Cb<[string[], unknown]>): void;
    getChildren(path: string, watcher: (event: Event) => void, callback: Cb<[string[], unknown]>): void;
    getData(path: string, callback: Cb<[Buffer | null | undefined, unknown]>): void;
    getData(path: string, watcher: (event: Event) => void, callback: Cb<[Buffer | null | undefined, unknown]>): void;
    exists(path: string, callback: Cb<[unknown]>): void;
    exists(path: string, watcher: (event: Event) => void, callback: Cb<[unknown]>): void;
    getACL(path: string, callback: Cb<[ACL[], unknown]>): void;
    create(path: string, data: Buffer, acls: ACL[], mode: number, callback: Cb<[string]>): void;
    remove(path: string, version: number, callback: Cb<[]>): void;
  }
  export function createClient(connectionString: string, options?: { sessionTimeout?: number; spinDelay?: number; retries?: number }): Client;
}

declare module 'node-zookeeper-client/lib/Exception.js' {
  export function create(code: number, path?: string): Error;
}
