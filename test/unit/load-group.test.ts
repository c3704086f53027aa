import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadGroup, type LoadMember } from '../../bench/load-group.ts';
import type { FromLoad, ToLoad } from '../../bench/load/ipc.ts';
import { midGapFrom } from '../../bench/load/run-job.ts';
import { firstEventOnly, makeSchedule } from '../../servers/contract/schedule.ts';

/** A load process that records what it is sent and says what the test makes it say. */
class FakeMember implements LoadMember {
  readonly sent: ToLoad[] = [];
  private readonly inbox: FromLoad[] = [];
  private readonly listeners = new Set<(m: FromLoad) => void>();
  readonly pid = undefined;
  stopped = false;
  constructor(readonly name: string) {}
  send(message: ToLoad): void {
    this.sent.push(message);
  }
  say(m: FromLoad): void {
    this.inbox.push(m);
    for (const l of this.listeners) l(m);
  }
  onMessage(listener: (m: FromLoad) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  waitFor<T extends FromLoad['type']>(type: T, timeoutMs: number): Promise<Extract<FromLoad, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no ${type}`)), timeoutMs);
      const look = () => {
        const i = this.inbox.findIndex((m) => m.type === type);
        if (i === -1) return false;
        clearTimeout(timer);
        resolve(this.inbox.splice(i, 1)[0] as Extract<FromLoad, { type: T }>);
        return true;
      };
      if (look()) return;
      const off = this.onMessage(() => void (look() && off()));
    });
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

test('a window opens at one instant for every member, a little ahead', async () => {
  const members = [new FakeMember('a'), new FakeMember('b'), new FakeMember('c')];
  const group = new LoadGroup(members);
  group.send({ type: 'go', checkpoint: 'window' });
  const ats = members.map((m) => (m.sent[0] as Extract<ToLoad, { type: 'go' }>).atNs);
  assert.ok(ats[0] !== undefined);
  assert.deepEqual(new Set(ats).size, 1);
  // One member alone opens it when told, as the single load process always did.
  const solo = new FakeMember('solo');
  new LoadGroup([solo]).send({ type: 'go', checkpoint: 'window' });
  assert.deepEqual(solo.sent, [{ type: 'go', checkpoint: 'window' }]);
});

test('a checkpoint is reached when every member reached it; ready is said once, by the last', async () => {
  const members = [new FakeMember('a'), new FakeMember('b')];
  const group = new LoadGroup(members);
  let readies = 0;
  group.onMessage((m) => void (m.type === 'ready' && readies++));
  const checkpoint = group.waitFor('checkpoint', 1000);
  members[0]!.say({ type: 'ready' });
  members[0]!.say({ type: 'checkpoint', name: 'idle' });
  assert.equal(await settled(checkpoint), false);
  assert.equal(readies, 0);
  members[1]!.say({ type: 'ready' });
  members[1]!.say({ type: 'checkpoint', name: 'idle' });
  assert.equal((await checkpoint).name, 'idle');
  assert.equal(readies, 1);
});

test('a restart is asked for once every member asked, and its answer goes to all', async () => {
  const members = [new FakeMember('a'), new FakeMember('b')];
  const group = new LoadGroup(members);
  const asked = group.waitFor('restart-server', 1000);
  members[1]!.say({ type: 'restart-server' });
  assert.equal(await settled(asked), false);
  members[0]!.say({ type: 'restart-server' });
  await asked;
  group.send({ type: 'server-restarted', killedNs: '1', listeningNs: '2' });
  for (const m of members) assert.deepEqual(m.sent, [{ type: 'server-restarted', killedNs: '1', listeningNs: '2' }]);
});

test('connect progress is summed over members', () => {
  const members = [new FakeMember('a'), new FakeMember('b')];
  const seen: FromLoad[] = [];
  new LoadGroup(members).onMessage((m) => seen.push(m));
  members[0]!.say({ type: 'progress', phase: 'connect', done: 10, total: 20 });
  members[1]!.say({ type: 'progress', phase: 'connect', done: 5, total: 20 });
  assert.deepEqual(seen.at(-1), { type: 'progress', phase: 'connect', done: 15, total: 40 });
});

test('stop stops every member', async () => {
  const members = [new FakeMember('a'), new FakeMember('b')];
  await new LoadGroup(members).stop();
  assert.ok(members.every((m) => m.stopped));
});

test("each member runs its slice of the job's clients", () => {
  const members = [new FakeMember('a'), new FakeMember('b'), new FakeMember('c')];
  const run = { type: 'run', params: { clients: 10 } } as unknown as ToLoad;
  new LoadGroup(members).send(run);
  assert.deepEqual(
    members.map((m) => (m.sent[0] as Extract<ToLoad, { type: 'run' }>).slice),
    [
      { first: 0, count: 4 },
      { first: 4, count: 3 },
      { first: 7, count: 3 },
    ],
  );
});

test('several processes open their window halfway between two events, the same instant from the same go', () => {
  const s = 1_000_000_000n;
  const steady = makeSchedule({ kind: 'steady', ratePerSec: 1 });
  const feed = 5n * s;
  // Events at feed + 0, 1 s, 2 s, ...
  assert.equal(midGapFrom(steady, feed, feed + 300_000_000n), feed + 500_000_000n);
  assert.equal(midGapFrom(steady, feed, feed + 500_000_000n), feed + 500_000_000n);
  assert.equal(midGapFrom(steady, feed, feed + 700_000_000n), feed + 1_500_000_000n);
  assert.equal(midGapFrom(steady, feed, feed + 1_000_000_000n), feed + 1_500_000_000n);
  // Bursts of 3 every second: the gap is between bursts.
  const bursty = makeSchedule({ kind: 'burst', size: 3, everyMs: 1000 });
  assert.equal(midGapFrom(bursty, feed, feed + 200_000_000n), feed + 500_000_000n);
  assert.equal(midGapFrom(bursty, feed, feed + 600_000_000n), feed + 1_500_000_000n);
  // The idle workload's window holds no event: opened at the instant given.
  assert.equal(midGapFrom(firstEventOnly(steady), feed, feed + 2n * s), feed + 2n * s);
});
