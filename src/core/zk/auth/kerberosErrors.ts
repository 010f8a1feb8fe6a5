// Kerberos failures in words that say what to do: no ticket (kinit), an expired ticket (with its end
// time, from the ticket cache), an unreachable KDC (naming the realm), and a ticket the ZooKeeper
// server will not accept (its keytab, or a stale ticket: kdestroy && kinit).

import { HiveZkError, preview } from '../../errors';
import { hostname } from 'node:os';
import { readTicketCache, type TicketCacheSummary } from './ticketCache';

/** GSS failures that mean "no usable ticket": the fix is `kinit`, not a different server. */
const NO_TICKET = /No Kerberos credentials available|No credentials cache found|Credentials cache file .* not found|Ticket expired|credentials have expired|credential has expired|Matching credential not found/i;
const EXPIRED = /Ticket expired|credentials have expired|credential has expired/i;
/** MIT's "Cannot contact any KDC for realm 'R'" (and "for requested realm"); the realm is quoted. */
const KDC_UNREACHABLE = /Cannot contact any KDC for (?:requested )?realm '([^']{0,256})'/i;
/** Heimdal and others: "unable to reach any KDC in realm R". */
const KDC_UNREACHABLE_OTHER = /unable to reach any KDC in realm ([^\s,.:]{1,256})/i;

/** The ticket cache as far as it can be read: undefined when absent, unreadable or malformed (the error says why the ticket is unusable, the cache only adds detail). */
function cacheSummary(read: () => TicketCacheSummary | undefined): TicketCacheSummary | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * A failure of the local GSSAPI library (starting or stepping the client) for the service principal
 * `target`, as a typed error. `readCache` is for tests; it reads the user's ticket cache.
 */
export function toKerberosError(error: unknown, target: string, readCache: () => TicketCacheSummary | undefined = () => readTicketCache()): HiveZkError {
  const message = error instanceof Error ? error.message : String(error);
  const detail = message.split('\n')[0];
  const kdc = KDC_UNREACHABLE.exec(message) ?? KDC_UNREACHABLE_OTHER.exec(message);
  if (kdc) {
    const realm = preview(kdc[1], 100);
    return new HiveZkError(
      'ZK_KERBEROS_UNAVAILABLE',
      `Cannot reach a Kerberos KDC for realm ${realm} to get a ticket for ${target}: check that the KDC is up and reachable from this machine, and the [realms] kdc entries of krb5.conf (KRB5_CONFIG).`,
      { reason: 'kdcUnreachable', realm, detail },
    );
  }
  if (NO_TICKET.test(message)) {
    const cache = cacheSummary(readCache);
    const ended = cache?.tgtEndsAt !== undefined && cache.tgtEndsAt <= Date.now() ? cache.tgtEndsAt : undefined;
    if (EXPIRED.test(message) || ended !== undefined) {
      const whose = cache ? ` of ${preview(cache.principal, 200)}` : '';
      const when = ended !== undefined ? ` at ${new Date(ended).toISOString()}` : '';
      return new HiveZkError(
        'ZK_KERBEROS_UNAVAILABLE',
        `The Kerberos ticket${whose} expired${when}: run \`kinit\` for a new one (or \`kinit -R\` while it is renewable) and try again.`,
        { reason: 'expired', detail, ...(ended !== undefined ? { expiredAt: new Date(ended).toISOString() } : {}) },
      );
    }
    return new HiveZkError(
      'ZK_KERBEROS_UNAVAILABLE',
      // Under Remote-SSH the extension runs on the remote host: its ticket cache is the one that counts.
      `No Kerberos ticket to authenticate to ${target}: run \`kinit\` on the machine this runs on (${hostname()}), whose ticket cache is used (or set KRB5CCNAME to your ticket cache), and try again.`,
      { reason: 'noTicket', detail },
    );
  }
  return new HiveZkError('ZK_SASL_FAILED', `Kerberos authentication to ${target} failed: ${preview(message, 500)}`, { mechanism: 'GSSAPI', detail });
}

/**
 * ZooKeeper refused a GSSAPI exchange (-124 or -115 after the client sent its ticket): the server
 * could not accept a ticket the KDC issued, so its keytab no longer matches the KDC's key, or the
 * client holds a service ticket from before the key changed.
 */
export function gssapiRejected(zkCode: number): HiveZkError {
  return new HiveZkError(
    'ZK_SASL_FAILED',
    `ZooKeeper rejected the Kerberos (GSSAPI) authentication (error ${zkCode}). If the server's keytab was changed, get fresh tickets with \`kdestroy && kinit\`; if that does not help, the server's keytab does not match the KDC's key for its service principal: ask its administrator to check the keytab.`,
    { zkCode, mechanism: 'GSSAPI' },
  );
}
