/**
 * The addresses a namespace run creates: one /30 per namespace (the host's end .1, the namespace's
 * .2), from private ranges, none overlapping a route or address the machine already has (a collision
 * would send the run's traffic, or someone else's, the wrong way). Pure: the machine's prefixes in.
 */

export interface Subnet {
  /** The host's end of the veth pair. */
  hostAddr: string;
  /** The namespace's end. */
  nsAddr: string;
  /** "10.213.0.4/30". */
  cidr: string;
}

/** Private /16s the /30s are taken from, in order. */
const POOLS = [0x0ad50000, 0x0ad60000, 0xac1f0000]; // 10.213.0.0/16, 10.214.0.0/16, 172.31.0.0/16
const BLOCKS_PER_POOL = 1 << 14;

const toInt = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');

/** "10.0.0.0/8" or "192.0.2.7" (a /32) as [first, last]; null for what is not an IPv4 prefix. */
function range(prefix: string): [number, number] | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(prefix);
  if (!m) return null;
  const bits = m[2] === undefined ? 32 : Number(m[2]);
  const size = 2 ** (32 - bits);
  const first = Math.floor(toInt(m[1]!) / size) * size;
  return [first, first + size - 1];
}

/**
 * The IPv4 prefixes in `ip -4 -o route show table all` and `ip -4 -o addr show` output (the default
 * route, 0.0.0.0/0, is left out: it covers everything and routes nothing of ours).
 */
export function prefixesIn(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    const routeDest = words[0] === 'local' || words[0] === 'broadcast' || words[0] === 'unicast' ? words[1] : words[0];
    if (routeDest && range(routeDest)) out.push(routeDest);
    const inet = words.indexOf('inet');
    if (inet !== -1 && words[inet + 1] && range(words[inet + 1]!)) out.push(words[inet + 1]!);
  }
  return out.filter((p) => p !== '0.0.0.0/0');
}

/**
 * `count` /30s that overlap none of `taken`, starting at a block chosen by `seed` (the pid: two runs
 * at once start far apart) and going round each pool.
 */
export function pickSubnets(taken: readonly string[], count: number, seed: number): Subnet[] {
  const busy = taken.map(range).filter((r): r is [number, number] => r !== null);
  const free = (first: number) => busy.every(([a, b]) => first + 3 < a || first > b);
  const out: Subnet[] = [];
  for (const pool of POOLS) {
    for (let k = 0; k < BLOCKS_PER_POOL && out.length < count; k++) {
      const first = pool + ((seed + k) % BLOCKS_PER_POOL) * 4;
      if (!free(first)) continue;
      out.push({ hostAddr: toIp(first + 1), nsAddr: toIp(first + 2), cidr: `${toIp(first)}/30` });
      busy.push([first, first + 3]);
    }
    if (out.length === count) return out;
  }
  throw new Error(`no free /30 left for ${count} namespaces in 10.213.0.0/16, 10.214.0.0/16 or 172.31.0.0/16`);
}
