/**
 * The upstream feed wire (servers/contract/feed-wire.ts) end to end: the publisher's listener replays from a
 * resume point, the server resumes after its upstream drops (no event missed, none twice), and the
 * server's side copes with duplicates, gaps and bad lines. Real sockets on 127.0.0.1 port 0; every
 * wait is bounded and everything opened is closed by the test that opened it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openFeed, makeEntries } from '../../bench/publisher/feed.ts';
import { UpstreamServer } from '../../bench/publisher/upstream-server.ts';
import type { FromPublisher, ToPublisher } from '../../servers/contract/publisher-ipc.ts';
import { startServer } from '../../servers/start.ts';
import { LineReader, encodeResume } from '../../servers/contract/feed-wire.ts';
import { decodeEvent, encodeEvent } from '../../servers/contract/protocol.ts';
import { HOST, TEST_PAYLOAD, feedConfig, openWs, waitUntil, withTimeout } from '../helpers/harness.ts';
import { nowNs } from '../../servers/contract/clock.ts';

/** A raw TCP client of the wire: collects the lines it receives. */
async function lineClient(port: number) {
  const socket = net.connect({ host: HOST, port });
  socket.setEncoding('utf8');
  const reader = new LineReader();
  const lines: string[] = [];
  let closed = false;
  socket.on('data', (chunk: string) => lines.push(...reader.push(chunk)));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await withTimeout(new Promise((resolve) => socket.once('connect', resolve)), 5000, 'connecting to the publisher');
  return {
    socket,
    lines,
    seqs: () => lines.map((l) => decodeEvent(l).seq),
    isClosed: () => closed,
    close: () =>
      withTimeout(
        new Promise<void>((resolve) =>
          closed ? resolve() : (socket.once('close', () => resolve()), socket.destroy()),
        ),
        5000,
        'closing client',
      ),
  };
}

const due = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, emittedAtNs: BigInt(1000 * (from + i)) }));

