/**
 * The emulated path's arithmetic (bench/network/path-model.ts), worked by hand: a fake clock (the
 * arrival times passed in) and seeded or scripted random draws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DirectionPath,
  MSS,
  directionParams,
  meanOneWayMs,
  rtoMs,
  seededRandom,
  type DirectionParams,
} from '../../bench/network/path-model.ts';

const params = (over: Partial<DirectionParams>): DirectionParams => ({
  oneWayMs: 0,
  jitterMs: 0,
  kbps: null,
  lossPct: 0,
  rtoMs: 200,
  ...over,
});

/** Random draws from a script, so every jitter and loss decision is chosen by the test. */
const scripted = (draws: number[]) => () => {
  const next = draws.shift();
  assert.ok(next !== undefined, 'the model drew more random numbers than the test scripted');
  return next;
};

test('a direction gets half the round trip; the RTO is rtt + max(200 ms, 4 x jitter)', () => {
  const profile = { rttMs: 150, jitterMs: 10, downKbps: 1600, upKbps: 750, lossPct: 1 };
  assert.deepEqual(directionParams(profile, 'down'), {
    oneWayMs: 75,
    jitterMs: 10,
    kbps: 1600,
    lossPct: 1,
    rtoMs: 350,
  });
  assert.equal(directionParams(profile, 'up').kbps, 750);
  assert.equal(rtoMs({ ...profile, jitterMs: 100 }), 550);
});

test('no rate and no jitter: a chunk leaves exactly one delay after it arrived, in one piece', () => {
  const path = new DirectionPath(params({ oneWayMs: 20 }), scripted([]));
  assert.deepEqual(path.schedule(1000, 5000), [
    { bytes: 5000, departAt: 1020, readyAt: 1000, lost: 0, lossDelayed: false },
  ]);
  assert.deepEqual(path.schedule(1003, 10), [
    { bytes: 10, departAt: 1023, readyAt: 1003, lost: 0, lossDelayed: false },
  ]);
});

test('jitter never reorders: a chunk drawn faster than the one before waits for it', () => {
  // oneWay 20 ms, jitter 10 ms: draw 0.9 -> 20 + 4 = 24 ms, draw 0.1 -> 20 - 4 = 16 ms.
  const path = new DirectionPath(params({ oneWayMs: 20, jitterMs: 10 }), scripted([0.9, 0.1, 0.1]));
  assert.equal(path.schedule(0, 100)[0]!.departAt, 24);
  // Arrives 2 ms later, drawn 16 ms: would leave at 18, before the first; it leaves with it at 24.
  assert.equal(path.schedule(2, 100)[0]!.departAt, 24);
  // 10 ms later nothing is ahead of it: 10 + 16.
  assert.equal(path.schedule(10, 100)[0]!.departAt, 26);
});

test('jitter is clamped at zero delay, and the configured mean accounts for the clamp', () => {
  const path = new DirectionPath(params({ oneWayMs: 1, jitterMs: 10 }), scripted([0]));
  assert.equal(path.schedule(5, 1)[0]!.departAt, 5); // 1 - 5 -> 0
  assert.equal(meanOneWayMs({ oneWayMs: 20, jitterMs: 10 }), 20);
  // U(-4, 6) clamped at 0: E = 6^2 / (4 * 5) = 1.8.
  assert.equal(meanOneWayMs({ oneWayMs: 1, jitterMs: 10 }), 1.8);
});

test('a rate serializes segment by segment on a link that stays busy between chunks', () => {
  // 1000 kbit/s = 1 bit per µs: a full segment (1448 B) takes 11.584 ms, 552 B take 4.416 ms.
  const path = new DirectionPath(params({ oneWayMs: 10, kbps: 1000 }), scripted([]));
  const pieces = path.schedule(0, 2000);
  assert.deepEqual(
    pieces.map((p) => p.bytes),
    [MSS, 2000 - MSS],
  );
  assert.ok(Math.abs(pieces[0]!.readyAt - 11.584) < 1e-9);
  assert.ok(Math.abs(pieces[0]!.departAt - 21.584) < 1e-9);
  assert.ok(Math.abs(pieces[1]!.readyAt - 16) < 1e-9);
  assert.ok(Math.abs(pieces[1]!.departAt - 26) < 1e-9);
  // Arrives at 5 ms while the link is busy until 16 ms: 100 B take 0.8 ms after that.
  const next = path.schedule(5, 100);
  assert.ok(Math.abs(next[0]!.readyAt - 16.8) < 1e-9);
  assert.ok(Math.abs(next[0]!.departAt - 26.8) < 1e-9);
  // After the link went idle it starts at the arrival.
  assert.ok(Math.abs(path.schedule(100, 125)[0]!.readyAt - 101) < 1e-9);
});

