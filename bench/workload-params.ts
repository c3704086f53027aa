/**
 * What happens to a job's clients and server besides the feed (issue 12): nothing (`steady`, every
 * result before it), forced connection drops, a server restart mid-window, no events at all (idle
 * cost), or clients that stop reading. An axis of the matrix like the wire and the path: part of a
 * job's id and parameter set, and at its default it adds nothing, so older results keep their ids.
 */
import { z } from 'zod';
import { keepAliveSchema, NO_KEEP_ALIVE, type KeepAlive } from '../servers/contract/server-limits.ts';

export const workloadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('steady') }).strict(),
  /**
   * Every `everyMs`, a random `share` of the clients lose their connection (TCP reset) and stay offline
   * `offlineMs` (at least 2 s, as a mobile client does) before they reconnect and resume.
   */
  z
    .object({
      kind: z.literal('drops'),
      everyMs: z.number().int().min(500).max(600_000),
      share: z.number().gt(0).max(1),
      offlineMs: z.number().int().min(2_000).max(600_000),
    })
    .strict(),
  /** The server process is killed mid-window, stays down `downMs`, and starts again on the same port. */
  z.object({ kind: z.literal('restart'), downMs: z.number().int().min(0).max(600_000) }).strict(),
  /** No events during the window: what idle clients cost (bytes and server CPU per client per minute). */
  z.object({ kind: z.literal('idle') }).strict(),
  /** `count` extra clients that connect and never read; the measured clients are the healthy ones. */
  z.object({ kind: z.literal('slow-readers'), count: z.number().int().min(1).max(100_000) }).strict(),
]);
export type Workload = z.infer<typeof workloadSchema>;
export const WORKLOAD_KINDS = [
  'steady',
  'drops',
  'restart',
  'idle',
  'slow-readers',
] as const satisfies readonly Workload['kind'][];

export const STEADY: Workload = { kind: 'steady' };

/** Job fields of the workload; results written before these existed were steady with no keep-alive. */
export const workloadParamsShape = {
  workload: workloadSchema.default(STEADY),
  keepAlive: keepAliveSchema.default(NO_KEEP_ALIVE),
};

export interface WorkloadParams {
  workload: Workload;
  keepAlive: KeepAlive;
}

/** The workload's part of a job id or parameter set: empty at the defaults, else e.g. ` drops=10%/5s(off 2s)`. */
export function workloadLabel(p: WorkloadParams): string {
  const w = p.workload;
  const parts: string[] = [];
  if (w.kind === 'drops')
    parts.push(`drops=${+(w.share * 100).toFixed(2)}%/${w.everyMs / 1000}s(off ${w.offlineMs / 1000}s)`);
  if (w.kind === 'restart') parts.push(`restart(down ${w.downMs / 1000}s)`);
  if (w.kind === 'idle') parts.push('idle');
  if (w.kind === 'slow-readers') parts.push(`slow-readers=${w.count}`);
  if (p.keepAlive.wsPingMs !== null) parts.push(`ws-ping=${p.keepAlive.wsPingMs / 1000}s`);
  if (p.keepAlive.sseCommentMs !== null) parts.push(`sse-comment=${p.keepAlive.sseCommentMs / 1000}s`);
  return parts.map((part) => ` ${part}`).join('');
}

/** Every figure pollbench published before issue 12: steady, no keep-alive traffic. */
export const DEFAULT_WORKLOAD: WorkloadParams = { workload: STEADY, keepAlive: NO_KEEP_ALIVE };
