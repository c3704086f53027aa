/**
 * Runs a publish schedule (servers/contract/schedule.ts) on process.hrtime without spinning. Node timers have
 * 1 ms granularity and fire late, on a VM later still when they wake an idle vCPU (1-5 ms seen here).
 * So the runner sleeps on a timer until `lead` before the next event is due, then blocks the thread
 * for the remainder with Atomics.wait (a futex wait: no CPU, wakes within ~0.1 ms) and emits every due
 * event. The lead adapts to how late timers have been waking (+ a margin): it rises at once after a
 * late wake and decays slowly, within bounds. Blocking this process's loop for a few ms is harmless:
 * it only publishes, and it runs outside the server, so none of it is billed to the system under test.
 *
 * Lateness (actual publish time minus scheduled time) is recorded per event; events carry their
 * scheduled time, so a late publisher shows up as delivery latency.
 */
import { LagRecorder } from '../../servers/contract/lag.ts';
import type { Schedule } from '../../servers/contract/schedule.ts';
import { nowNs } from '../../servers/contract/clock.ts';

export interface DueEvent {
  seq: number;
  /** The scheduled time: what the event is stamped with. */
  emittedAtNs: bigint;
}

export interface ScheduleRunnerOptions {
  schedule: Schedule;
  /** Receives every event due at one wake, in seq order (a burst arrives as one batch). */
  onDue: (events: DueEvent[]) => void;
  /** Clock, injectable for tests. Must be CLOCK_MONOTONIC-based like process.hrtime.bigint. */
  now?: () => bigint;
  /** Blocks the thread for `ms` without using CPU. Injectable for tests. */
  block?: (ms: number) => void;
}

export const MIN_LEAD_NS = 2_000_000;
export const MAX_LEAD_NS = 8_000_000;
const LEAD_MARGIN_NS = 1_000_000;

const futexCell = new Int32Array(new SharedArrayBuffer(4));
/** A futex wait on a cell nobody notifies: sleeps the thread for `ms`, wakes on the kernel's timer. */
export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(futexCell, 0, 0, ms);
}

export class ScheduleRunner {
  /** Schedule start on the clock; undefined until start(). */
  startNs: bigint | undefined;
  /** Seq of the last event emitted (0 = none). */
  lastSeq = 0;
  readonly lateness = new LagRecorder();
  private readonly schedule: Schedule;
  private readonly onDue: (events: DueEvent[]) => void;
  private readonly now: () => bigint;
  private readonly block: (ms: number) => void;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private stopped = false;
  /** When the pending timer was meant to fire, to learn how late timers wake. */
  private timerTargetNs: bigint | undefined;
  private wakeLateNs = 0;
  /** Current lead, ns (whole: it becomes a BigInt). */
  leadNs = MIN_LEAD_NS;

  constructor(options: ScheduleRunnerOptions) {
    this.schedule = options.schedule;
    this.onDue = options.onDue;
    this.now = options.now ?? nowNs;
    this.block = options.block ?? blockFor;
  }

  /** Starts the schedule now (event 1 is due at once) and returns its start time. */
  start(): bigint {
    if (this.startNs !== undefined) throw new Error('schedule already started');
    this.startNs = this.now();
    this.tick();
    return this.startNs;
  }

  /** Emits all due events as one batch; returns how many. Exposed so tests can drive it with a fake clock (after stop()). */
  emitDue(): number {
    const startNs = this.startNs;
    if (startNs === undefined) return 0;
    const now = this.now();
    const due = this.schedule.dueCount(Number(now - startNs));
    if (due <= this.lastSeq) return 0;
    const events: DueEvent[] = [];
    for (let seq = this.lastSeq + 1; seq <= due; seq++) {
      const emittedAtNs = startNs + BigInt(this.schedule.offsetNs(seq));
      this.lateness.record(Number(now - emittedAtNs));
      events.push({ seq, emittedAtNs });
    }
    this.lastSeq = due;
    this.onDue(events);
    return events.length;
  }

  /** ns until the next event is due (negative when overdue). */
  private untilNextNs(): number {
    return Number(this.startNs! + BigInt(this.schedule.offsetNs(this.lastSeq + 1)) - this.now());
  }

  private tick = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.stopped) return;
    if (this.timerTargetNs !== undefined) {
      // Woken by the timer: learn how late it was (fast rise, slow decay).
      const late = Math.max(0, Number(this.now() - this.timerTargetNs));
      this.wakeLateNs = late > this.wakeLateNs ? late : this.wakeLateNs * 0.9 + late * 0.1;
      this.leadNs = Math.round(Math.min(MAX_LEAD_NS, Math.max(MIN_LEAD_NS, this.wakeLateNs + LEAD_MARGIN_NS)));
      this.timerTargetNs = undefined;
    }
    this.emitDue();
    // A schedule that ends (the idle workload's: servers/contract/schedule.ts firstEventOnly) has nothing left to wait for.
    if (!Number.isFinite(this.schedule.offsetNs(this.lastSeq + 1))) return;
    const remainingNs = this.untilNextNs();
    if (remainingNs > this.leadNs) {
      this.timerTargetNs = this.startNs! + BigInt(this.schedule.offsetNs(this.lastSeq + 1)) - BigInt(this.leadNs);
      this.timer = setTimeout(this.tick, (remainingNs - this.leadNs) / 1e6);
      return;
    }
    // Close to due: block (no CPU) until the due moment, publish, then let I/O run before the next event.
    if (remainingNs > 0) this.block(remainingNs / 1e6);
    if (this.stopped) return;
    this.emitDue();
    this.immediate = setImmediate(this.tick);
  };

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}
