/**
 * Network profiles: what the relay (relay.ts) adds between the clients and the server. Named presets
 * come from published browser and test-tool throttling presets, each value cited next to it, plus
 * one custom profile from --rtt --jitter --down --up --loss.
 *
 * Units: rates in kbit/s of 1000 bit/s (the SI unit tc and WebPageTest use), applied to TCP payload
 * bytes (the bytes pollbench counts); times in milliseconds. Where a source counts in 1024s the comment
 * says so and which value was taken. Chrome DevTools and Lighthouse also publish "adjusted" values
 * (latency x 3.75 or x 5, throughput x 0.8 or x 0.9) because DevTools throttles per request, not per
 * packet; the relay works per packet like WebPageTest's traffic shaper, so it takes the unadjusted
 * target values.
 */
import { z } from 'zod';

export const networkProfileSchema = z.object({
  name: z.string().min(1),
  /** Round trip added: each direction gets rttMs / 2. */
  rttMs: z.number().min(0).max(10_000),
  /**
   * Spread of the round trip: each direction's delay is rttMs / 2 plus a uniform draw in
   * [-jitterMs / 2, +jitterMs / 2] (clamped at 0), so a round trip varies within ±jitterMs (the sum of
   * the two draws), as --rtt is a round trip too. Toxiproxy's latency toxic draws uniformly within
   * ±jitter per direction: its jitter J on both directions is jitterMs = 2 J here.
   */
  jitterMs: z.number().min(0).max(10_000),
  /** Each client's own access link, server -> client; null = unlimited. */
  downKbps: z.number().positive().nullable(),
  /** client -> server; null = unlimited. */
  upKbps: z.number().positive().nullable(),
  /** Per TCP segment, modelled as a retransmission delay, never as missing bytes (path-model.ts). */
  lossPct: z.number().min(0).max(50),
});
export type NetworkProfile = z.infer<typeof networkProfileSchema>;

/** Firefox counts its rates in 1024-based units (K = 1024, M = 1024 * 1024 bit/s). */
const FIREFOX_MBIT_IN_KBPS = (1024 * 1024) / 1000;

const preset = (p: NetworkProfile): NetworkProfile => Object.freeze(networkProfileSchema.parse(p));

export const NETWORK_PRESETS: Readonly<Record<string, NetworkProfile>> = Object.freeze({
  // The path the benchmark always had: clients straight to the server, nothing added, no relay.
  loopback: preset({ name: 'loopback', rttMs: 0, jitterMs: 0, downKbps: null, upKbps: null, lossPct: 0 }),
  // No browser publishes a wired-LAN preset. The nearest published one is Firefox DevTools' "Wi-Fi"
  // (mozilla/gecko-dev devtools/client/shared/components/throttling/profiles.js:
  // `download: 30 * MBps, upload: 15 * MBps, latency: 2` with M = 1024 * 1024 bit): a home or office
  // Wi-Fi LAN, 2 ms taken as the round trip, 30 and 15 Mibit/s = 31457.28 and 15728.64 kbit/s.
  lan: preset({
    name: 'lan',
    rttMs: 2,
    jitterMs: 0,
    downKbps: 30 * FIREFOX_MBIT_IN_KBPS,
    upKbps: 15 * FIREFOX_MBIT_IN_KBPS,
    lossPct: 0,
  }),
  // WebPageTest "Cable" (catchpoint/WebPageTest, formerly WPO-Foundation/webpagetest, www/settings/connectivity.ini.sample:
  // label "Cable (5/1 Mbps 28ms RTT)", bwIn=5000000, bwOut=1000000, latency=28, plr=0).
  broadband: preset({ name: 'broadband', rttMs: 28, jitterMs: 0, downKbps: 5000, upKbps: 1000, lossPct: 0 }),
  // Chrome DevTools "Fast 4G" (ChromeDevTools/devtools-frontend front_end/core/sdk/NetworkManager.ts,
  // Fast4GConditions: `download: 9 * 1000 * 1000 / 8 * .9`, `upload: 1.5 * 1000 * 1000 / 8 * .9`,
  // `latency: fast4GTargetLatency * 2.75` with fast4GTargetLatency = 60, comment "60ms RTT"): the
  // targets without DevTools' adjustment factors: 60 ms, 9 Mbit/s down, 1.5 Mbit/s up.
  '4g': preset({ name: '4g', rttMs: 60, jitterMs: 0, downKbps: 9000, upKbps: 1500, lossPct: 0 }),
  // Lighthouse's default mobile throttling "mobileSlow4G" (GoogleChrome/lighthouse core/config/constants.js:
  // rttMs: 150, throughputKbps: 1.6 * 1024, uploadThroughputKbps: 750 * 0.9 adjusted) = Chrome DevTools
  // "Slow 4G", formerly "Fast 3G" (NetworkManager.ts Slow4GConditions: `download: 1.6 * 1000 * 1000 / 8 * .9`,
  // `upload: 750 * 1000 / 8 * .9`, slow4GTargetLatency = 150) = WebPageTest "3GFast" (label "Mobile 3G -
  // Fast (1.6 Mbps/768 Kbps 150ms RTT)"). Taken: 150 ms, 1600 kbit/s down (DevTools' and WebPageTest's
  // 1000-based 1.6 Mbit/s; Lighthouse's 1.6 * 1024 would be 1638.4), 750 kbit/s up (DevTools' target).
  'slow-4g': preset({ name: 'slow-4g', rttMs: 150, jitterMs: 0, downKbps: 1600, upKbps: 750, lossPct: 0 }),
  // Lighthouse "mobileRegular3G" (core/config/constants.js: rttMs: 300, throughputKbps: 700, upload
  // 700 * 0.9 adjusted; "roughly align with Chrome UX report's 3G definition ... HTTP RTT of 300-1400ms
  // and downlink throughput of <700kbps"): 300 ms, 700 kbit/s both ways (Lighthouse's simulator
  // multiplies its Kbps by 1024, i.e. 716.8 kbit/s; the nominal 700 is taken). WebPageTest "3G"
  // (latency=300, bwIn=1600000, bwOut=768000) has the same round trip with faster links.
  '3g': preset({ name: '3g', rttMs: 300, jitterMs: 0, downKbps: 700, upKbps: 700, lossPct: 0 }),
  // No browser preset models distance alone. About 150 ms is a US-Europe round trip: WonderProxy's
  // measured pings between its servers (wonderproxy.com/blog/miles-per-milisecond/, "Pings Between
  // Cities"): Dallas-Milan 140.00 ms, Baltimore-Moscow 141.15 ms, Fremont-Milan 167.85 ms. The client's
  // own link is left unlimited: this profile isolates the round trip.
  'long-haul': preset({ name: 'long-haul', rttMs: 150, jitterMs: 0, downKbps: null, upKbps: null, lossPct: 0 }),
});

