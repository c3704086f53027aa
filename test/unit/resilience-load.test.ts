import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DropScheduler, backFromDrops } from '../../bench/load/drops.ts';
import { RestartRecovery } from '../../bench/load/restart-recovery.ts';
import type { DropRecord, TransportClient } from '../../bench/clients/types.ts';
import { zeroCounters } from '../../bench/clients/counters.ts';

/** A client whose drop() follows the interface's rule: never twice at once (here: until back()). */
class FakeClient implements TransportClient {
  readonly transport = 'ws' as const;
  connectedNs: bigint | undefined = 1n;
  connectBytes = undefined;
  lastSeq = 0;
  readonly drops: DropRecord[] = [];
  offline = false;
  drop(offlineMs: number): boolean {
    if (this.offline) return false;
    this.offline = true;
    const at = 10n ** 9n;
    this.drops.push({ droppedNs: at, onlineNs: at + BigInt(offlineMs) * 1_000_000n });
    return true;
  }
  start = () => Promise.resolve();
  counters = () => zeroCounters();
  close = () => Promise.resolve();
}

const drops = { kind: 'drops', everyMs: 1000, share: 0.25, offlineMs: 2000 } as const;

test('each tick drops round(share x clients) clients among those that can, the same ones for the same seed', async () => {
  const picks = async (seed: number) => {
    const clients = Array.from({ length: 8 }, () => new FakeClient());
    const scheduler = new DropScheduler(clients, drops, seed);
    // One tick at the middle of a 1.5 s window whose clock stands at its start.
    scheduler.start(0n, 1_500_000_000n, () => 0n);
    await new Promise((resolve) => setTimeout(resolve, 600));
    scheduler.stop();
    return clients.flatMap((c, i) => (c.drops.length ? [i] : []));
  };
  const first = await picks(7);
  assert.equal(first.length, 2);
  assert.deepEqual(await picks(7), first);
  const report = new DropScheduler([], drops, 7).report();
  assert.equal(report.performed, 0);
  assert.equal(report.seed, 7);
});

test('a picked client that cannot drop is not dropped and is counted refused; at least one pick per tick', async () => {
  const clients = Array.from({ length: 3 }, () => new FakeClient());
  for (const c of clients) c.offline = true;
  const scheduler = new DropScheduler(clients, { ...drops, share: 0.01 }, 1);
  scheduler.start(0n, 1_000_000_000n, () => 0n);
  await new Promise((resolve) => setTimeout(resolve, 600));
  scheduler.stop();
  assert.deepEqual(
    clients.map((c) => c.drops.length),
    [0, 0, 0],
  );
  assert.equal(scheduler.report().refused, 1);
});

test('the same seed and eligibility drop the same clients with one load process as with two', async () => {
  // 20 clients, every other one unable to drop; 5 ticks of 5 picks each (a dropped client refuses
  // later picks: FakeClient stays offline).
  const run = async (slices: { first: number; count: number }[]) => {
    const clients = Array.from({ length: 20 }, () => new FakeClient());
    clients.forEach((c, i) => (c.offline = i % 2 === 1));
    const schedulers = slices.map(
      ({ first, count }) =>
        new DropScheduler(clients.slice(first, first + count), drops, 42, { first, total: clients.length }),
    );
    // Every tick already due (the clock stands at the window's end): they run one after another.
    for (const s of schedulers) s.start(0n, 5_000_000_000n, () => 5_000_000_000n);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const s of schedulers) s.stop();
    const reports = schedulers.map((s) => s.report());
    return {
      dropped: clients.flatMap((c, i) => (c.drops.length ? [i] : [])),
      performed: reports.reduce((a, r) => a + r.performed, 0),
      refused: reports.reduce((a, r) => a + r.refused, 0),
    };
  };
  const one = await run([{ first: 0, count: 20 }]);
  const two = await run([
    { first: 0, count: 10 },
    { first: 10, count: 10 },
  ]);
  assert.deepEqual(two, one);
  assert.equal(one.performed + one.refused, 25, 'five picks a tick, five ticks');
  assert.ok(one.performed > 0 && one.refused > 0, JSON.stringify(one));
});

