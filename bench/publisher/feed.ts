/**
 * One published feed: a schedule runner (the clock keeping) feeding an upstream server (the wire to
 * the feed servers). Each due event is made with its own payload (servers/contract/payload.ts), encoded once with encodeEvent()
 * (the JSON every transport sends) and written as one line to every connected server, or, when the
 * spec names a Redis stream (`--broker redis`), appended to that stream instead (./redis-sink.ts).
 */
import { encodeEvent, type FeedEvent } from '../../servers/contract/protocol.ts';
import { payloadSource } from '../../servers/contract/payload.ts';
import { firstEventOnly, makeSchedule } from '../../servers/contract/schedule.ts';
import { ScheduleRunner, type DueEvent } from './schedule-runner.ts';
import { UpstreamServer } from './upstream-server.ts';
import { RedisSink } from './redis-sink.ts';
import type { LagSummary } from '../../servers/contract/lag.ts';
import type { FeedSpec } from '../../servers/contract/publisher-ipc.ts';

export interface PublishedFeed {
  /** The TCP feed's port; 0 when the feed goes to a Redis stream (servers read that instead). */
  port: number;
  /** Schedule start on process.hrtime (event 1 is due then). */
  startNs: bigint;
  /** The TCP feed (the memory broker); with a Redis stream it neither listens nor gets events. */
  upstream: UpstreamServer;
  /** The Redis stream's writer (`--broker redis`), else null. */
  sink: RedisSink | null;
  runner: ScheduleRunner;
  /** Lateness since the last reset, then reset if asked. */
  lateness(reset: boolean): LagSummary;
  close(): Promise<void>;
}

/** `payload`: one payload for every event, or each event's own (by seq). */
export function makeEntries(
  events: readonly DueEvent[],
  payload: string | ((seq: number) => string),
): { event: FeedEvent; json: string }[] {
  return events.map(({ seq, emittedAtNs }) => {
    const event: FeedEvent = { seq, emittedAtNs, payload: typeof payload === 'string' ? payload : payload(seq) };
    return { event, json: encodeEvent(event) };
  });
}

/** Opens the listener on `host` port 0 (or connects to the spec's Redis stream), then starts the schedule (seq 1 is due at once). */
export async function openFeed(spec: FeedSpec, host = '127.0.0.1'): Promise<PublishedFeed> {
  const upstream = new UpstreamServer(spec.ringCapacity);
  const sink = spec.broker ? new RedisSink(spec.broker, spec.ringCapacity) : null;
  const port = sink ? 0 : await upstream.listen(host);
  await sink?.open();
  const out = sink ?? upstream;
  // Each event its own payload (payload.ts says why), made here, outside the server's process.
  const payload = payloadSource(spec);
  const runner = new ScheduleRunner({
    schedule: spec.idle ? firstEventOnly(makeSchedule(spec.shape)) : makeSchedule(spec.shape),
    onDue: (events) => out.publish(makeEntries(events, payload)),
  });
  const startNs = runner.start();
  return {
    port,
    startNs,
    upstream,
    sink,
    runner,
    lateness(reset) {
      const summary = runner.lateness.summary();
      if (reset) runner.lateness.reset();
      return summary;
    },
    async close() {
      runner.stop();
      await (sink ? sink.close() : upstream.close());
    },
  };
}
