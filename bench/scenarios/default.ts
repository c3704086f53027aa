import type { Scenario } from './schema.ts';
import { TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';
import { NETWORK_PRESETS } from '../network/profiles.ts';

/**
 * The comparison `npm run bench` makes: every registered transport on loopback and over an emulated
 * 4G network, a 256-byte payload, poll intervals of 1 s and 250 ms; 3 s windows, 3 repetitions. With
 * the four transports measured here, about 5 minutes on a 2-core machine (60 runs; `npm run bench`
 * prints where the time went at the end). The descriptions name no transport and count none, so they
 * stay true when one is added.
 *
 * Three cells of the product, chosen for what each tells:
 * - 1 event/s to 500 clients on loopback: the classic "one message per second" case, where polling
 *   pays for answers without events; with undici's minimal request headers and with Chromium's
 *   (captured, plus a 285-byte cookie), so the 2010 table and the wire chart show what a browser's
 *   polls cost (in this cell only: the header bytes per request are the same in every cell, and the
 *   other wires are the `protocols` scenario's).
 * - 20 events/s to 50 clients on loopback and over 4g: the same cell on both paths, so the round trip
 *   is the only difference (the headline is about 4g): a push costs half a round trip, a long poll up
 *   to a whole one (events arrive while its next request is on its way), a short poll half its
 *   interval plus half a round trip.
 * Left out:
 * - 1 event/s to 50 clients: its per-event figures equal those at 500 clients (measured: 470 vs 467
 *   bytes down per event for short polling at 1 s, 942 vs 940 at 250 ms, 467 for long polling, 328 for
 *   SSE and 311 for WebSocket), and its p99 would rest on 150 deliveries.
 * - 20 events/s to 500 clients: where polling servers near saturation; the `capacity` scenario and "At
 *   the ceiling" in the README measure that limit properly, and a realistic network tells more.
 * - 1 event/s to 500 clients over 4g: every event reaches 500 clients at once, and the one emulator
 *   process writes those 500 chunks one after another (~5 ms for the last; measured: its timer error
 *   p50 1.4-3.6 ms, WebSocket p50 44.9 ms where 30 + the loopback 8.6 ms is due): the emulator would
 *   be part of what is measured. At 50 clients its error is 0.3-0.6 ms.
 *
 * Warm-up: polling servers get 5,000 HTTP requests (over 32 connections, straight to the server, not
 * through the emulated network) before anything is measured; see prewarm() in bench/load/run-job.ts.
 */
export const defaultScenario: Scenario = {
  name: 'default',
  description:
    "Every transport at 1 event/s to 500 clients on loopback, with minimal and with Chromium's request headers, and at 20 events/s to 50 clients on loopback and over 4g; 256-byte payload; poll intervals of 1000 ms and 250 ms.",
  transports: [...TRANSPORT_NAMES],
  matrix: {
    shapes: [
      { kind: 'steady', ratePerSec: 1 },
      { kind: 'steady', ratePerSec: 20 },
    ],
    clients: [50, 500],
    payloadBytes: [256],
    pollIntervalMs: [1000, 250],
    networks: [NETWORK_PRESETS['loopback']!, NETWORK_PRESETS['4g']!],
    exclude: [
      { shape: { kind: 'steady', ratePerSec: 1 }, clients: 50 },
      { shape: { kind: 'steady', ratePerSec: 20 }, clients: 500 },
      { shape: { kind: 'steady', ratePerSec: 1 }, network: '4g' },
      // Chromium's headers in the classic cell only: what a browser's polls really cost, next to the
      // 2010 table's assumption (its measured rows come from this cell).
      { headers: 'browser', shape: { kind: 'steady', ratePerSec: 20 } },
      { headers: 'browser', network: '4g' },
    ],
    headers: ['minimal', 'browser'],
  },
  framework: 'express',
  longPollWaitMs: 30_000,
  ringCapacity: 10_000,
  timing: { warmupMs: 500, measureMs: 3000, drainMs: 100, prewarmRequests: 5000 },
  repetitions: 3,
};
