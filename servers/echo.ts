/**
 * Calibration echo servers: raw TCP and raw WebSocket, no feed, no framework. Their round trip on
 * loopback is the physical floor every delivery latency is read against. With TLS: TLS over TCP and
 * wss, whose byte counters (raw TCP sockets, TLS records included) the TLS handshake calibration
 * checks its own figures against.
 */
import net from 'node:net';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { WebSocketServer } from 'ws';
import { ServerCounters } from './counters.ts';
import type { TlsConfig } from './contract/server-config.ts';

export interface EchoServer {
  server: net.Server;
  counters: ServerCounters;
  close(): Promise<void>;
}

export function createTcpEcho(tlsConfig?: TlsConfig): EchoServer {
  const counters = new ServerCounters();
  const sockets = new Set<net.Socket>();
  const echo = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
  };
  let server: net.Server;
  if (tlsConfig) {
    server = tls.createServer({ noDelay: true, cert: tlsConfig.cert, key: tlsConfig.key }, echo);
    // Counts the raw TCP sockets (and their bytes, TLS records included) as they are accepted.
    counters.track(server);
  } else {
    server = net.createServer({ noDelay: true }, (socket) => {
      counters.tcpAccepted++;
      echo(socket);
    });
  }
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

export function createWsEcho(tlsConfig?: TlsConfig): EchoServer {
  const counters = new ServerCounters();
  const server = tlsConfig
    ? https.createServer({ noDelay: true, cert: tlsConfig.cert, key: tlsConfig.key })
    : http.createServer({ noDelay: true });
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
