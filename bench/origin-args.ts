/**
 * `--allow-origin <origin>[,<origin>…]`: browser origins every feed server serves besides its own
 * (servers/access-policy.ts). Each is `*` (any origin: the seed's behaviour, for an operator who says so)
 * or a serialized origin, `http://` or `https://`, a host and an optional port, nothing after: what a
 * browser sends in Origin (RFC 6454 §6.1). A path, a query or another scheme can never match an Origin,
 * so it is refused here instead of silently allowing nothing.
 */
import { allowOriginsSchema } from '../servers/contract/server-limits.ts';

const ORIGIN = /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;

/** The origins of the option's value; an Error with one sentence when one is not an origin. */
export function parseAllowOrigins(value: string): string[] {
  const origins = value.split(',').map((o) => o.trim());
  for (const origin of origins) {
    if (origin === '*') continue;
    const port = ORIGIN.exec(origin)?.[2];
    if (!ORIGIN.test(origin) || (port !== undefined && Number(port.slice(1)) > 65_535))
      throw new Error(
        `--allow-origin: "${origin}" is not an origin; write scheme://host[:port] (http or https, no path) or *`,
      );
  }
  const parsed = allowOriginsSchema.safeParse(origins);
  if (!parsed.success) throw new Error('--allow-origin: at most 100 origins');
  return parsed.data;
}
