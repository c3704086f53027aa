/**
 * Contract (servers/contract/). Imported by the publisher process (bench/publisher/main.ts, which also
 * validates a by-hand spec with feedSpecSchema, and bench/publisher/feed.ts, which runs a spec), its
 * parent's handle (bench/publisher/client.ts) and the tests.
 *
 * Messages between the orchestrator and the publisher process (over the Node IPC channel).
 */
import { z } from 'zod';
import { shapeSchema } from './shape-schema.ts';
import { MAX_PAYLOAD_BYTES } from './protocol.ts';
import { eventEncodingSchema, payloadContentSchema } from './wire-options.ts';
import type { LagSummary } from './lag.ts';
import { redisStreamSchema } from './broker-stream.ts';

/** One run's feed: its schedule, payload size, and how many events the publisher holds for resuming servers. */
export const feedSpecSchema = z.object({
  shape: shapeSchema,
  payloadBytes: z.number().int().min(0).max(MAX_PAYLOAD_BYTES),
  ringCapacity: z.number().int().min(1).max(10_000_000),
  /**
   * What each payload holds (payload.ts; default `text`) and the encoding the servers will send it in
   * (default `json`): `random` makes bytes 0-255 for the binary encoding, JSON-safe letters for JSON.
   */
  payloadContent: payloadContentSchema.optional(),
  encoding: eventEncodingSchema.optional(),
  /** The idle workload (issue 12): event 1 at the start, then none (schedule.ts firstEventOnly). */
  idle: z.boolean().optional(),
  /** `--broker redis`: append every event to this stream (broker-stream.ts) instead of serving the TCP feed. */
  broker: redisStreamSchema.optional(),
});
export type FeedSpec = z.infer<typeof feedSpecSchema>;

/**
 * `feed` stops the previous feed (drops its servers, closes its listener) and starts a fresh one,
 * seq from 1; `end-feed` stops it without a new one. `lateness` reads how late the publisher ran
 * since the last reset, then resets if asked (the start of a measurement window).
 */
export type ToPublisher =
  | { type: 'feed'; id: number; spec: FeedSpec }
  | { type: 'end-feed' }
  | { type: 'lateness'; id: number; reset: boolean };

export type FromPublisher =
  | { type: 'ready'; pid: number }
  /** The feed listens on 127.0.0.1:`port` (0: it goes to the spec's Redis stream); its schedule started at `startNs` (process.hrtime, decimal ns). */
  | { type: 'feed-ready'; id: number; port: number; startNs: string }
  | { type: 'lateness'; id: number; lateness: LagSummary }
  | { type: 'fatal'; message: string };
