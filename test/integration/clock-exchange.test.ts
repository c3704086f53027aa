import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { measureClockOffset, startClockResponder } from '../../bench/agent/clock-exchange.ts';

test('over loopback, in one process (one clock): the offset estimate is within its uncertainty of zero', async () => {
  const responder = await startClockResponder('127.0.0.1');
  try {
    const est = await measureClockOffset(responder.host, responder.port, 20);
    assert.equal(est.exchanges, 20);
    assert.ok(est.roundTripNs > 0n);
    assert.equal(est.uncertaintyNs, (est.roundTripNs + 1n) / 2n);
    const abs = est.offsetNs < 0n ? -est.offsetNs : est.offsetNs;
    assert.ok(abs <= est.uncertaintyNs, `offset ${est.offsetNs} ns, uncertainty ± ${est.uncertaintyNs} ns`);
  } finally {
    await responder.close();
  }
});

test('a responder that is not there, or hangs up: an error naming it, in bounded time', async () => {
  const closed = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as net.AddressInfo;
  try {
    await assert.rejects(measureClockOffset('127.0.0.1', port, 5), /closed the connection|ECONNRESET/);
  } finally {
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  }
  await assert.rejects(measureClockOffset('127.0.0.1', port, 5), /ECONNREFUSED/);
  const silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const silentPort = (silent.address() as net.AddressInfo).port;
    await assert.rejects(measureClockOffset('127.0.0.1', silentPort, 5, 200), /timed out after 200 ms/);
  } finally {
    silent.close();
  }
});
