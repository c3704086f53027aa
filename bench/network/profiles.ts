// STUB (lead): replaced by the relay helper's file at merge.
import { z } from 'zod';

export const networkProfileSchema = z.object({
  name: z.string().min(1),
  rttMs: z.number().min(0).max(10_000),
  jitterMs: z.number().min(0).max(10_000),
  downKbps: z.number().positive().nullable(),
  upKbps: z.number().positive().nullable(),
  lossPct: z.number().min(0).max(50),
});
export type NetworkProfile = z.infer<typeof networkProfileSchema>;

export const NETWORK_PRESETS: Readonly<Record<string, NetworkProfile>> = {
  loopback: { name: 'loopback', rttMs: 0, jitterMs: 0, downKbps: null, upKbps: null, lossPct: 0 },
};

export function addsNothing(p: NetworkProfile): boolean {
  return p.rttMs === 0 && p.jitterMs === 0 && p.downKbps === null && p.upKbps === null && p.lossPct === 0;
}
export class NetworkOptionError extends Error {}
export function parseNetworkOptions(o: {
  network?: string;
  rtt?: string;
  jitter?: string;
  down?: string;
  up?: string;
  loss?: string;
}): NetworkProfile[] | undefined {
  if (o.network === undefined) return undefined;
  return o.network.split(',').map((n) => {
    const p = NETWORK_PRESETS[n];
    if (!p) throw new NetworkOptionError(`--network: unknown profile "${n}"`);
    return p;
  });
}
