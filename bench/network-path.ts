/**
 * The network path of a job: the emulated network between clients and server (bench/network/), TLS
 * on or off, and a reverse proxy in front of the server or none. Three axes of the matrix, like the
 * audience and the rate; a job's path is part of its id and of its parameter set, so every table,
 * chart and gate comparison is about one path.
 */
import { z } from 'zod';
import { CONNECT_CONCURRENCY } from './load/connect.ts';
import { NETWORK_PRESETS, addsNothing, networkProfileSchema, type NetworkProfile } from './network/profiles.ts';

export const proxySchema = z.enum(['none', 'nginx']);
export type Proxy = z.infer<typeof proxySchema>;

export const LOOPBACK: NetworkProfile = NETWORK_PRESETS['loopback']!;

/** Job fields of the path; results written before network paths existed were all direct loopback runs. */
export const pathParamsShape = {
  network: networkProfileSchema.default(LOOPBACK),
  tls: z.boolean().default(false),
  proxy: proxySchema.default('none'),
};

export interface PathParams {
  network: NetworkProfile;
  tls: boolean;
  proxy: Proxy;
}

/** Client straight to server over loopback, cleartext: every figure before network paths existed. */
export const DIRECT_PATH: PathParams = { network: LOOPBACK, tls: false, proxy: 'none' };

/**
 * A profile's name as it appears in ids and tables. A custom profile's values are in it, so two
 * results with different custom values never join as the same job.
 */
export function networkLabel(p: NetworkProfile): string {
  const preset = NETWORK_PRESETS[p.name];
  if (preset && sameProfile(preset, p)) return p.name;
  const rate = (kbps: number | null) => (kbps === null ? 'unlimited' : `${kbps}kbit`);
  return `${p.name}(rtt=${p.rttMs}ms,jitter=${p.jitterMs}ms,down=${rate(p.downKbps)},up=${rate(p.upKbps)},loss=${p.lossPct}%)`;
}

function sameProfile(a: NetworkProfile, b: NetworkProfile): boolean {
  return (
    a.rttMs === b.rttMs &&
    a.jitterMs === b.jitterMs &&
    a.downKbps === b.downKbps &&
    a.upKbps === b.upKbps &&
    a.lossPct === b.lossPct
  );
}

/**
 * The path's part of a job id or parameter set: empty for the direct loopback path (so ids of
 * results written before paths existed still join), else e.g. ` network=4g tls proxy=nginx`.
 */
export function pathLabel(p: PathParams): string {
  const parts = [
    ...(addsNothing(p.network) && p.network.name === LOOPBACK.name ? [] : [`network=${networkLabel(p.network)}`]),
    ...(p.tls ? ['tls'] : []),
    ...(p.proxy !== 'none' ? [`proxy=${p.proxy}`] : []),
  ];
  return parts.map((part) => ` ${part}`).join('');
}

/**
 * What a run's connect, warm-up and drain allow on top of their loopback values, from the path's round
 * trip: a connect is a TCP, a TLS and an HTTP or WebSocket handshake (about 3 round trips, doubled for
 * margin) for each batch of concurrent connects; the warm-up lets every client complete a few
 * exchanges over the path before the window; the drain waits out a few more round trips. With loss,
 * connect and drain add three retransmission timeouts (bench/network/path-model.ts), so a lost
 * segment is late, not counted as a missing event. None for the direct path.
 */
export function pathAllowancesMs(
  p: PathParams,
  clients: number,
  concurrency = CONNECT_CONCURRENCY,
): { connectMs: number; warmupMs: number; drainMs: number } {
  const rtt = addedRoundTripMs(p);
  if (rtt === 0 && p.network.lossPct === 0) return { connectMs: 0, warmupMs: 0, drainMs: 0 };
  const batches = Math.ceil(clients / concurrency);
  const retransmit = p.network.lossPct > 0 ? 3 * Math.max(200, 2 * rtt) : 0;
  return {
    connectMs: Math.round(batches * 6 * rtt + retransmit),
    warmupMs: Math.round(4 * rtt),
    drainMs: Math.round(10 * rtt + retransmit),
  };
}

/** The longest round trip the path adds (ms): its round trip plus its jitter. */
export function addedRoundTripMs(p: PathParams): number {
  return p.network.rttMs + p.network.jitterMs;
}
