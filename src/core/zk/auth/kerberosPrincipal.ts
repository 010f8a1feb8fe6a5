// The host part of a ZooKeeper server's Kerberos principal (`zookeeper/<host>`), picked as ZooKeeper's
// Java client picks it (SaslServerPrincipal, zookeeper.sasl.client.canonicalize.hostname=true by
// default): the connected address's canonical name, so a connect string of IP addresses works too.
// Host names never leave the machine's resolver (/etc/hosts, then its DNS), as with Java.

import { lookup, lookupService } from 'node:dns/promises';
import { isIP } from 'node:net';
import { HiveZkError } from '../../errors';

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
 * The host of the server principal, as measured of ZooKeeper 3.8's Java client against a real KDC:
 * a host written as an IP address is named by its reverse name (Java's InetAddress.getHostName on a
 * resolved literal), whatever the setting; with `canonicalize`, the canonical name of the address
 * connected to (`address`, else the first address of `host`) replaces it (getCanonicalHostName, which
 * keeps the literal address when the reverse name does not resolve back to it — and then the name stays).
 */
export async function principalHost(host: string, options: { canonicalize: boolean; address?: string; resolver?: HostResolver }): Promise<string> {
  const resolver = options.resolver ?? systemResolver;
  const written = isIP(host) ? await canonicalName(host, resolver) : host;
  if (!options.canonicalize) {
    return written;
  }
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
  return canonical !== address ? canonical : written;
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
