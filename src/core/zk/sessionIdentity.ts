// Who a session is to ZooKeeper: the server's own answer (whoAmI, 3.7+) asked once per client, else
// what the client sent (its SASL user or mechanism, its digest user); and a ZK_NO_AUTH rewritten to
// name the identities the server refused.

import { HiveZkError, isHiveZkError } from '../errors';
import type { SessionClient, SessionState } from './clientLifecycle';
import { isUnimplemented, noAuthError } from './errorMap';
import { clientIdentities, credentialsFirst, digestUserOf, type ClientAuth, type SessionIdentities } from './identities';
import { whoAmIRequest, type Invoke } from './ownRequests';
import type { ZkTransport } from './socketHook';
import { decodeWhoAmIReply } from './whoAmI';

/** What the identity needs from the session. */
export interface IdentityHost {
  readonly connectString: string;
  readonly digest: string | undefined;
  readonly transport: ZkTransport;
  state(): SessionState;
  /** The current client, connecting first if need be. */
  ensure(): Promise<SessionClient>;
  current(): SessionClient | undefined;
  /** True once the server has shown it has no multiRead (before 3.6: no whoAmI either). */
  multiReadUnsupported(): boolean;
  /** Resolves once no request is on the wire. */
  whenIdle(): Promise<void>;
  /** A probe request: goes out even while other requests wait for the probe. */
  probe(invoke: Invoke<[]>): Promise<unknown>;
}

export class SessionIdentity {
  /** A whoAmI the server may not know (it would close the connection): nothing else is sent meanwhile. */
  private asking: Promise<SessionIdentities> | undefined;

  constructor(private readonly host: IdentityHost) {}

  /** The whoAmI in flight, if any: other requests wait for it. */
  get probing(): Promise<unknown> | undefined {
    return this.asking;
  }

  /**
   * Who this session is to ZooKeeper: the server's own answer (whoAmI, ZooKeeper 3.7+), else what
   * this client sent. Asked once per client; an older server answers -6 and closes the connection,
   * so the first ask goes out alone (as a multiRead probe does) and the answer "none" is remembered.
   * Never rejects for whoAmI's sake: a failure to ask falls back to the client's knowledge, with the
   * reason in `problem`.
   */
  async whoAmI(): Promise<SessionIdentities> {
    const current = await this.host.ensure();
    const support = current.whoAmI;
    // A server without multiRead (before 3.6) has no whoAmI either: not worth a lost connection.
    if (support.identities || support.unsupported || this.host.multiReadUnsupported()) {
      return this.now(current) ?? { source: 'client', identities: [], client: {} };
    }
    this.asking ??= this.ask(current).finally(() => {
      this.asking = undefined;
    });
    return this.asking;
  }

  /** What is known now of who a client is, without asking: the server's answer if it has given one. */
  now(current = this.host.current()): SessionIdentities | undefined {
    if (!current) {
      return undefined;
    }
    const auth: ClientAuth = { ...this.host.transport.clientAuth?.() };
    const digestUser = digestUserOf(this.host.digest);
    if (digestUser !== undefined) {
      auth.digestUser = digestUser;
    }
    const fromServer = current.whoAmI.identities;
    return fromServer ? { source: 'server', identities: fromServer, client: auth } : { source: 'client', identities: clientIdentities(auth), client: auth };
  }

  /** A ZK_NO_AUTH says who was refused: the server's identities are asked for (once) if not yet known. */
  async explainNoAuth(error: unknown): Promise<never> {
    if (!isHiveZkError(error, 'ZK_NO_AUTH') || error.details.identitySource === 'server' || this.host.state() !== 'connected') {
      throw error;
    }
    const who = await this.whoAmI().catch(() => undefined);
    if (!who || who.source !== 'server') {
      throw error;
    }
    throw noAuthError(String(error.details.path), this.host.connectString, who, error.cause instanceof Error ? error.cause : undefined);
  }

  private async ask(current: SessionClient): Promise<SessionIdentities> {
    await this.host.whenIdle();
    let problem: string | undefined;
    try {
      let reply: Buffer | undefined;
      await this.host.probe(whoAmIRequest((frame) => (reply = frame)));
      if (!reply) {
        throw new HiveZkError('ZK_ERROR', 'ZooKeeper sent no whoAmI answer.');
      }
      current.whoAmI.identities = credentialsFirst(decodeWhoAmIReply(reply));
    } catch (error) {
      if (isUnimplemented(error)) {
        current.whoAmI.unsupported = true;
        // The server closes the connection right after its -6: let it, before anything else is sent.
        await current.hook.currentSocketClosed(1000);
      } else {
        problem = error instanceof Error ? error.message : String(error);
      }
    }
    const who = this.now(current) ?? { source: 'client' as const, identities: [], client: {} };
    return problem !== undefined ? { ...who, problem } : who;
  }
}
