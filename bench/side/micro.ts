/**
 * `npm run bench:micro`: per-event CPU costs that do not touch the network, measured with tinybench:
 * what each transport's framing and the clients' decoding cost per event, and what recording one
 * latency costs the load generator. These explain part of the server CPU per event in the main run.
 * Each sample times a batch of BATCH operations: single sub-100 ns calls would mostly time the timer
 * (and tinybench keeps every sample, so millions of them cost gigabytes).
 */
import { Bench } from 'tinybench';
import { createParser } from 'eventsource-parser';
import {
  decodeEvent,
  decodeEventList,
  encodeEvent,
  encodeEventList,
  makePayload,
  type FeedEvent,
} from '../../servers/contract/protocol.ts';
import { newLatencyHistogram } from '../load/histogram.ts';
import { nowNs } from '../../servers/contract/clock.ts';

/** Operations per timed sample. */
export const BATCH = 1000;

export interface MicroRow {
  task: string;
  /** Mean time per operation, ns (tinybench's mean per sample / BATCH). */
  meanNs: number;
  /** 99th percentile of the batch time / BATCH, ns. */
  p99Ns: number;
  opsPerSec: number;
  /** Relative margin of error of the mean, %. */
  rmePercent: number;
  samples: number;
}

export async function runMicro(options: { payloadBytes: number; timeMs: number }): Promise<MicroRow[]> {
  const event: FeedEvent = {
    seq: 123_456,
    emittedAtNs: nowNs(),
    payload: makePayload(options.payloadBytes),
  };
  const json = encodeEvent(event);
  const ten = Array.from({ length: 10 }, () => json);
  const tenBody = encodeEventList(ten);
  const sseFrame = `id: ${event.seq}\ndata: ${json}\n\n`;
  const parser = createParser({ onEvent: () => {} });
  const histogram = newLatencyHistogram();
  let sink = 0;

  const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(200, options.timeMs) });
  const batched = (op: () => void) => () => {
    for (let i = 0; i < BATCH; i++) op();
  };
  bench
    .add(
      'server: encode one event (JSON, once per event)',
      batched(() => {
        sink += encodeEvent(event).length;
      }),
    )
    .add(
      'short/long poll: body with 1 event',
      batched(() => {
        sink += encodeEventList([json]).length;
      }),
    )
    .add(
      'short/long poll: body with 10 events',
      batched(() => {
        sink += encodeEventList(ten).length;
      }),
    )
    .add(
      'sse: frame one event (id + data)',
      batched(() => {
        sink += `id: ${event.seq}\ndata: ${json}\n\n`.length;
      }),
    )
    .add(
      'client: decode one event (ws, sse)',
      batched(() => {
        sink += decodeEvent(json).seq;
      }),
    )
    .add(
      'client: decode poll body with 10 events',
      batched(() => {
        sink += decodeEventList(tenBody).length;
      }),
    )
    .add(
      'client: parse one SSE frame (eventsource-parser)',
      batched(() => {
        parser.feed(sseFrame);
      }),
    )
    .add(
      'load generator: record one latency (HdrHistogram)',
      batched(() => {
        histogram.recordValue(1 + (sink++ % 5000));
      }),
    );
  await bench.run();
  if (sink === -1) console.log(sink); // keep the work observable so it is not optimised away

  return bench.tasks.map((task) => {
    const r = task.result;
    if (!r || r.error) throw new Error(`micro task "${task.name}" failed: ${r?.error?.message ?? 'no result'}`);
    return {
      task: task.name,
      meanNs: (r.latency.mean * 1e6) / BATCH,
      p99Ns: ((r.latency.p99 ?? r.latency.max) * 1e6) / BATCH,
      // From the mean time, not tinybench's mean of per-sample rates, which timer resolution skews for sub-100 ns tasks.
      opsPerSec: 1e9 / ((r.latency.mean * 1e6) / BATCH),
      rmePercent: r.latency.rme,
      samples: r.latency.samples.length,
    };
  });
}
