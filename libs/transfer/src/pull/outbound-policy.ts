import { BlockList, isIP, isIPv4 } from 'node:net';

import { describeUrl, PullSourceError } from './pull-source-error';

type Family = 'ipv4' | 'ipv6';

/** Schemes a PULL source may use. Redirects are narrower: only http and https are followed. */
const SCHEMES: readonly string[] = ['http:', 'https:', 'file:', 'ds:'];

/**
 * Addresses no allowed network can open up: link-local (where every cloud serves instance
 * metadata and credentials) and the metadata endpoints that live elsewhere (AWS IPv6, Alibaba,
 * Oracle's legacy one).
 */
const NEVER_REACHED: readonly string[] = [
  '169.254.0.0/16',
  'fe80::/10',
  '100.100.100.200/32',
  '192.0.0.192/32',
  'fd00:ec2::254/128',
];

/**
 * Ranges that are not public unicast, checked in this order; an allowed network can open them.
 * IPv4-mapped and NAT64 IPv6 addresses never get here: they are judged as their IPv4 address.
 */
const NOT_PUBLIC: readonly { readonly kind: string; readonly networks: readonly string[] }[] = [
  { kind: 'an unspecified address', networks: ['0.0.0.0/8', '::/128'] },
  { kind: 'a loopback address', networks: ['127.0.0.0/8', '::1/128'] },
  {
    kind: 'a private address',
    networks: [
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '100.64.0.0/10',
      'fc00::/7',
      'fec0::/10',
    ],
  },
  {
    kind: 'a multicast, broadcast or reserved address',
    networks: [
      '224.0.0.0/4',
      '240.0.0.0/4',
      '192.0.0.0/24',
      '192.88.99.0/24',
      'ff00::/8',
      '::/96',
      '100::/64',
      '64:ff9b:1::/48',
      '2001::/23',
      '2002::/16',
    ],
  },
  {
    kind: 'a benchmarking or documentation address',
    networks: [
      '198.18.0.0/15',
      '192.0.2.0/24',
      '198.51.100.0/24',
      '203.0.113.0/24',
      '2001:db8::/32',
      '3fff::/20',
    ],
  },
];

function blockListOf(networks: readonly string[]): BlockList {
  const list = new BlockList();
  for (const network of networks) {
    const [address = '', prefixText] = network.split('/');
    const family = familyOf(address);
    if (family === undefined) throw new Error(`"${network}" is not a CIDR network.`);
    const prefix = prefixText === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefixText);
    list.addSubnet(address, prefix, family);
  }
  return list;
}

function familyOf(address: string): Family | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted quad becomes two groups). */
function ipv6Groups(address: string): number[] {
  const withoutQuad = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    [((Number(a) << 8) | Number(b)).toString(16), ((Number(c) << 8) | Number(d)).toString(16)].join(
      ':',
    ),
  );
  const [head = '', tail] = withoutQuad.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const headGroups = parse(head);
  const tailGroups = tail === undefined ? [] : parse(tail);
  const zeros = new Array<number>(8 - headGroups.length - tailGroups.length).fill(0);
  return [...headGroups, ...zeros, ...tailGroups];
}

/**
 * The IPv4 address an IPv6 address stands for, if any: `::ffff:a.b.c.d` reaches the IPv4 host on
 * a dual-stack socket, and `64:ff9b::a.b.c.d` reaches it through a NAT64 gateway.
 */
function embeddedIPv4(address: string): string | undefined {
  const groups = ipv6Groups(address);
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  const mapped = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff;
  const nat64 = g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0;
  if (!mapped && !nat64) return undefined;
  return [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff].join('.');
}

interface Refusal {
  readonly address: string;
  readonly reason: string;
}

/**
 * Which addresses and schemes a PULL may reach (server-side request forgery guard). Public unicast
 * addresses are reachable; everything else only inside `allowedNetworks`, except link-local and
 * cloud metadata addresses, which are never reached.
 */
/** An inclusive range of TCP ports. */
export type PortRange = readonly [number, number];

export class OutboundPolicy {
  private readonly never = blockListOf(NEVER_REACHED);
  private readonly notPublic = NOT_PUBLIC.map(({ kind, networks }) => ({
    kind,
    list: blockListOf(networks),
  }));
  private readonly allowed: BlockList;
  private readonly schemes: readonly string[];
  private readonly ports: readonly PortRange[] | undefined;

  constructor(options: {
    readonly allowedNetworks: readonly string[];
    /** Schemes an operator allows (a subset of http, https, file, ds); all of them by default. */
    readonly allowedSchemes?: readonly string[];
    /** Ports connections may use; any port by default. */
    readonly allowedPorts?: readonly PortRange[];
  }) {
    this.allowed = blockListOf(options.allowedNetworks);
    this.schemes = (options.allowedSchemes ?? SCHEMES.map((scheme) => scheme.slice(0, -1)))
      .map((scheme) => `${scheme.toLowerCase()}:`)
      .filter((scheme) => SCHEMES.includes(scheme));
    this.ports = options.allowedPorts;
  }

  /** Throws a permanent `PullSourceError` unless `url` uses an allowed scheme (and port, for http). */
  checkScheme(url: URL): void {
    if (this.schemes.includes(url.protocol)) return;
    const allowed = this.schemes.map((scheme) => scheme.slice(0, -1));
    const names =
      allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : allowed[0];
    throw new PullSourceError(
      `Scheme "${url.protocol.replace(/:$/, '')}" of ${describeUrl(url)} is not supported; use ${names}.`,
      { permanent: true, code: 'UNSUPPORTED_SCHEME' },
    );
  }

  /** Throws a permanent `PullSourceError` when connections to `port` are not allowed. */
  checkPort(port: number, host: string): void {
    if (!this.ports || this.ports.some(([low, high]) => port >= low && port <= high)) return;
    throw new PullSourceError(`Port ${port} of ${host} is refused by the pull policy.`, {
      permanent: true,
      code: 'ADDRESS_REFUSED',
    });
  }

  /** Whether a connection to `address` may be opened. */
  allows(address: string): boolean {
    return this.refusal(address) === undefined;
  }

  /**
   * Throws a permanent `PullSourceError` when `address` must not be reached. `host` is the name
   * the address was resolved from, for the message.
   */
  check(address: string, host?: string): void {
    const refusal = this.refusal(address);
    if (refusal === undefined) return;
    const of = host === undefined || host === address ? '' : ` of ${host}`;
    throw new PullSourceError(`Address ${address}${of} is refused: ${refusal.reason}.`, {
      permanent: true,
      code: 'ADDRESS_REFUSED',
    });
  }

  private refusal(text: string): Refusal | undefined {
    const address = text.replace(/%.*$/, '');
    const family = familyOf(address);
    if (family === undefined) return { address, reason: 'it is not an IP address' };
    const judged = family === 'ipv6' ? (embeddedIPv4(address) ?? address) : address;
    const judgedFamily: Family = isIPv4(judged) ? 'ipv4' : 'ipv6';
    if (this.never.check(judged, judgedFamily)) {
      return {
        address,
        reason: 'link-local and cloud metadata addresses are never reached',
      };
    }
    if (this.allowed.check(judged, judgedFamily)) return undefined;
    const match = this.notPublic.find(({ list }) => list.check(judged, judgedFamily));
    if (match === undefined) return undefined;
    return { address, reason: `it is ${match.kind} outside the allowed networks` };
  }
}