describe('publisher listener (bench/publisher/upstream-server.ts)', () => {
  test('replays every held event after the resume point, then streams new ones', async () => {
    const upstream = new UpstreamServer(100);
    const port = await upstream.listen(HOST);
    try {
      upstream.publish(makeEntries(due(1, 10), TEST_PAYLOAD));
      const a = await lineClient(port);
      a.socket.write(encodeResume(6));
      await waitUntil(() => a.lines.length >= 4, 2000, 'replay after 6');
      assert.deepEqual(a.seqs(), [7, 8, 9, 10]);
      assert.equal(
        a.lines[0],
        encodeEvent({ seq: 7, emittedAtNs: 7000n, payload: TEST_PAYLOAD }),
        'each line is the encodeEvent() JSON',
      );

      const b = await lineClient(port);
      b.socket.write(encodeResume(0));
      await waitUntil(() => b.lines.length >= 10 && upstream.subscriberCount === 2, 2000, 'full replay');

      upstream.publish(makeEntries(due(11, 12), TEST_PAYLOAD));
      await waitUntil(() => a.lines.length >= 6 && b.lines.length >= 12, 2000, 'live events');
      assert.deepEqual(a.seqs(), [7, 8, 9, 10, 11, 12]);
      assert.deepEqual(b.seqs(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      await a.close();
      await b.close();
    } finally {
      await upstream.close();
    }
  });

  test('a resume point older than the ring gets what is held; anything but a resume line is refused', async () => {
    const upstream = new UpstreamServer(3);
    const port = await upstream.listen(HOST);
    try {
      upstream.publish(makeEntries(due(1, 8), TEST_PAYLOAD));
      const a = await lineClient(port);
      a.socket.write(encodeResume(2));
      await waitUntil(() => a.lines.length >= 3, 2000, 'replay');
      assert.deepEqual(a.seqs(), [6, 7, 8], 'seqs 3-5 are gone: the server sees a gap');
      await a.close();

      const bad = await lineClient(port);
      bad.socket.write('hello\n');
      await waitUntil(() => bad.isClosed(), 2000, 'bad peer dropped');
      assert.deepEqual(bad.lines, []);
    } finally {
      await upstream.close();
    }
  });
});

describe('server reading an upstream (servers/upstream.ts)', () => {
  test('resumes after its upstream drops: a subscriber gets every event once, in order', async () => {
    const feed = await openFeed(
      { shape: { kind: 'steady', ratePerSec: 200 }, payloadBytes: 32, ringCapacity: 10_000 },
      HOST,
    );
    const server = await startServer(feedConfig('ws', 'node', { host: HOST, port: feed.port }));
    const client = await openWs(server.port, '/ws?since=0');
    try {
      await waitUntil(() => server.feed!.latestSeq >= 20, 5000, 'events flowing');
      feed.upstream.disconnectAll();
      await waitUntil(() => server.stats().feed?.upstream?.connects === 2, 5000, 'reconnected');
      const target = feed.runner.lastSeq + 20;
      await waitUntil(
        () => client.messages.length >= target,
        5000,
        () => `client has ${client.messages.length} of ${target}`,
      );
      const seqs = client.messages.map((m) => decodeEvent(m).seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: seqs.length }, (_, i) => i + 1),
        'no event missed, none twice',
      );
      const stats = server.stats().feed!;
      assert.equal(stats.duplicateEvents, 0, 'the resume point was exact: nothing replayed twice');
      assert.equal(stats.gapEvents, 0);
      assert.equal(stats.upstream?.protocolErrors, 0);
    } finally {
      await client.close();
      await server.close();
      await feed.close();
    }
  });

  test('a flood of upstream events is handed over in slices: the server loop keeps turning, and every event arrives in order', async () => {
    const upstream = new UpstreamServer(10_000);
    const port = await upstream.listen(HOST);
    const server = await startServer(feedConfig('ws', 'node', { host: HOST, port }));
    // A subscriber that costs 1 ms per event: 300 events at once are 300 ms of sending, as a
    // saturated server's fan-out is.
    const seqs: number[] = [];
    const unsubscribe = server.feed!.subscribe((entry) => {
      const until = performance.now() + 1;
      while (performance.now() < until);
      seqs.push(entry.event.seq);
    });
    try {
      await waitUntil(
        () => server.stats().feed?.upstream?.connected === true && upstream.subscriberCount === 1,
        5000,
        'server connected',
      );
      upstream.publish(makeEntries(due(1, 300), TEST_PAYLOAD));
      // A timer due at once must run long before the flood is handed over.
      await waitUntil(() => seqs.length > 0, 5000, 'first events handed over');
      const atTimer = await new Promise<number>((resolve) => setTimeout(() => resolve(seqs.length), 0));
      assert.ok(atTimer < 300, `a timer ran after ${atTimer} of 300 events, not only after all of them`);
      await waitUntil(
        () => seqs.length === 300,
        10_000,
        () => `${seqs.length} of 300 handed over`,
      );
      assert.deepEqual(
        seqs,
        Array.from({ length: 300 }, (_, i) => i + 1),
        'in order, none lost or twice',
      );
    } finally {
      unsubscribe();
      await server.close();
      await upstream.close();
    }
  });

  test('sends its newest seq on every (re)connect; skips duplicates, counts gaps, drops a bad line and resumes', async () => {
    // A hand-driven publisher: every connection's resume line is recorded, events are written by hand.
    const resumes: string[] = [];
    const sockets: net.Socket[] = [];
    const fake = net.createServer((socket) => {
      socket.setEncoding('utf8');
      const reader = new LineReader();
      socket.on('data', (chunk: string) => resumes.push(...reader.push(chunk)));
      socket.on('error', () => undefined);
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => fake.listen(0, HOST, resolve));
    const port = (fake.address() as net.AddressInfo).port;
    const line = (seq: number) => `${encodeEvent({ seq, emittedAtNs: nowNs(), payload: TEST_PAYLOAD })}\n`;
    const server = await startServer(feedConfig('short-poll', 'node', { host: HOST, port }));
    try {
      await waitUntil(() => resumes.length === 1, 2000, 'first resume line');
      assert.equal(resumes[0], 'resume 0');
      sockets[0]!.write(line(1) + line(2));
      sockets[0]!.write(line(3));
      await waitUntil(() => server.feed!.latestSeq === 3, 2000, 'three events');
      assert.equal(server.stats().feed?.upstream?.arrivalLag.events, 3);
      sockets[0]!.destroy();

      await waitUntil(() => resumes.length === 2, 5000, 'resume after the drop');
      assert.equal(resumes[1], 'resume 3');
      sockets[1]!.write(line(3) + line(4) + line(7));
      await waitUntil(() => server.feed!.latestSeq === 7, 2000, 'up to 7');
      let stats = server.stats({ resetWindow: true }).feed!;
      assert.equal(stats.duplicateEvents, 1, 'seq 3 again: ignored');
      assert.equal(stats.gapEvents, 2, 'seqs 5 and 6 never came');
      assert.deepEqual(
        server.feed!.ring.since(0).map((e) => e.event.seq),
        [7],
        'nothing is served across a gap',
      );
      assert.equal(
        server.stats().feed?.upstream?.arrivalLag.events,
        0,
        'a window reset starts a new arrival-lag record',
      );

      sockets[1]!.write('{"seq":"not a number"}\n');
      await waitUntil(() => resumes.length === 3, 5000, 'resume after a bad line');
      assert.equal(resumes[2], 'resume 7');
      stats = server.stats().feed!;
      assert.equal(stats.upstream?.protocolErrors, 1);
      assert.equal(stats.upstream?.connects, 3);
      assert.match(stats.upstream?.lastError ?? '', /bad feed line/);
    } finally {
      await server.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => fake.close(() => resolve()));
    }
  });
});

