/**
 * Forced drops and resumes (issue 12) for every transport's client against a real server on port 0
 * with an in-process feed: drop() resets the connection, nothing is attempted before the offline time
 * ends, and the client resumes without loss or duplicate; a feed that replays events below a client's
 * resume point (a restarted server reading its publisher's ring) never sends them to it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientFactories } from '../../bench/clients/index.ts';
import { countedClient } from '../../bench/clients/http-dispatcher.ts';
import { poll } from '../../bench/clients/poll-request.ts';
import { SocketLedger } from '../../bench/clients/socket-ledger.ts';
import type { FeedEvent } from '../../servers/contract/protocol.ts';
import { EVENTS_PATH, TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';
import { startServer } from '../../servers/start.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import { HOST, TEST_PAYLOAD, feedConfig, waitUntil, withTimeout } from '../helpers/harness.ts';

const WAIT_MS = 10_000;
const OFFLINE_MS = 400;

async function withClient(
  transport: (typeof TRANSPORT_NAMES)[number],
  since: number,
  fn: (h: {
    client: ReturnType<(typeof clientFactories)[typeof transport]>;
    seqs: number[];
    publish(n: number): void;
    accepted(): number;
  }) => Promise<void>,
): Promise<void> {
  const server = await startServer(feedConfig(transport, 'express'));
  const seqs: number[] = [];
  const client = clientFactories[transport]({
    host: HOST,
    port: server.port,
    since,
    onEvents: (events: FeedEvent[]) => seqs.push(...events.map((e) => e.seq)),
    pollIntervalMs: 20,
    longPollWaitMs: 1000,
    reconnectDelayMs: 50,
  });
  try {
    await withTimeout(client.start(), 5000, `${transport} client.start()`);
    await fn({
      client,
      seqs,
      publish: (n) => {
        for (let i = 0; i < n; i++) server.feed!.publish(nowNs(), TEST_PAYLOAD);
      },
      accepted: () => server.stats().counters.tcpAccepted,
    });
  } finally {
    await withTimeout(client.close(), 5000, `${transport} client.close()`);
    await withTimeout(server.close(), 5000, 'server.close()');
  }
}

describe('forced drops', () => {
  for (const transport of TRANSPORT_NAMES) {
    test(`${transport}: drop() resets, stays offline, then resumes with every event once and in order`, async () => {
      await withClient(transport, 0, async ({ client, seqs, publish, accepted }) => {
        publish(3);
        await waitUntil(() => client.lastSeq === 3, WAIT_MS, `${transport}: first events`);
        const before = accepted();
        assert.equal(client.drop(OFFLINE_MS), true);
        // Never twice at once.
        assert.equal(client.drop(OFFLINE_MS), false);
        publish(3);
        // Half the offline time: no new connection reached the server.
        await sleep(OFFLINE_MS / 2);
        assert.equal(accepted(), before, `${transport}: connected while offline`);
        await waitUntil(() => client.lastSeq === 6, WAIT_MS, `${transport}: resumed (lastSeq ${client.lastSeq})`);
        assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6]);
        const [drop] = client.drops;
        assert.ok(drop && drop.reconnectStartNs !== undefined && drop.reconnectStartNs >= drop.onlineNs);
        assert.ok(drop.answeredNs !== undefined && drop.answeredNs >= drop.reconnectStartNs);
        assert.ok(drop.firstEventNs !== undefined && drop.firstEventNs >= drop.reconnectStartNs);
        assert.ok(accepted() > before, `${transport}: a new connection after the drop`);
        // A drop is the workload: what it cut is no client error.
        assert.equal(client.counters().errors, 0);
        // Back, answered and with a new event: it may drop again.
        assert.equal(client.drop(OFFLINE_MS), true);
      });
    });

    test(`${transport}: a client back and answered but without a new event yet is not dropped again`, async () => {
      await withClient(transport, 0, async ({ client, publish }) => {
        publish(1);
        await waitUntil(() => client.lastSeq === 1, WAIT_MS, `${transport}: first event`);
        assert.equal(client.drop(OFFLINE_MS), true);
        // Nothing published meanwhile: the server answers the reconnect, and no event follows.
        await waitUntil(() => client.drops[0]!.answeredNs !== undefined, WAIT_MS, `${transport}: answered`);
        // Dropped now, this drop would never get its first event (a client marks its latest drop's):
        // counted unrecovered although the client recovers after the next one.
        assert.equal(client.drop(OFFLINE_MS), false);
        publish(1);
        await waitUntil(() => client.lastSeq === 2, WAIT_MS, `${transport}: the next event`);
        assert.ok(client.drops[0]!.firstEventNs !== undefined);
        assert.equal(client.drop(OFFLINE_MS), true);
      });
    });

    test(`${transport}: events replayed below the resume point are not sent again`, async () => {
      // The server's feed starts empty and receives seqs 1..5, as a restarted server reading its
      // publisher's ring does, while the client already resumes from 3.
      await withClient(transport, 3, async ({ client, seqs, publish }) => {
        publish(5);
        await waitUntil(() => client.lastSeq === 5, WAIT_MS, `${transport}: events after 3`);
        await sleep(50);
        assert.deepEqual(seqs, [4, 5]);
      });
    });
  }

  test('a poll undici holds unwritten when drop() resets its socket fails instead of going out on a new connection', async () => {
    const server = await startServer(feedConfig('short-poll', 'express'));
    const ledger = new SocketLedger();
    let offline = false;
    const http = countedClient(`http://${HOST}:${server.port}`, ledger, {
      bodyTimeoutMs: 5000,
      headersTimeoutMs: 5000,
      onConnect: () => {},
      offline: () => offline,
    });
    const path = `${EVENTS_PATH}?since=0`;
    try {
      await poll(http, path);
      // The next request on the now idle keep-alive socket waits in undici's queue for its idle-socket
      // validation (the next check phase): the window a forced drop can fall into.
      const queued = poll(http, path);
      assert.equal(http.stats.pending, 1, 'the second poll is queued, not yet written');
      offline = true;
      ledger.resetAll();
      await assert.rejects(queued, /offline/);
      assert.equal(server.stats().counters.tcpAccepted, 1, 'no connection while offline');
      offline = false;
      await poll(http, path);
      assert.equal(server.stats().counters.tcpAccepted, 2, 'a new connection once online');
    } finally {
      await http.destroy().catch(() => {});
      ledger.destroyAll();
      await withTimeout(server.close(), 5000, 'server.close()');
    }
  });
});
