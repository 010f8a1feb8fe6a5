// The host part of a ZooKeeper server's Kerberos principal (`zookeeper/<host>`), picked as ZooKeeper's
// Java client picks it (SaslServerPrincipal, zookeeper.sasl.client.canonicalize.hostname=true by
// default): the connected address's canonical name, so a connect string of IP addresses works too.

import { lookup, lookupService } from 'node:dns/promises';
import { isIP } from 'node:net';
import { HiveZkError } from './errors';

/** The two look-ups canonicalisation needs; injectable for tests. */
export interface HostResolver {
  /** Every address of a name. */
  addresses(host: string): Promise<string[]>;
  /** The name an address maps back to (the system resolver: /etc/hosts, then DNS), as getnameinfo gives it. */
  nameOf(address: string): Promise<string>;
}

export const systemResolver: HostResolver = {
  addresses: async (host) => (await lookup(host, { all: true })).map((a) => a.address),
  nameOf: async (address) => (await lookupService(address, 0)).hostname,
};

/**
 * `host` as written in the connect string, or, with `canonicalize`, the canonical name of the address
 * connected to (`address`, else the first address of `host`): Java's InetAddress.getCanonicalHostName,
 * which keeps the literal address when the reverse name does not resolve back to it, and then keeps
 * `host` itself.
 */
export async function principalHost(host: string, options: { canonicalize: boolean; address?: string; resolver?: HostResolver }): Promise<string> {
  if (!options.canonicalize) {
    return host;
  }
  const resolver = options.resolver ?? systemResolver;
  let address = options.address && isIP(options.address) ? options.address : undefined;
  if (!address) {
    try {
      address = isIP(host) ? host : (await resolver.addresses(host))[0];
    } catch {
      address = undefined;
    }
  }
  if (!address) {
    throw new HiveZkError('ZK_SASL_FAILED', `Unable to canonicalize the address ${host} because it is not resolvable (the Kerberos principal names the server's host); turn host name canonicalization off to use the name as written.`, { host });
  }
  const canonical = await canonicalName(address, resolver);
  return canonical !== address ? canonical : host;
}

/** getCanonicalHostName: the reverse name, kept only if it resolves back to the same address. */
async function canonicalName(address: string, resolver: HostResolver): Promise<string> {
  try {
    const name = await resolver.nameOf(address);
    if (!name || isIP(name)) {
      return address;
    }
    const back = await resolver.addresses(name);
    return back.includes(address) ? name : address;
  } catch {
    return address;
  }
}
