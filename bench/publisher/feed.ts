/**
 * One published feed: a schedule runner (the clock keeping) feeding an upstream server (the wire to
 * the feed servers). Each due event is made with the run's payload, encoded once with encodeEvent()
 * (the JSON every transport sends) and written as one line to every connected server.
 */
import { encodeEvent, makePayload, type FeedEvent } from '../../servers/contract/protocol.ts';
import { makeSchedule } from '../../servers/contract/schedule.ts';
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

export function makeEntries(events: readonly DueEvent[], payload: string): { event: FeedEvent; json: string }[] {
  return events.map(({ seq, emittedAtNs }) => {
    const event: FeedEvent = { seq, emittedAtNs, payload };
    return { event, json: encodeEvent(event) };
  });
}

/** Opens the listener on `host` port 0, then starts the schedule (seq 1 is due at once). */
export async function openFeed(spec: FeedSpec, host = '127.0.0.1'): Promise<PublishedFeed> {
  const upstream = new UpstreamServer(spec.ringCapacity);
  const port = await upstream.listen(host);
  const payload = makePayload(spec.payloadBytes);
  const runner = new ScheduleRunner({
    schedule: makeSchedule(spec.shape),
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