test('over many chunks the link delivers exactly its rate', () => {
  const path = new DirectionPath(params({ oneWayMs: 20, kbps: 2000 }), scripted([]));
  let last = 0;
  let bytes = 0;
  for (let i = 0; i < 1000; i++) {
    const pieces = path.schedule(i * 0.1, 4096); // offered far faster than 2 Mbit/s
    bytes += 4096;
    last = pieces[pieces.length - 1]!.departAt;
  }
  // 4,096,000 B * 8 / 2000 kbit/s = 16384 ms of serialization, then the 20 ms delay.
  assert.ok(Math.abs(last - (16384 + 20)) < 1e-6, `last byte at ${last}`);
  assert.equal(bytes, 4_096_000);
});

test('a lost segment arrives one RTO late and holds everything behind it on the connection', () => {
  // 1% loss: draws below 0.01 lose. Chunk of 3 segments, the second lost once (next draw 0.5: its
  // retransmission arrives).
  const path = new DirectionPath(params({ oneWayMs: 50, lossPct: 1, rtoMs: 300 }), scripted([0.5, 0.005, 0.5, 0.5]));
  const pieces = path.schedule(0, 3 * MSS);
  assert.deepEqual(pieces, [
    { bytes: MSS, departAt: 50, readyAt: 0, lost: 0, lossDelayed: false },
    // The lost segment and the one behind it (not lost itself) leave together, 300 ms late.
    { bytes: 2 * MSS, departAt: 350, readyAt: 0, lost: 1, lossDelayed: true },
  ]);
  // A chunk 10 ms later is not lost but waits behind the retransmission (head-of-line blocking).
  const behind = new DirectionPath(params({ oneWayMs: 50, lossPct: 1, rtoMs: 300 }), scripted([0.005, 0.5, 0.5, 0.5]));
  assert.equal(behind.schedule(0, 10)[0]!.departAt, 350);
  assert.deepEqual(behind.schedule(10, 10), [{ bytes: 10, departAt: 350, readyAt: 10, lost: 0, lossDelayed: true }]);
  // Once the retransmission is out, later chunks keep their own delay again.
  assert.deepEqual(behind.schedule(400, 10), [{ bytes: 10, departAt: 450, readyAt: 400, lost: 0, lossDelayed: false }]);
});

test('a segment lost twice backs off: RTO, then twice the RTO more', () => {
  const path = new DirectionPath(params({ oneWayMs: 50, lossPct: 10, rtoMs: 300 }), scripted([0.01, 0.05, 0.5]));
  assert.equal(path.schedule(0, 100)[0]!.departAt, 50 + 300 + 600);
});

test('the seeded loss rate is the configured one, and nothing is lost from the byte count', () => {
  const path = new DirectionPath(params({ oneWayMs: 10, lossPct: 2 }), seededRandom(42));
  let lost = 0;
  let bytes = 0;
  let previous = -Infinity;
  for (let i = 0; i < 20_000; i++) {
    for (const p of path.schedule(i, MSS)) {
      lost += p.lost;
      bytes += p.bytes;
      assert.ok(p.departAt >= previous, 'departures never go backwards');
      previous = p.departAt;
    }
  }
  assert.equal(bytes, 20_000 * MSS);
  // 400 expected; the binomial's standard deviation is 19.8, and the seed fixes the draw.
  assert.ok(lost > 340 && lost < 460, `${lost} segments lost`);
  const again = new DirectionPath(params({ oneWayMs: 10, lossPct: 2 }), seededRandom(42));
  let lostAgain = 0;
  for (let i = 0; i < 20_000; i++) for (const p of again.schedule(i, MSS)) lostAgain += p.lost;
  assert.equal(lostAgain, lost, 'the same seed loses the same segments');
});

test('the handshake: a new connection cannot send before one round trip after it was accepted', () => {
  const path = new DirectionPath(params({ oneWayMs: 30 }), scripted([]), 1000 + 60);
  assert.equal(path.schedule(1000, 50)[0]!.departAt, 1000 + 60 + 30);
  assert.equal(path.schedule(2000, 50)[0]!.departAt, 2030);
});

test('a half-close leaves after every byte before it', () => {
  const path = new DirectionPath(params({ oneWayMs: 10, kbps: 8 }), scripted([]));
  const data = path.schedule(0, 10); // 80 bits at 8 bits/ms: done at 10, leaves at 20
  assert.equal(data[0]!.departAt, 20);
  assert.equal(path.scheduleEnd(1), 20); // the link is busy until 10: 10 + 10
  assert.equal(path.scheduleEnd(50), 60);
});
