/**
 * WebSocket push (ws): one connection per client on WS_PATH, every event sent as one text frame
 * holding the same event JSON as the other transports (or one binary frame holding its binary record). Resume with `?since=<seq>` on the upgrade URL.
 * Bad upgrade URLs are refused with a JSON 4xx before the handshake, like the HTTP transports.
 * The backlog is paged and a client that stops reading is dropped (close 1013) past the server's
 * slowConsumerMaxBytes: servers/slow-consumer.ts.
 */
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_CLOSE_SLOW_CONSUMER, WS_PATH, parseSince, type ErrorBody } from '../contract/protocol.ts';
import { queryOf } from '../http-host.ts';
import { targetOf } from '../request-target.ts';
import { recordOf } from '../event-body.ts';
import { perMessageDeflateFor } from '../contract/ws-deflate.ts';
import type { Attach } from './types.ts';
import type { FeedEntry } from '../feed.ts';
import { MAX_MESSAGE_BYTES } from '../contract/upstream-message.ts';
import { answerWsMessage, countWsRefusal } from '../messages.ts';
import { SlowConsumerPolicy } from '../slow-consumer.ts';
import { keepAlive, wsPing } from '../keep-alive.ts';
import { serverFrame } from '../ws-frame.ts';

/** The close code of a slow consumer's drop (servers/slow-consumer.ts says why 1013, not 1008). */

const REASONS = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request' } as const;

function refuse(socket: Socket, status: keyof typeof REASONS, body: ErrorBody): void {
  // node:http hands an upgrade's socket over with no 'error' listener: a client that resets the
  // connection while the refusal is written raised an uncaught ECONNRESET that ended the server
  // (issue 12 defect 1). A refused socket has nothing left to do but go.
  socket.on('error', () => socket.destroy());
  const json = JSON.stringify(body);
  // nosniff like every refusal (servers/json-answer.ts sendError).
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\ncontent-type: application/json\r\nx-content-type-options: nosniff\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  );
}

export const attachWs: Attach = (host, feed, options) => {
  // perMessageDeflate is set explicitly: ws's server and client defaults differ (ws-deflate.ts).
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: perMessageDeflateFor(options.compression, options.perMessageDeflate),
    clientTracking: true,
    // Clients send only upstream messages (servers/messages.ts); ws closes with 1009 over this. Its
    // default of 100 MiB let three clients pin the server at 402 MiB RSS (issue 12 item 3).
    maxPayload: MAX_MESSAGE_BYTES,
  });
  const counters = host.counters;
  const policy = new SlowConsumerPolicy(options.limits.slowConsumerMaxBytes, counters);
  const pingMs = options.keepAlive?.wsPingMs;
  // One encoding and one frame per event, not per client: every subscriber gets the same entry in a row.
  const binary = options.encoding === 'binary';
  let last: FeedEntry | undefined;
  let bytes: Buffer = Buffer.alloc(0);
  let frame: Buffer = Buffer.alloc(0);
  const encoded = (entry: FeedEntry) => {
    if (entry !== last) {
      last = entry;
      // The binary record is cached by entry too (event-body.ts); one binary frame per event.
      bytes = binary ? recordOf(entry) : Buffer.from(entry.json);
      frame = serverFrame(bytes, binary);
    }
  };
  const send = (ws: WebSocket, socket: Socket | null, entry: FeedEntry, flushed?: () => void) => {
    encoded(entry);
    // A compressing connection deflates each message its own way: ws frames it.
    if (socket === null) return ws.send(bytes, { binary }, flushed);
    // Otherwise ws's Sender writes every frame (pings, echoes, the close) to the socket at once, in
    // call order, so the prebuilt frame goes straight to the same socket in the same order. After
    // the closing handshake began nothing more is sent, as ws.send would refuse it.
    if (ws.readyState !== ws.OPEN) {
      if (flushed) process.nextTick(flushed);
      return;
    }
    socket.write(frame, flushed);
  };

  host.server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    // Host and Origin first (cross-site WebSocket hijacking, DNS rebinding: access-policy.ts).
    const refused = host.admit(req);
    if (refused) return refuse(socket, refused.status, refused.body);
    const target = targetOf(req.url);
    const path = target.form === 'origin' || target.form === 'absolute' ? target.path : (req.url ?? '');
    if (path !== WS_PATH)
      return refuse(socket, 404, { error: 'not_found', message: `no WebSocket endpoint at ${path}` });
    const since = parseSince(queryOf(req).get('since'));
    if (!since.ok) return refuse(socket, 400, { error: 'bad_request', message: since.message });
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      counters.wsHandshakes++;
      const raw = ws.extensions.includes('permessage-deflate') ? null : socket;
      const stop = policy.stream(feed, since.value, {
        write: (entry, flushed) => send(ws, raw, entry, flushed),
        buffered: () => ws.bufferedAmount,
        end: () => ws.close(WS_CLOSE_SLOW_CONSUMER, 'slow consumer: too many bytes unread'),
        destroy: () => ws.terminate(),
        ...(raw && { cork: () => raw.cork(), uncork: () => raw.uncork() }),
      });
      ws.once('close', stop);
      keepAlive(ws, pingMs, counters, () => wsPing(ws));
      ws.on('message', (data: Buffer, isBinary: boolean) => answerWsMessage(ws, data, isBinary, counters));
      // A client that vanishes mid-send must not crash the server; the close handler cleans up. When
      // ws refused a frame it has sent its close frame (1007, 1009): let the closing handshake end
      // (bounded by ws's close timer) so the client learns why, instead of cutting it off.
      ws.on('error', (err) => {
        countWsRefusal(err, counters);
        if (ws.readyState !== ws.CLOSING) ws.terminate();
      });
    });
  });

  return {
    gauges: () => ({ openWebSockets: wss.clients.size, ...policy.gauges() }),
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
};
