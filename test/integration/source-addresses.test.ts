/**
 * Clients bind to the source address they are given (ClientOptions.localAddress): a listener on
 * 127.0.0.1 sees every transport's connection come from 127.0.0.x, the address the load process
 * assigned (bench/source-addresses.ts). Linux routes all of 127.0.0.0/8 to lo, so nothing is set up.
 */
import { test } from 'node:test';
import net from 'node:net';
import { clientFactories } from '../../bench/clients/index.ts';
import { openTcp } from '../../bench/clients/tls-connect.ts';
import { SocketLedger } from '../../bench/clients/socket-ledger.ts';
import { TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';
import { HOST, waitUntil, withTimeout } from '../helpers/harness.ts';

/** A listener that records where each connection comes from and hangs up. */
async function recorder(): Promise<{ port: number; from: string[]; close(): Promise<void> }> {
  const from: string[] = [];
  const server = net.createServer((socket) => {
    from.push(socket.remoteAddress ?? '');
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    from,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('every transport connects from its localAddress', async () => {
  const listener = await recorder();
  try {
    for (const [i, transport] of TRANSPORT_NAMES.entries()) {
      const address = `127.0.0.${10 + i}`;
      const client = clientFactories[transport]({
        host: HOST,
        port: listener.port,
        localAddress: address,
        since: 0,
        pollIntervalMs: 1000,
        longPollWaitMs: 1000,
        reconnectDelayMs: 60_000,
        onEvents: () => {},
      });
      // The listener hangs up: the client's start fails or keeps retrying, either is fine here.
      void client.start().catch(() => {});
      await waitUntil(() => listener.from.includes(address), 5000, `${transport} from ${address}`);
      await withTimeout(client.close(), 5000, `${transport} close`);
    }
  } finally {
    await listener.close();
  }
});

test('the raw TCP connect under TLS binds too', async () => {
  const listener = await recorder();
  try {
    const socket = await openTcp(HOST, listener.port, 5000, new SocketLedger(), '127.0.0.42');
    socket.destroy();
    await waitUntil(() => listener.from.includes('127.0.0.42'), 5000, 'a connection from 127.0.0.42');
  } finally {
    await listener.close();
  }
});