/** True when the profile changes nothing: the benchmark then runs without a relay at all. */
export function addsNothing(p: NetworkProfile): boolean {
  return p.rttMs === 0 && p.jitterMs === 0 && p.downKbps === null && p.upKbps === null && p.lossPct === 0;
}

export class NetworkOptionError extends Error {}

const RATE_UNITS: Readonly<Record<string, number>> = { kbit: 1, mbit: 1000, gbit: 1_000_000 };

function parseRate(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(kbit|mbit|gbit)$/i.exec(text.trim());
  const kbps = m ? Number(m[1]) * RATE_UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!(kbps > 0))
    throw new NetworkOptionError(
      `--${option} takes a rate with its unit, like 20mbit, 500kbit or 1.5gbit (got '${text}')`,
    );
  return kbps;
}

function parseNumber(option: string, text: string, unit: RegExp, max: number, what: string): number {
  const m = new RegExp(`^(\\d+(?:\\.\\d+)?)(?:${unit.source})?$`, 'i').exec(text.trim());
  const value = m ? Number(m[1]) : NaN;
  if (!(value >= 0 && value <= max))
    throw new NetworkOptionError(`--${option} takes ${what} from 0 to ${max} (got '${text}')`);
  return value;
}

/**
 * --network: a comma-separated list of preset names; plus one custom profile (name 'custom') when any
 * of --rtt --jitter --down --up --loss is given. Undefined when none of them is given. Bad input
 * throws a one-sentence NetworkOptionError.
 */
export function parseNetworkOptions(o: {
  network?: string;
  rtt?: string;
  jitter?: string;
  down?: string;
  up?: string;
  loss?: string;
}): NetworkProfile[] | undefined {
  const profiles: NetworkProfile[] = [];
  if (o.network !== undefined) {
    for (const raw of o.network.split(',')) {
      const name = raw.trim();
      const found = Object.hasOwn(NETWORK_PRESETS, name) ? NETWORK_PRESETS[name] : undefined;
      if (!found)
        throw new NetworkOptionError(
          `unknown network profile '${name}': the presets are ${Object.keys(NETWORK_PRESETS).join(', ')}`,
        );
      if (profiles.some((p) => p.name === name))
        throw new NetworkOptionError(`network profile '${name}' is listed twice in --network`);
      profiles.push(found);
    }
  }
  const custom = [o.rtt, o.jitter, o.down, o.up, o.loss].some((v) => v !== undefined);
  if (custom) {
    profiles.push(
      networkProfileSchema.parse({
        name: 'custom',
        rttMs: o.rtt === undefined ? 0 : parseNumber('rtt', o.rtt, /ms/, 10_000, 'milliseconds'),
        jitterMs: o.jitter === undefined ? 0 : parseNumber('jitter', o.jitter, /ms/, 10_000, 'milliseconds'),
        downKbps: o.down === undefined ? null : parseRate('down', o.down),
        upKbps: o.up === undefined ? null : parseRate('up', o.up),
        lossPct: o.loss === undefined ? 0 : parseNumber('loss', o.loss, /%/, 50, 'a percentage'),
      }),
    );
  }
  return profiles.length === 0 ? undefined : profiles;
}
