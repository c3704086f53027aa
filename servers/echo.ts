/**
 * Calibration echo servers: raw TCP and raw WebSocket, no feed, no framework. Their round trip on
 * loopback is the physical floor every delivery latency is read against.
 */
import net from 'node:net';
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { ServerCounters } from './counters.ts';

export interface EchoServer {
  server: net.Server;
  counters: ServerCounters;
  close(): Promise<void>;
}

export function createTcpEcho(): EchoServer {
  const counters = new ServerCounters();
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    counters.tcpAccepted++;
    sockets.add(socket);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    server,
    counters,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function createWsEcho(): EchoServer {
  const counters = new ServerCounters();
  const server = http.createServer({ noDelay: true });
  counters.track(server);
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    counters.wsHandshakes++;
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => ws.terminate());
  });
  return {
    server,
    counters,
    close: () =>
      new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}
