import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { connectClients } from '../../bench/load/connect.ts';
import type { ClientCounters, TransportClient } from '../../bench/clients/types.ts';
import { zeroCounters } from '../../bench/clients/counters.ts';
import { nowNs } from '../../servers/contract/clock.ts';

/** A client whose connect is scripted: resolve, reject (then maybe connect on a retry), or never settle. */
class FakeClient implements TransportClient {
  readonly transport = 'ws' as const;
  connectedNs: bigint | undefined;
  connectBytes = undefined;
  lastSeq = 0;
  closed = false;
  readonly drops = [];
  drop(): boolean {
    return false;
  }
  static inFlight = 0;
  static maxInFlight = 0;
  constructor(
    private readonly script: 'connect' | 'never' | { failWith: string; code: string; retryConnectsAfterMs?: number },
  ) {}
  start(): Promise<void> {
    FakeClient.inFlight++;
    FakeClient.maxInFlight = Math.max(FakeClient.maxInFlight, FakeClient.inFlight);
    const script = this.script;
    if (script === 'never') return new Promise(() => {});
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        FakeClient.inFlight--;
        if (script === 'connect') {
          this.connectedNs = nowNs();
          resolve();
          return;
        }
        reject(Object.assign(new Error(script.failWith), { code: script.code }));
        if (script.retryConnectsAfterMs !== undefined)
          setTimeout(() => !this.closed && (this.connectedNs = nowNs()), script.retryConnectsAfterMs);
      }),
    );
  }
  counters(): ClientCounters {
    return zeroCounters();
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('connectClients', () => {
  test('never more than `concurrency` connects in flight; ends once everyone is connected', async () => {
    FakeClient.inFlight = 0;
    FakeClient.maxInFlight = 0;
    const clients = Array.from({ length: 25 }, () => new FakeClient('connect'));
    const started: number[] = [];
    const { outcome, unconnected } = await connectClients(clients, {
      deadlineMs: 60_000,
      concurrency: 4,
      onStart: (i) => started.push(i),
    });
    assert.equal(FakeClient.maxInFlight, 4);
    assert.deepEqual(
      started,
      Array.from({ length: 25 }, (_, i) => i),
    );
    assert.deepEqual(unconnected, []);
    assert.equal(outcome.connected, 25);
    assert.ok(outcome.elapsedMs < outcome.deadlineMs, 'did not wait for the deadline');
  });

  test('a client that never settles holds nobody: at the deadline it is closed and reported', async () => {
    const clients = [
      new FakeClient('connect'),
      new FakeClient('never'),
      new FakeClient('connect'),
      new FakeClient({ failWith: 'connect EMFILE', code: 'EMFILE' }),
    ];
    const { outcome, unconnected } = await connectClients(clients, { deadlineMs: 300, concurrency: 2 });
    assert.deepEqual(unconnected, [1, 3]);
    assert.deepEqual([clients[1]!.closed, clients[3]!.closed, clients[0]!.closed], [true, true, false]);
    assert.equal(outcome.connected, 2);
    assert.equal(outcome.unconnected, 2);
    assert.deepEqual(outcome.failures, { timeout: 0, descriptors: 1, refused: 0, other: 0 });
    assert.deepEqual(outcome.examples, ['descriptors: connect EMFILE']);
    // It waited for the deadline (a Node timer may fire up to ~1 ms early against hrtime).
    assert.ok(outcome.elapsedMs >= 298, `ended after ${outcome.elapsedMs} ms`);
  });

  test('a client that fails first and connects on a retry counts as connected; its failure is still counted', async () => {
    const clients = [
      new FakeClient('connect'),
      new FakeClient({ failWith: 'connect ECONNREFUSED', code: 'ECONNREFUSED', retryConnectsAfterMs: 50 }),
    ];
    const { outcome, unconnected } = await connectClients(clients, { deadlineMs: 30_000 });
    assert.deepEqual(unconnected, []);
    assert.equal(outcome.connected, 2);
    assert.equal(outcome.failures.refused, 1);
    assert.ok(outcome.elapsedMs < outcome.deadlineMs, 'found by the poll, before the deadline');
  });
});