test('catch-up latency: only window events emitted while the client was offline, once each', () => {
  const client = new FakeClient();
  const scheduler = new DropScheduler([client], drops, 1);
  scheduler.start(0n, 10n * 10n ** 9n, () => 0n);
  scheduler.stop();
  client.drop(2000); // offline from 1 s to 3 s
  const event = (seq: number, atMs: number) => ({ seq, emittedAtNs: BigInt(atMs) * 1_000_000n, payload: '' });
  const receivedNs = 3_500_000_000n;
  scheduler.record(0, [event(1, 500), event(2, 1000), event(3, 2999), event(4, 3000)], receivedNs);
  scheduler.record(0, [event(3, 2999)], receivedNs + 1n);
  const { catchUp } = scheduler.report();
  // Events 2 and 3: 2.5 s and 0.501 s late.
  assert.equal(catchUp.summary.count, 2);
  assert.ok(Math.abs(catchUp.summary.max - 2_500_000) <= 2_500, String(catchUp.summary.max));
});

test('restart recovery: from the new server listening to each client back, exact ranks; clients not back counted', async () => {
  const clients = Array.from({ length: 4 }, () => new FakeClient());
  const recovery = new RestartRecovery(clients);
  const ms = (n: number) => BigInt(n) * 1_000_000n;
  let errors = 0;
  await recovery.run(
    () => ms(1000),
    () => errors,
    async () => {
      errors += 5; // refused attempts while down
      // Client 0 reconnected between the ask and the kill (not after the restart), then again.
      recovery.answered(0, ms(1001), ms(1000));
      recovery.answered(0, ms(1700), ms(1200));
      recovery.answered(1, ms(1600), ms(1400));
      return { killedNs: ms(1010), listeningNs: ms(1500) };
    },
  );
  // Read after the restart was known: the same rule applies.
  recovery.answered(2, ms(2500), ms(2400));
  const report = recovery.report([true, true, true, true])!;
  assert.equal(report.clientsBefore, 4);
  assert.equal(report.clientsBack, 3);
  assert.equal(report.downMs, 490);
  assert.deepEqual(report.recoveryMs, { p50: 200, p95: 1000, max: 1000 });
  assert.equal(report.failedAttempts, 5);
  assert.equal(recovery.downErrors, 5);
});

test('restart recovery: an answer the killed server wrote is not a client back, however late it is read; no cap', async () => {
  const clients = Array.from({ length: 3 }, () => new FakeClient());
  const recovery = new RestartRecovery(clients);
  const ms = (n: number) => BigInt(n) * 1_000_000n;
  const restart = { killedNs: ms(1010), listeningNs: ms(1500) };
  await recovery.run(
    () => ms(1000),
    () => 0,
    async () => {
      // Client 0, a busy long poll: many answers from the old server before the kill.
      for (let i = 1; i <= 8; i++) recovery.answered(0, ms(1000 + i), ms(1000 + i - 1));
      // Client 1: a poll sent before the kill, answered by the old server, read after the kill.
      recovery.answered(1, ms(1020), ms(1005));
      // Client 2: its request sent after the kill but read before the new server listened (impossible
      // from a live server; the second guard).
      recovery.answered(2, ms(1400), ms(1300));
      return restart;
    },
  );
  // After the restart is known: a late read of an old answer, then the real reconnects.
  recovery.answered(1, ms(1600), ms(1009));
  recovery.answered(0, ms(1800), ms(1700));
  recovery.answered(1, ms(1900), ms(1650));
  recovery.answered(1, ms(1950), ms(1910)); // a later answer: the first one stands
  const report = recovery.report([true, true, true])!;
  assert.equal(report.clientsBack, 2);
  assert.deepEqual(report.recoveryMs, { p50: 300, p95: 400, max: 400 });
  assert.ok(report.recoveryMs.p50 >= 0);
});

