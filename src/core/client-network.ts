import ipaddr from 'ipaddr.js';

/** How much of a client address names its network: an IPv4 /24 and an IPv6 /64 by default. */
export interface NetworkPrefixes {
  v4: number;
  v6: number;
}

export const defaultNetworkPrefixes: NetworkPrefixes = Object.freeze({ v4: 24, v6: 64 });

/**
 * The network a client address belongs to, as `203.0.113.0/24` or `2001:db8:1:2::/64`: attackers rotate
 * addresses within a range they rent, so limits count per network as well as per address. An
 * IPv4-mapped IPv6 address (`::ffff:203.0.113.9`) is its IPv4 address. Null for anything that is not an
 * IP address (the caller then counts nothing per network).
 */
export function networkOf(ip: string, prefixes: NetworkPrefixes = defaultNetworkPrefixes): string | null {
  const address = ip.split('%')[0]!;
  if (!ipaddr.isValid(address)) return null;
  // process() turns an IPv4-mapped IPv6 address into its IPv4 address.
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') {
    return `${ipaddr.IPv4.networkAddressFromCIDR(`${parsed.toString()}/${prefixes.v4}`).toString()}/${prefixes.v4}`;
  }
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/${prefixes.v6}`).toString()}/${prefixes.v6}`;
}
