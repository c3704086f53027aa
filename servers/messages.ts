/**
 * Upstream messages (servers/contract/upstream-message.ts) on the server: every message is stamped
 * with nowNs() once read whole and answered with its echo to the sender alone. Over HTTP it is
 * `POST MESSAGES_PATH` on any feed transport's host (express and node:http alike: the handler reads
 * the raw body itself), over WebSocket a text frame on the feed connection (servers/transports/ws.ts).
 * Nothing here touches the feed: the echo is the round trip of the seed's `ws.send("Hello")`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { MESSAGES_PATH } from './contract/protocol.ts';
import { MAX_MESSAGE_BYTES, encodeEcho, parseMessage } from './contract/upstream-message.ts';
import { nowNs } from './contract/clock.ts';
import { sendError, sendJson, type TransportHost } from './http-host.ts';
import type { ServerCounters } from './counters.ts';

const TOO_LARGE = `a message is at most ${MAX_MESSAGE_BYTES} bytes`;

/**
 * 413, then an HTTP/1.1 connection closes: the rest of an oversized body is never read (reading it
 * would be the buffering the bound exists to prevent), so the connection cannot carry another request.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, counters: ServerCounters): void {
  counters.messagesRefused++;
  // HTTP/2 has no Connection header (RFC 9113 8.2.2; node:http2 refuses it): there the stream ends alone.
  if (req.httpVersionMajor === 1) res.setHeader('connection', 'close');
  sendError(res, 413, 'payload_too_large', TOO_LARGE);
  req.pause();
}

/** Registers `POST MESSAGES_PATH` on an HTTP host: the answer to a message is its echo. */
export function acceptMessagePosts(host: TransportHost): void {
  const counters = host.counters;
  host.post(MESSAGES_PATH, (req, res) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_MESSAGE_BYTES) return refuseTooLarge(req, res, counters);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      // A chunked body declares no length: count it as it comes.
      if (size > MAX_MESSAGE_BYTES) {
        refused = true;
        return refuseTooLarge(req, res, counters);
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (refused) return;
      // The message has been read whole: its client-to-server latency ends here.
      const receivedNs = nowNs();
      const parsed = parseMessage(Buffer.concat(chunks).toString('utf8'));
      if (!parsed.ok) {
        counters.messagesRefused++;
        return sendError(res, 400, 'bad_request', parsed.message);
      }
      counters.messagesReceived++;
      sendJson(res, 200, encodeEcho(parsed.value, receivedNs));
      counters.echoesSent++;
    });
    // An aborted upload: nothing to answer, the socket is gone.
    req.once('error', () => undefined);
  });
}

/**
 * RFC 6455 7.4.1 close codes for a frame that is not a message: 1003 for a binary frame (this
 * endpoint takes text), 1008 for text that is not a message. ws itself closes with 1007 for text that
 * is not UTF-8 and with 1009 for a message over maxPayload (set to MAX_MESSAGE_BYTES in ws.ts).
 */
const UNSUPPORTED_DATA = 1003;
const POLICY_VIOLATION = 1008;

/** Answers one WebSocket message from a client with its echo on the same connection. */
export function answerWsMessage(ws: WebSocket, data: Buffer, isBinary: boolean, counters: ServerCounters): void {
  const receivedNs = nowNs();
  if (isBinary) {
    counters.messagesRefused++;
    return ws.close(UNSUPPORTED_DATA, 'messages are text frames');
  }
  const parsed = parseMessage(data.toString('utf8'));
  if (!parsed.ok) {
    counters.messagesRefused++;
    // A close reason is at most 123 bytes (RFC 6455 5.5: control frame payload of 125, less the code).
    return ws.close(POLICY_VIOLATION, parsed.message.slice(0, 123));
  }
  counters.messagesReceived++;
  ws.send(encodeEcho(parsed.value, receivedNs), { binary: false });
  counters.echoesSent++;
}

/** ws's own refusals of a message (over maxPayload: 1009; text not UTF-8: 1007), counted like ours. */
export function countWsRefusal(err: Error, counters: ServerCounters): void {
  const code = (err as { code?: string }).code;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || code === 'WS_ERR_INVALID_UTF8') counters.messagesRefused++;
}
