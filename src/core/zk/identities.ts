// Who a session is to ZooKeeper (`sasl:bob@REALM`, `digest:user`, `ip:127.0.0.1`), from the server's
// whoAmI or else from what the client sent, and the words for "not allowed" that fit that identity:
// Kerberos users are told about principals and kinit, never about digest credentials.

import type { HiveZkError } from '../errors';
import { preview } from '../errors';

/** One of the server's identities for a session: an ACL id with its scheme. */
export interface ZkIdentity {
  scheme: string;
  id: string;
}

/** How the client authenticated, as far as it knows itself (never a password). */
export interface ClientAuth {
  /** The SASL mechanism of the handshake, if any. */
  mechanism?: 'GSSAPI' | 'DIGEST-MD5';
  /** The SASL user: the Kerberos principal once the GSSAPI context is set up, the DIGEST-MD5 user name. */
  saslUser?: string;
  /** The user of an addAuth("digest", "user:password") credential. */
  digestUser?: string;
}

export interface SessionIdentities {
  /** 'server': ZooKeeper's whoAmI (3.7+); 'client': what this client sent (older servers, or whoAmI failed). */
  source: 'server' | 'client';
  identities: ZkIdentity[];
  /** How the client authenticated (for advice that fits: the server says "sasl" for DIGEST-MD5 and Kerberos alike). */
  client: ClientAuth;
  /** Why the server's answer is not used, when it was asked and failed. */
  problem?: string;
}

/** What the client knows it sent: its SASL user and its digest user; the server adds ip:<address> itself. */
export function clientIdentities(client: ClientAuth): ZkIdentity[] {
  const identities: ZkIdentity[] = [];
  if (client.mechanism) {
    identities.push({ scheme: 'sasl', id: client.saslUser ?? (client.mechanism === 'GSSAPI' ? '(Kerberos principal)' : '(SASL user)') });
  }
  if (client.digestUser !== undefined) {
    identities.push({ scheme: 'digest', id: client.digestUser });
  }
  return identities;
}

/** The user part of a digest credential "user:password" (the password is never kept). */
export function digestUserOf(credential: string | undefined): string | undefined {
  if (credential === undefined) {
    return undefined;
  }
  const colon = credential.indexOf(':');
  return colon >= 0 ? credential.slice(0, colon) : credential;
}

/** "sasl:bob@REALM", server text made safe to show (bounded, invisible characters escaped). */
export function formatIdentity(identity: ZkIdentity): string {
  return `${preview(identity.scheme, 40)}:${preview(identity.id, 200)}`;
}

/** The identities that say who the user is: all but the address every session has. */
function credentialIdentities(identities: readonly ZkIdentity[]): ZkIdentity[] {
  return identities.filter((i) => i.scheme !== 'ip');
}

/** Who the user is first, then the address (the server lists its ip identity first). */
export function credentialsFirst(identities: readonly ZkIdentity[]): ZkIdentity[] {
  return [...credentialIdentities(identities), ...identities.filter((i) => i.scheme === 'ip')];
}

/** "sasl:bob@REALM, ip:127.0.0.1", or "none (anonymous)". */
export function describeIdentities(who: SessionIdentities): string {
  if (who.identities.length === 0) {
    return 'none (anonymous)';
  }
  const text = who.identities.map(formatIdentity).join(', ');
  return credentialIdentities(who.identities).length === 0 ? `${text} (anonymous)` : text;
}

/** Where the identities come from, for a tooltip or a health row. */
export function identitySource(who: SessionIdentities): string {
  const source = who.source === 'server' ? 'as ZooKeeper reports it (whoAmI)' : 'as this client sent it (ZooKeeper before 3.7 has no whoAmI)';
  return who.problem !== undefined ? `${source}; whoAmI failed: ${preview(who.problem, 200)}` : source;
}

/**
 * The sentence of a ZK_NO_AUTH error after "Not authorized to read <path>: ": who this session is,
 * and advice that fits how it authenticated.
 */
export function noAuthExplanation(who: SessionIdentities | undefined): string {
  if (!who) {
    return 'its ACL does not grant this session access.';
  }
  const named = credentialIdentities(who.identities);
  const shown = named.map(formatIdentity).join(', ');
  const all = who.identities.map(formatIdentity).join(', ');
  const whoItIs =
    named.length === 0
      ? `this session has no credential${all !== '' ? ` (ZooKeeper knows it only as ${all})` : ''}, and the ACL does not allow anonymous access.`
      : who.source === 'server'
        ? `this session, which ZooKeeper knows as ${all}, is not allowed by the ACL.`
        : `this session, authenticated as ${shown}, is not allowed by the ACL.`;
  return `${whoItIs} ${noAuthAdvice(who, shown)}`;
}

function noAuthAdvice(who: SessionIdentities, shown: string): string {
  const { client } = who;
  if (client.mechanism === 'GSSAPI') {
    return `Ask the ZooKeeper administrator to grant ${shown} read access, or \`kinit\` as a principal the ACL allows.`;
  }
  if (client.mechanism === 'DIGEST-MD5') {
    return `Ask the ZooKeeper administrator to grant ${shown} read access, or use a SASL user the ACL allows.`;
  }
  if (client.digestUser !== undefined) {
    return `Use a digest credential the ACL allows, or ask the ZooKeeper administrator to grant ${shown} read access.`;
  }
  return 'Set up the authentication the ACL expects for this ensemble (a digest credential, SASL or Kerberos).';
}

/**
 * Whether a failure comes from authenticating: credentials presented and refused, or a SASL
 * exchange that broke. A client that never got to present any (no Kerberos module, no ticket, an
 * unreachable KDC, a refused TLS handshake, no SASL configured) did not fail to authenticate.
 */
export function authenticationAttempted(error: HiveZkError | undefined): boolean {
  if (!error) {
    return false;
  }
  return error.code === 'ZK_AUTH_FAILED' || error.code === 'ZK_SASL_FAILED';
}
