/**
 * The upstream schedule (bench/clients/upstream-sender.ts) over a fake channel: never more than one
 * message in flight, every tick either sends or is counted as skipped, echoes are checked against the
 * message in flight, and bad options are refused with one sentence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamSender, type MessageChannel } from '../../bench/clients/upstream-sender.ts';
import { clientFactories } from '../../bench/clients/index.ts';
import { encodeEcho, parseMessage } from '../../servers/contract/upstream-message.ts';
import { nowNs } from '../../servers/contract/clock.ts';

/** Echoes after `delayMs`, counting how many messages were ever in flight at once. */
function slowChannel(delayMs: number, tamper = false) {
  const state = { inFlight: 0, maxInFlight: 0, sent: 0 };
  const channel: MessageChannel = {
    async send(text) {
      state.sent++;
      state.maxInFlight = Math.max(state.maxInFlight, ++state.inFlight);
      await sleep(delayMs);
      state.inFlight--;
      const parsed = parseMessage(text);
      assert.ok(parsed.ok);
      const message = tamper ? { ...parsed.value, id: parsed.value.id + 1 } : parsed.value;
      return { text: encodeEcho(message, nowNs()), receivedNs: nowNs() };
    },
    bytes: () => ({ up: state.sent * 10, down: state.sent * 20 }),
    close: async () => {},
  };
  return { channel, state };
}

test('a slow echo: one message in flight, the ticks it spans are skipped and counted', async () => {
  const { channel, state } = slowChannel(45);
  const echoes: bigint[] = [];
  let errors = 0;
  const sender = new UpstreamSender(
    { intervalMs: 10, messageBytes: 64, onEcho: (s) => echoes.push(s.echoReceivedNs - s.sentNs) },
    channel,
    () => errors++,
  );
  const startNs = nowNs();
  sender.start();
  await sleep(300);
  await sender.close();
  const elapsedTicks = Number(nowNs() - startNs) / 10e6;
  const c = sender.counters();
  assert.equal(state.maxInFlight, 1);
  assert.equal(errors, 0);
  assert.equal(c.messagesSent, state.sent);
  assert.ok(c.echoesReceived >= 4 && c.echoesReceived === echoes.length, `${c.echoesReceived} echoes`);
  assert.ok(c.skippedSends >= 3 * c.echoesReceived, `${c.skippedSends} skipped for ${c.echoesReceived} echoes`);
  // Every tick so far either sent or was skipped (the last one may still be pending).
  assert.ok(
    Math.abs(c.messagesSent + c.skippedSends - elapsedTicks) <= 2,
    `${c.messagesSent + c.skippedSends} vs ${elapsedTicks}`,
  );
  // Bytes are read when an echo came back: those of the messages echoed, not of one still in flight.
  assert.deepEqual([c.messageSocketBytesUp, c.messageSocketBytesDown], [c.echoesReceived * 10, c.echoesReceived * 20]);
});

test('an echo of another message is an error, not a sample', async () => {
  const { channel } = slowChannel(1, true);
  let errors = 0;
  const sender = new UpstreamSender(
    { intervalMs: 10, messageBytes: 64, onEcho: () => assert.fail('no sample') },
    channel,
    () => errors++,
  );
  sender.start();
  await sleep(60);
  await sender.close();
  assert.ok(errors >= 2 && sender.counters().echoesReceived === 0, `${errors} errors`);
});

test('bad options are refused with one sentence', () => {
  const { channel } = slowChannel(1);
  const onEcho = () => {};
  assert.throws(
    () => new UpstreamSender({ intervalMs: 10, messageBytes: 57, onEcho }, channel, onEcho),
    /from 58 to 4096, got 57/,
  );
  assert.throws(() => new UpstreamSender({ intervalMs: 10, messageBytes: 4097, onEcho }, channel, onEcho), /got 4097/);
  assert.throws(() => new UpstreamSender({ intervalMs: 0, messageBytes: 64, onEcho }, channel, onEcho), /positive/);
  // Over HTTP/2 a message is a stream on the client's connection: not built, so refused, not measured elsewhere.
  assert.throws(
    () =>
      clientFactories['short-poll']({
        host: '127.0.0.1',
        port: 1,
        since: 0,
        onEvents: () => {},
        http: '2',
        upstream: { intervalMs: 10, messageBytes: 64, onEcho },
      }),
    /HTTP\/2 are not supported yet/,
  );
  assert.throws(
    () =>
      clientFactories['long-poll']({
        host: '127.0.0.1',
        port: 1,
        since: 0,
        onEvents: () => {},
        requestHeaders: { profile: 'browser', cookieBytes: 0 },
        upstream: { intervalMs: 10, messageBytes: 64, onEcho },
      }),
    /under the browser header profile are not supported yet/,
  );
});