describe('bench/publisher/main.ts process', () => {
  const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
  // The child boots tsx, which takes a moment on a busy machine: generous bounds.
  const BOOT_MS = 20_000;

  function spawnPublisher(args: string[]) {
    const child = fork('bench/publisher/main.ts', args, {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const messages: FromPublisher[] = [];
    child.on('message', (m) => messages.push(m as FromPublisher));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const next = async <T extends FromPublisher['type']>(type: T): Promise<Extract<FromPublisher, { type: T }>> => {
      await waitUntil(() => messages.some((m) => m.type === type), BOOT_MS, `'${type}' from the publisher (${stderr})`);
      return messages.splice(
        messages.findIndex((m) => m.type === type),
        1,
      )[0] as Extract<FromPublisher, { type: T }>;
    };
    return { child, exited, next, stderr: () => stderr };
  }

  test('over IPC: a feed per request, the previous one stopped; lateness read and reset; exits 0 on SIGTERM', async () => {
    const proc = spawnPublisher([]);
    try {
      await proc.next('ready');
      const spec = { shape: { kind: 'steady', ratePerSec: 100 }, payloadBytes: 32, ringCapacity: 1000 } as const;
      proc.child.send({ type: 'feed', id: 1, spec } satisfies ToPublisher);
      const first = await proc.next('feed-ready');
      assert.equal(first.id, 1, 'the answer names its request');
      assert.match(first.startNs, /^\d+$/);
      assert.ok(BigInt(first.startNs) <= nowNs(), 'the schedule started on the shared clock');
      const a = await lineClient(first.port);
      a.socket.write(encodeResume(0));
      await waitUntil(() => a.lines.length >= 20, 5000, 'events from the first feed');
      const events = a.lines.map(decodeEvent);
      assert.deepEqual(
        events.map((e) => e.seq),
        Array.from({ length: events.length }, (_, i) => i + 1),
      );
      assert.equal(events[0]!.emittedAtNs, BigInt(first.startNs), 'seq 1 is stamped with the schedule start');
      assert.equal(events[0]!.payload.length, 32);

      proc.child.send({ type: 'lateness', id: 7, reset: true } satisfies ToPublisher);
      const lateness = await proc.next('lateness');
      assert.equal(lateness.id, 7);
      assert.ok(lateness.lateness.events >= 20, JSON.stringify(lateness));
      proc.child.send({ type: 'lateness', id: 8, reset: false } satisfies ToPublisher);
      const after = await proc.next('lateness');
      // Without the reset the second reading would hold the first one's 20+ events and more.
      assert.ok(
        after.lateness.events < lateness.lateness.events,
        `counting restarted at the reset (${after.lateness.events} after ${lateness.lateness.events})`,
      );

      proc.child.send({ type: 'feed', id: 2, spec } satisfies ToPublisher);
      const second = await proc.next('feed-ready');
      assert.equal(second.id, 2);
      assert.notEqual(second.port, first.port);
      assert.ok(BigInt(second.startNs) > BigInt(first.startNs));
      await waitUntil(() => a.isClosed(), 5000, 'the previous feed dropped its servers');
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: HOST, port: first.port });
        s.once('connect', () => (s.destroy(), resolve(false)));
        s.once('error', () => resolve(true));
      });
      assert.ok(refused, 'and closed its listener');
      const b = await lineClient(second.port);
      b.socket.write(encodeResume(0));
      await waitUntil(() => b.lines.length >= 1, 5000, 'events from the second feed');
      assert.equal(decodeEvent(b.lines[0]!).seq, 1, 'a fresh feed starts at seq 1');
      await b.close();

      proc.child.kill('SIGTERM');
      assert.equal(await withTimeout(proc.exited, 10_000, 'publisher exit'), 0);
      assert.equal(proc.stderr(), '');
    } finally {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exited;
    }
  });

  test('by hand with a bad spec: one clear line on stderr, exit code 2', async () => {
    const proc = spawnPublisher([
      JSON.stringify({ shape: { kind: 'steady', ratePerSec: -1 }, payloadBytes: 32, ringCapacity: 10 }),
    ]);
    const code = await withTimeout(proc.exited, BOOT_MS, 'publisher exit');
    assert.equal(code, 2, proc.stderr());
    const lines = proc.stderr().trimEnd().split('\n');
    assert.equal(lines.length, 1, proc.stderr());
    assert.match(lines[0]!, /^pollbench publisher: invalid feed spec: shape/);
  });
});
