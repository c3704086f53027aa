/**
 * The orchestrator's handle on the publisher process: one per plan, started before calibration (and
 * awaited, so its startup never overlaps a measurement), pinned to the load generator's core so it
 * never takes the server's. A publisher that died is started again at the next feed, so one crash
 * fails one run, not the plan.
 */
import { ManagedChild } from '../child.ts';
import type { LagSummary } from '../../servers/contract/lag.ts';
import type { FeedSpec, FromPublisher, ToPublisher } from '../../servers/contract/publisher-ipc.ts';

const SCRIPT = './publisher/main.ts';
const START_TIMEOUT_MS = 30_000;
const REPLY_TIMEOUT_MS = 10_000;

export class PublisherProcess {
  private child: ManagedChild<ToPublisher, FromPublisher> | undefined;
  private ready: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  constructor(private readonly cpus: string | null) {}

  /** Starts the process if it is not running (idempotent) and resolves once it is ready for feeds. */
  async start(signal?: AbortSignal): Promise<void> {
    if (!this.child || this.child.process.exitCode !== null || this.child.process.signalCode !== null) {
      const child = new ManagedChild<ToPublisher, FromPublisher>('publisher', SCRIPT, [], this.cpus);
      this.child = child;
      this.ready = child.waitFor('ready', START_TIMEOUT_MS, signal);
    }
    await this.ready;
  }

  /** A fresh feed for one run (the previous one stops): its port and schedule start (hrtime ns, decimal). */
  async openFeed(spec: FeedSpec, signal: AbortSignal): Promise<{ port: number; startNs: string }> {
    await this.start(signal);
    const child = this.child!;
    const id = this.nextId++;
    child.send({ type: 'feed', id, spec });
    // Skip a stale answer to an earlier request that timed out: its feed is already replaced.
    for (;;) {
      const reply = await child.waitFor('feed-ready', START_TIMEOUT_MS, signal);
      if (reply.id === id) return { port: reply.port, startNs: reply.startNs };
    }
  }

  /** How late the publisher ran since the last reset (then resets if asked): call at the window edges. */
  async lateness(reset: boolean, signal: AbortSignal): Promise<LagSummary> {
    const child = this.child;
    if (!child) throw new Error('publisher not started');
    const id = this.nextId++;
    child.send({ type: 'lateness', id, reset });
    // Skip a stale answer to an earlier request that timed out.
    for (;;) {
      const reply = await child.waitFor('lateness', REPLY_TIMEOUT_MS, signal);
      if (reply.id === id) return reply.lateness;
    }
  }

  /** Stops the current feed, when no run follows to replace it: nothing publishes while nothing measures. */
  endFeed(): void {
    this.child?.send({ type: 'end-feed' });
  }

  async stop(): Promise<void> {
    await this.child?.stop();
  }
}
