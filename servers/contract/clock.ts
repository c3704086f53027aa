/**
 * Contract (servers/contract/). nowNs() is the one read of the shared monotonic clock: every process
 * stamps with it (the server's stats and upstream, the publisher's schedule, the clients and load
 * generator, the orchestrator's phases and calibration). checkSharedClock() is tested in
 * test/unit/clock.test.ts.
 *
 * The one clock assumption pollbench makes: `process.hrtime.bigint()` reads CLOCK_MONOTONIC on Linux,
 * which is system-wide, so a timestamp taken in the server process and one taken in the load process
 * can be subtracted. This file keeps that assumption in one place and can check it: a child process
 * reports its clock, and it must fall between the parent's readings before and after.
 */
import { spawn } from 'node:child_process';

const monotonicNs = (): bigint => process.hrtime.bigint();

/** The shared clock (a live binding: useClockOffset replaces it for the whole process). */
export let nowNs: () => bigint = monotonicNs;

/**
 * A load agent on another host (bench/agent) has no shared clock: its load process reads this one
 * shifted by the estimated offset to the publisher's host, so every stamp it takes (receive times,
 * window edges, schedule arithmetic against feedStartNs) is on the publisher's clock. 0 (every
 * process on the publisher's host) leaves the plain read in place.
 */
export function useClockOffset(offsetNs: bigint): void {
  nowNs = offsetNs === 0n ? monotonicNs : () => process.hrtime.bigint() + offsetNs;
}

export interface SharedClockCheck {
  ok: boolean;
  /** Width of the bracket the child's reading must fall in (the IPC round trip), ns. */
  bracketNs: number;
  detail: string;
}

/** Forks a tiny child (plain JS, no loader) and brackets its hrtime reading with ours. */
export function checkSharedClock(timeoutMs = 10_000): Promise<SharedClockCheck> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-e', "process.on('message', () => { process.send(String(process.hrtime.bigint())); process.disconnect(); })"],
      {
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      },
    );
    let before = 0n;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, bracketNs: 0, detail: 'child did not answer' });
    }, timeoutMs);
    child.once('spawn', () => {
      before = nowNs();
      child.send('now');
    });
    child.once('message', (message) => {
      const after = nowNs();
      clearTimeout(timer);
      const theirs = BigInt(String(message));
      const ok = before <= theirs && theirs <= after;
      resolve({
        ok,
        bracketNs: Number(after - before),
        detail: ok
          ? 'child hrtime fell between parent readings'
          : `child hrtime ${theirs} outside [${before}, ${after}]`,
      });
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, bracketNs: 0, detail: err.message });
    });
  });
}
