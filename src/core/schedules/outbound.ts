import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { validationError } from '../errors.ts';

/**
 * Which addresses a delivery (webhook, Slack) may reach. A schedule's URL is chosen by its
 * owner, so without this rule any editor could make the server POST to its own loopback
 * services, the private network or a cloud metadata endpoint and read the outcome in the run
 * history. Addresses are checked after DNS resolution, and the request then connects to exactly
 * the address that was checked (see `pinnedLookup`), so a name that changes its answer between
 * the check and the connection (DNS rebinding) gains nothing. An operator's allow-list
 * (`ROSETTA_OUTBOUND_ALLOW`) names hosts and CIDR ranges that are reachable all the same.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a name resolves to; injectable so tests can point a name anywhere. */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));

/** Not a public unicast address. IPv4-mapped IPv6 forms (`::ffff:127.0.0.1`) match the IPv4 rules. */
const REFUSED_RANGES: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, and the broadcast address
  ['::', 96, 'ipv6'], // unspecified ::, loopback ::1, deprecated IPv4-compatible ::a.b.c.d
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'], // deprecated site-local
  ['fc00::', 7, 'ipv6'], // unique local
  ['ff00::', 8, 'ipv6'], // multicast
];

const refusedRanges = new BlockList();
for (const [network, prefix, type] of REFUSED_RANGES) refusedRanges.addSubnet(network, prefix, type);

const ipType = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** Thrown when a destination is refused at delivery; not transient, a retry cannot change it. */
export class OutboundRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

type AllowEntry = { host: string } | { network: string; prefix: number; type: 'ipv4' | 'ipv6' };

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** A host name as URLs and the allow-list spell it: lower case, no brackets, no trailing dot. */
const canonicalHost = (host: string): string =>
  host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');

function parseAllowEntry(entry: string): AllowEntry {
  const [network, prefixText, ...rest] = entry.split('/');
  const family = isIP(network);
  if (family !== 0 && rest.length === 0) {
    const max = family === 4 ? 32 : 128;
    if (prefixText !== undefined && !(/^\d{1,3}$/.test(prefixText) && Number(prefixText) <= max))
      throw new Error(`"${entry}": the prefix length must be 0 to ${max}`);
    return { network, prefix: prefixText === undefined ? max : Number(prefixText), type: ipType(network) };
  }
  const host = canonicalHost(entry);
  if (!HOSTNAME.test(host)) throw new Error(`"${entry}" is neither a host name, an IP address nor a CIDR`);
  return { host };
}

/**
 * The allow-list as configured: comma-separated host names, IP addresses and CIDR ranges.
 * Throws naming the first bad entry, so a typo stops the server instead of refusing deliveries.
 */
export function parseOutboundAllowList(text: string): string[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) parseAllowEntry(entry);
  return entries;
}

export interface OutboundPolicy {
  /**
   * Save-time check of a URL's literal host: an address outside the rule or a `localhost` name
   * is a 400 on `field`. Names are not resolved here: what they resolve to is checked at delivery.
   */
  checkUrl(url: URL, field: string): void;
  /** Resolves the URL's host once; the address to connect to, or OutboundRefusedError. */
  addressFor(url: URL): Promise<ResolvedAddress>;
}

export function createOutboundPolicy(
  options: { allow?: string[]; resolve?: ResolveHost } = {},
): OutboundPolicy {
  const resolve = options.resolve ?? systemResolver;
  const allowedHosts = new Set<string>();
  const allowedRanges = new BlockList();
  for (const entry of (options.allow ?? []).map(parseAllowEntry)) {
    if ('host' in entry) allowedHosts.add(entry.host);
    else allowedRanges.addSubnet(entry.network, entry.prefix, entry.type);
  }
  const reachable = (address: string) =>
    !refusedRanges.check(address, ipType(address)) || allowedRanges.check(address, ipType(address));
  const isLocalhostName = (host: string) => host === 'localhost' || host.endsWith('.localhost');
  const REFUSED = 'a loopback, private, link-local or reserved address';

  return {
    checkUrl(url, field) {
      const host = canonicalHost(url.hostname);
      if (allowedHosts.has(host)) return;
      if (isIP(host) ? !reachable(host) : isLocalhostName(host))
        throw validationError(field, `${host} is ${REFUSED}, which deliveries may not reach`);
    },
    async addressFor(url) {
      const host = canonicalHost(url.hostname);
      const literal = isIP(host) !== 0;
      const addresses = literal ? [{ address: host, family: isIP(host) as 4 | 6 }] : await resolve(host);
      const [first] = addresses;
      if (!first) throw new Error(`${host} resolves to no address`);
      // Every answer must pass, not just the first: which one the system would use is not ours to know.
      if (!allowedHosts.has(host) && !addresses.every((a) => reachable(a.address))) {
        throw new OutboundRefusedError(
          `refused: ${host} ${literal ? 'is' : 'resolves to'} ${REFUSED}, which deliveries may not reach`,
        );
      }
      return first;
    },
  };
}

/** A `lookup` for node:http(s) that answers the address already checked, never asking DNS again. */
export function pinnedLookup({ address, family }: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}
