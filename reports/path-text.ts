/**
 * A job's network path in words, the one wording every renderer uses: "over 4g: 150 ms RTT, 1.6 Mbit/s
 * down, 750 kbit/s up; TLS; behind nginx". The direct loopback path has no words, so every text of a
 * result from before network paths existed stays as it was.
 */
import type { PathParams } from '../bench/network-path.ts';
import type { Job } from '../bench/result-schema.ts';

type NetworkProfile = PathParams['network'];

/** "1.6 Mbit/s" from 1600 kbit/s, "750 kbit/s" below a megabit (decimal units, as links are sold). */
export function rateText(kbps: number): string {
  if (kbps >= 1_000_000) return `${Number((kbps / 1_000_000).toPrecision(3))} Gbit/s`;
  if (kbps >= 1000) return `${Number((kbps / 1000).toPrecision(3))} Mbit/s`;
  return `${Number(kbps.toPrecision(3))} kbit/s`;
}

/**
 * A profile's figures: "150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up", jitter and loss when it has
 * them. An unlimited direction is left out, as is everything of a profile that adds nothing.
 */
export function networkFigures(p: NetworkProfile): string {
  return [
    p.rttMs > 0 ? `${p.rttMs} ms RTT` : '',
    // The round trip varies within ± jitter (bench/network/path-model.ts).
    p.jitterMs > 0 ? `±${p.jitterMs} ms jitter` : '',
    p.downKbps !== null ? `${rateText(p.downKbps)} down` : '',
    p.upKbps !== null ? `${rateText(p.upKbps)} up` : '',
    p.lossPct > 0 ? `${p.lossPct}% loss` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** "4g: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up"; a profile without figures is its name alone. */
export function networkText(p: NetworkProfile): string {
  const figures = networkFigures(p);
  return figures ? `${p.name}: ${figures}` : p.name;
}

/**
 * Whether a path is the direct one: bare loopback (the profile of that name adding nothing), cleartext,
 * no proxy. The same rule as the path's label in ids (bench/network-path.ts pathLabel), which reports/
 * may not import: the direct path is the one whose label is empty.
 */
export function isDirectPath(p: PathParams): boolean {
  return p.network.name === 'loopback' && !isEmulated(p.network) && !p.tls && p.proxy === 'none';
}

/** One key per distinct profile (its name and every figure), for grouping by network. */
export function networkKey(p: NetworkProfile): string {
  return JSON.stringify([p.name, p.rttMs, p.jitterMs, p.downKbps, p.upKbps, p.lossPct]);
}

/** Whether the network between clients and server is emulated (delay, rate or loss), not bare loopback. */
export function isEmulated(p: NetworkProfile): boolean {
  return p.rttMs > 0 || p.jitterMs > 0 || p.downKbps !== null || p.upKbps !== null || p.lossPct > 0;
}

/** The path in words, "" for the direct path: "over 4g: 150 ms RTT, ...; TLS; behind nginx". */
export function pathText(p: PathParams): string {
  if (isDirectPath(p)) return '';
  return [
    `over ${networkText(p.network)}`,
    ...(p.tls ? ['TLS'] : []),
    ...(p.proxy !== 'none' ? [`behind ${p.proxy}`] : []),
  ].join('; ');
}

/** The path of a job, in words ("" for the direct path). */
export const jobPathText = (job: Job): string => pathText(job.params);

/** The path without its network ("TLS; behind nginx", "" for neither): what a panel across networks keeps. */
export function pathWithoutNetwork(p: PathParams): string {
  return [...(p.tls ? ['TLS'] : []), ...(p.proxy !== 'none' ? [`behind ${p.proxy}`] : [])].join('; ');
}