test('a restart carries every counter across, whatever its name; open sockets are the new process alone', async () => {
  const { acrossRestart } = await import('../../bench/restart.ts');
  type Stats = Parameters<typeof acrossRestart>[0];
  const stats = (counters: Record<string, number>, cpu: number): Stats =>
    ({
      atNs: '1',
      process: { cpuUserUs: cpu, cpuSystemUs: cpu, eluActiveMs: cpu, eluIdleMs: cpu },
      counters,
    }) as unknown as Stats;
  const merged = acrossRestart(
    stats({ tcpAccepted: 5, openSockets: 5, bytesOut: 100, slowConsumersDropped: 1, hostRefused: 2 }, 10),
    stats({}, 0),
    stats({ tcpAccepted: 7, openSockets: 7, bytesOut: 50, slowConsumersDropped: 0, newerCounter: 3 }, 1),
  );
  assert.deepEqual(merged.counters, {
    tcpAccepted: 12,
    openSockets: 7,
    bytesOut: 150,
    slowConsumersDropped: 1,
    hostRefused: 2,
    newerCounter: 3,
  });
  assert.equal(merged.process.cpuUserUs, 11);
});

test("across a restart the new process's CPU and event-loop time count from its ready: its start-up is left out", async () => {
  const { acrossRestart } = await import('../../bench/restart.ts');
  type Stats = Parameters<typeof acrossRestart>[0];
  const stats = (cpuUs: number, activeMs: number, idleMs: number): Stats =>
    ({
      atNs: '1',
      process: { cpuUserUs: cpuUs, cpuSystemUs: cpuUs / 2, eluActiveMs: activeMs, eluIdleMs: idleMs },
      counters: {},
    }) as unknown as Stats;
  // Old process at the kill; new process at its ready (300 ms of start-up CPU, a busy loading loop);
  // new process at the window's end.
  const merged = acrossRestart(stats(1_000_000, 800, 200), stats(300_000, 290, 10), stats(500_000, 450, 250));
  assert.equal(merged.process.cpuUserUs, 1_200_000);
  assert.equal(merged.process.cpuSystemUs, 600_000);
  assert.equal(merged.process.eluActiveMs, 960);
  assert.equal(merged.process.eluIdleMs, 440);
});

test('a run that fails during its restart ends the restart before its teardown: no server started after it', async () => {
  const { RunRestart } = await import('../../bench/restart.ts');
  const { setTimeout: sleep } = await import('node:timers/promises');
  const plan = new AbortController(); // the plan's signal: not aborted when one run fails
  const runRestart = new RunRestart(plan.signal);
  const started: string[] = [];
  let current = 'old';
  // The restart: down time (cancellable), then a new server that replaces `current`.
  const restart = runRestart.track(
    (async () => {
      await sleep(5_000, undefined, { signal: runRestart.signal });
      started.push('new');
      current = 'new';
    })(),
  );
  restart.catch(() => {});
  // The load generator dies meanwhile: the window's wait fails first.
  await assert.rejects(Promise.all([Promise.reject(new Error('load generator exited')), restart]));
  const t0 = Date.now();
  await runRestart.end();
  assert.ok(Date.now() - t0 < 4_000, 'the down time was cut short');
  await sleep(20);
  assert.deepEqual(started, []);
  assert.equal(current, 'old');
  assert.equal(plan.signal.aborted, false);
});

test('a restart whose new server (and its 2 s storm) runs past the window is a warning; one within it is not', async () => {
  const { restartPastWindow } = await import('../../bench/restart.ts');
  const ms = (n: number) => BigInt(n) * 1_000_000n;
  assert.equal(restartPastWindow(ms(5000), ms(7000)), undefined);
  const late = restartPastWindow(ms(3500), ms(3000))!;
  assert.equal(late.code, 'restart-past-window');
  assert.equal(late.value, 2500);
  assert.equal(late.severity, 'warning');
});

test("the drain waits for a dropped client until its first new event, even when it holds the window's last", () => {
  const client = new FakeClient();
  assert.equal(backFromDrops(client), true);
  client.drop(2000);
  assert.equal(backFromDrops(client), false);
  client.drops[0]!.answeredNs = 3n * 10n ** 9n;
  assert.equal(backFromDrops(client), false);
  client.drops[0]!.firstEventNs = 3n * 10n ** 9n + 1n;
  assert.equal(backFromDrops(client), true);
});
