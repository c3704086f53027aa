/**
 * One published feed: a schedule runner (the clock keeping) feeding an upstream server (the wire to
 * the feed servers). Each due event is made with its own payload (servers/contract/payload.ts), encoded once with encodeEvent()
 * (the JSON every transport sends) and written as one line to every connected server.
 */
import { encodeEvent, type FeedEvent } from '../../servers/contract/protocol.ts';
import { payloadSource } from '../../servers/contract/payload.ts';
import { firstEventOnly, makeSchedule } from '../../servers/contract/schedule.ts';
import { ScheduleRunner, type DueEvent } from './schedule-runner.ts';
import { UpstreamServer } from './upstream-server.ts';
import type { LagSummary } from '../../servers/contract/lag.ts';
import type { FeedSpec } from '../../servers/contract/publisher-ipc.ts';

export interface PublishedFeed {
  port: number;
  /** Schedule start on process.hrtime (event 1 is due then). */
  startNs: bigint;
  upstream: UpstreamServer;
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

/** Opens the listener on `host` port 0, then starts the schedule (seq 1 is due at once). */
export async function openFeed(spec: FeedSpec, host = '127.0.0.1'): Promise<PublishedFeed> {
  const upstream = new UpstreamServer(spec.ringCapacity);
  const port = await upstream.listen(host);
  // Each event its own payload (payload.ts says why), made here, outside the server's process.
  const payload = payloadSource(spec);
  const runner = new ScheduleRunner({
    schedule: spec.idle ? firstEventOnly(makeSchedule(spec.shape)) : makeSchedule(spec.shape),
    onDue: (events) => upstream.publish(makeEntries(events, payload)),
  });
  const startNs = runner.start();
  return {
    port,
    startNs,
    upstream,
    runner,
    lateness(reset) {
      const summary = runner.lateness.summary();
      if (reset) runner.lateness.reset();
      return summary;
    },
    close() {
      runner.stop();
      return upstream.close();
    },
  };
}
