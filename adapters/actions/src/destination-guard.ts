import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Where an `http` wave action may not go unless its host is allowed in the settings
 * (`httpActionAllowedHosts`): loopback, link-local (169.254/16 with the instance metadata service, fe80::/10),
 * private (10/8, 172.16/12, 192.168/16, fc00::/7) and unspecified addresses. Checked on every address the
 * host resolves to, not only on a literal IP in the URL (docs/concepts.md, "HTTP actions").
 */
const RANGES: Array<[string, number, "ipv4" | "ipv6", string]> = [
  ["127.0.0.0", 8, "ipv4", "loopback"],
  ["169.254.0.0", 16, "ipv4", "link-local (instance metadata)"],
  ["10.0.0.0", 8, "ipv4", "private"],
  ["172.16.0.0", 12, "ipv4", "private"],
  ["192.168.0.0", 16, "ipv4", "private"],
  ["0.0.0.0", 8, "ipv4", "unspecified"],
  ["::1", 128, "ipv6", "loopback"],
  ["::", 128, "ipv6", "unspecified"],
  ["fe80::", 10, "ipv6", "link-local"],
  ["fc00::", 7, "ipv6", "private"],
];
const LISTS = RANGES.map(([net, prefix, family, label]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { list, family, label };
});

/** Why `address` is forbidden ("loopback", "private", ...), or undefined when it is a public address. */
export function forbiddenRange(address: string): string | undefined {
  let ip = address.replace(/^\[|\]$/g, "").toLowerCase();
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) ip = mapped[1]!;
  const family = isIP(ip);
  if (family === 0) return undefined;
  const type = family === 4 ? "ipv4" : "ipv6";
  return LISTS.find((l) => l.family === type && l.list.check(ip, type))?.label;
}

export type Lookup = (host: string) => Promise<Array<{ address: string }>>;
const defaultLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Whether `host` is in the allowlist: an exact host name or IP, or `*.example.com` for its subdomains. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return allowed.some((entry) => {
    const a = entry.toLowerCase().replace(/^\[|\]$/g, "");
    return a.startsWith("*.") ? h.endsWith(a.slice(1)) : h === a;
  });
}

/**
 * Undefined when `url` may be called; else the reason it is refused. Resolution failures are not refusals
 * (the call fails with the network error and is retried like any other).
 */
export async function refusedDestination(
  url: string,
  allowed: readonly string[],
  lookup: Lookup = defaultLookup,
): Promise<string | undefined> {
  const host = new URL(url).hostname;
  if (hostAllowed(host, allowed)) return undefined;
  const literal = host.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(literal)) addresses = [literal];
  else {
    try {
      addresses = (await lookup(host)).map((a) => a.address);
    } catch {
      return undefined;
    }
  }
  for (const address of addresses) {
    const range = forbiddenRange(address);
    if (range)
      return `refused: ${host} ${literal === address ? "is" : `resolves to ${address},`} a ${range} address; HTTP actions only call public addresses unless the host is in the settings' httpActionAllowedHosts`;
  }
  return undefined;
}
