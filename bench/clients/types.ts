/**
 * One interface for every transport's client, so the load generator never knows which it drives.
 * A client delivers batches of decoded events with the hrtime at which they became usable, and
 * keeps socket-level counters; delivery checking and histograms live in the load generator.
 */
import type { FeedEvent, TransportName } from '../../servers/contract/protocol.ts';
import type {
  Compression,
  EventEncoding,
  HttpVersion,
  RequestHeaderProfile,
} from '../../servers/contract/wire-options.ts';

export type { TransportName };

export interface ClientCounters {
  /** Bytes written to / read from this client's sockets (all of them, closed ones included). */
  bytesUp: number;
  bytesDown: number;
  tcpConnects: number;
  /** HTTP requests sent (counted when sent: a long poll parked at the server is one). */
  httpRequests: number;
  /**
   * HTTP answers received in full (counted when the answer is complete, with or without events). The
   * per-event figures use this, not httpRequests: answers and the events they carry are counted at
   * the same moment, so a window holds both or neither (a request in flight at a window edge would
   * otherwise be counted in one window and its events in the next).
   */
  httpResponses: number;
  /** Poll answers that carried no event. */
  emptyResponses: number;
  wsHandshakes: number;
  /** Connections re-opened after a drop (not the first one). */
  reconnects: number;
  /**
   * Bytes of the events themselves as they arrived: the event JSON in a WebSocket message's data, in
   * an SSE data field, or in a poll body (the body less its array brackets and commas, which count as
   * the transport's overhead like headers and framing). Equal to the encoded size of the events.
   * In the binary encoding, the records (less a poll body's length prefixes; in SSE their base64
   * text, 4/3 of the record). With compression, the events as decompressed: the socket counts what
   * travelled.
   */
  messageBytesDown: number;
  /**
   * Events this client received for the first time (seq above everything it had), counted when they
   * arrive: the denominator of every per-event figure, counted at the same moments as the bytes and
   * answers that carried them.
   */
  eventsReceived: number;
  /** Errors seen (requests that failed, streams that broke). */
  errors: number;
  /** Short polling: schedule ticks skipped because the previous poll had not come back yet. */
  skippedPolls: number;
  /** TLS handshakes completed (one per TLS connection; 0 without TLS). */
  tlsHandshakes: number;
  /** Of those, the ones that resumed an earlier session (tlsSocket.isSessionReused()). */
  tlsResumedHandshakes: number;
  /**
   * Socket bytes (TCP payload) of the handshakes, summed over connections: up = ClientHello to the
   * client's Finished, down = the server's flight up to its Finished. The TLS 1.3 session tickets the
   * server sends once it has the client's Finished are in bytesDown, not here (they come after).
   */
  tlsHandshakeBytesUp: number;
  tlsHandshakeBytesDown: number;
  /** Sum over handshakes of the time from TCP connect to secureConnect, in µs. */
  tlsHandshakeUs: number;
}

export interface ClientOptions {
  host: string;
  port: number;
  /** The last seq this client already has: it asks only for newer events. */
  since: number;
  /** Called with every batch of events as it arrives, stamped once with nowNs() (servers/contract/clock.ts). */
  onEvents: (events: FeedEvent[], receivedNs: bigint) => void;
  /** Short polling: the fixed poll schedule. */
  pollIntervalMs?: number;
  /** Short polling: where in the interval this client's polls fall (0..1), so polls spread out. */
  pollPhase?: number;
  /**
   * Short polling: the one hrtime origin every client's schedule counts from, so that the phases
   * spread polls evenly over the interval however long the clients took to connect. Without it a
   * client counts from its own start, and connect batches bunch the phases (measured: a 1000 ms
   * poll's median latency at 1 event/s to 500 clients read 468 ms instead of ~500 ms).
   */
  pollOriginNs?: bigint;
  /** Long polling: how long the server may hold a request. */
  longPollWaitMs?: number;
  perMessageDeflate?: boolean;
  /** Delay before re-opening a dropped connection. */
  reconnectDelayMs?: number;
  /** WebSocket: how long an opening handshake may take before it fails (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * TLS: https / wss, trusting exactly this PEM certificate (the run's self-signed one) and nothing
   * else; bytes stay counted at the TCP socket, so they include the TLS records.
   */
  tls?: { ca: string };
  /** HTTP/1.1 (default) or HTTP/2 (h2 with tls, h2c without); the polling and SSE clients only. */
  http?: HttpVersion;
  /** The request header profile and the cookie size it adds (browser and 2010 profiles); default minimal. */
  requestHeaders?: { profile: RequestHeaderProfile; cookieBytes: number };
  /** The event encoding the server speaks (default json). */
  encoding?: EventEncoding;
  /** Compression to negotiate (default off). */
  compression?: Compression;
}

export interface TransportClient {
  readonly transport: TransportName;
  /** Opens the connection (or sends the first poll); resolves once connected, rejects if it cannot. */
  start(): Promise<void>;
  /** hrtime (ns) when the first connection became usable, or undefined before. */
  readonly connectedNs: bigint | undefined;
  /**
   * Socket bytes up to the moment the first connection became usable: the WebSocket handshake, the
   * SSE request and response headers, nothing for polling (usable at TCP connect); plus the TLS
   * handshake with TLS (polling is then usable once it ends).
   */
  readonly connectBytes: { up: number; down: number } | undefined;
  /** Highest seq received so far (what a resume asks from). */
  readonly lastSeq: number;
  counters(): ClientCounters;
  /** Stops for good and releases every socket and timer. */
  close(): Promise<void>;
}

export type ClientFactory = (options: ClientOptions) => TransportClient;
