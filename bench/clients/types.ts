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
  /**
   * Polling: answers that were a capped catch-up page (the server held more events than it may send
   * at once, servers/contract/catch-up.ts); each one was followed by the next page at once.
   */
  catchUpPages: number;
  /**
   * Times the server dropped this client as a slow consumer (servers/slow-consumer.ts): a WebSocket
   * close with 1013, an SSE stream the server ended. A measured client dropped so fell behind.
   */
  droppedAsSlow: number;
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
  /**
   * Upstream messages (ClientOptions.upstream): messages written (a WebSocket frame sent, a POST
   * dispatched), and echoes received whole and matching the message in flight.
   */
  messagesSent: number;
  echoesReceived: number;
  /**
   * Socket bytes (TCP payload, TLS records included) of the messages echoed so far, read when the
   * latest echo came back: with at most one message in flight nothing else is on the way then, so
   * over any window these divided by echoesReceived are exactly the bytes per message and per echo.
   * A message that got no echo (refused, or its connection dropped) is counted with the next echo.
   * Up, WebSocket: everything the client wrote after its opening handshake (it writes nothing but
   * message frames; a close frame after the server refused a message too). Up, HTTP: everything
   * written on the client's second connection, which carries only the POSTs, less its TLS handshake.
   */
  messageSocketBytesUp: number;
  /**
   * Down, HTTP: everything read on the messages' connection less its TLS handshake (the TLS 1.3
   * session tickets that follow the handshake are in it, once per connection). Down, WebSocket: the
   * echo frames by RFC 6455 arithmetic on each echo as received (2, 4 or 10 header bytes + payload;
   * a server frame is not masked), since the connection carries the feed's frames too; not counted
   * (0) when permessage-deflate was negotiated (ws shows the inflated message, not the frame) nor
   * with TLS (the socket cannot tell an echo's records from an event's).
   */
  messageSocketBytesDown: number;
  /**
   * The same channel's socket bytes read live (a message or echo in flight included), the way bytesUp
   * and bytesDown are read: what comes off them for the feed's figures. The at-echo reading above
   * would leave a message in flight at one window edge on the other side of its bytes (a WebSocket
   * client's feed bytes up, exactly 0, came out -1 frame in such a window).
   */
  messageChannelBytesUp: number;
  messageChannelBytesDown: number;
  /** Send ticks skipped because the previous message's echo had not come back yet (or missed by a stalled loop). */
  skippedSends: number;
}

export interface ClientOptions {
  host: string;
  port: number;
  /** The source address its sockets bind to (one of 127.0.0.0/8 past one address's ports); absent: the system picks. */
  localAddress?: string;
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
  /** Upstream messages: absent, the client sends nothing but what its transport needs. */
  upstream?: UpstreamOptions;
  /**
   * Called each time the server answers, stamped with nowNs(): a WebSocket opened, an SSE stream's
   * headers arrived, a poll's answer was read whole (BaseClient.answered). `sentNs`: when the request
   * answered was sent or its connection attempt began, so that an answer a server wrote before it was
   * killed, but read after, can be told from the next server's (bench/load/restart-recovery.ts).
   */
  onAnswered?: (answeredNs: bigint, sentNs: bigint) => void;
}

/**
 * One forced drop (TransportClient.drop) and what followed, on the hrtime clock (nowNs()). Bytes are
 * this client's socket totals (the feed's connections, up and down, TCP payload) read at that moment,
 * with `events` the events' own bytes among them (messageBytesDown).
 */
export interface DropRecord {
  /** The connection was reset. */
  droppedNs: bigint;
  /** The offline time ended: no connection attempt before this. */
  onlineNs: bigint;
  /** The first connection attempt (or poll) after going online, and the socket totals then. */
  reconnectStartNs?: bigint;
  bytesAtReconnect?: { up: number; down: number; events: number };
  /** The server's first answer after the drop (BaseClient.answered). */
  answeredNs?: bigint;
  /** The first new event after the drop arrived (and the totals once the read carrying it was handled). */
  firstEventNs?: bigint;
  bytesAtFirstEvent?: { up: number; down: number; events: number };
}

/** One echoed message's three stamps, nowNs() on the shared CLOCK_MONOTONIC (servers/contract/clock.ts). */
export interface EchoSample {
  /** The client wrote the message (just before ws.send or the POST). */
  sentNs: bigint;
  /** The server had read the whole message (its stamp, carried back in the echo). */
  serverReceivedNs: bigint;
  /** The client had read the whole echo. */
  echoReceivedNs: bigint;
}

/**
 * A chat-like client (servers/contract/upstream-message.ts): a message of `messageBytes` every
 * `intervalMs` on a fixed schedule (origin + phase x interval + k x interval, as short polling's
 * ticks), at most one in flight: a tick that finds the last echo outstanding is skipped and counted.
 * WebSocket sends a text frame on its connection; the HTTP transports POST on a second kept-alive
 * connection of their own (a browser whose first connection holds a long poll or a stream opens another).
 */
export interface UpstreamOptions {
  intervalMs: number;
  /** The whole message's size in bytes, 64..MAX_MESSAGE_BYTES (the body is padded to it). */
  messageBytes: number;
  /** Where in the interval this client's messages fall (0..1), so clients spread out; default 0. */
  phase?: number;
  /** The hrtime origin every client's schedule counts from (see pollOriginNs); default the client's start. */
  originNs?: bigint;
  onEcho(sample: EchoSample): void;
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
  /**
   * Forced drop: resets the feed's connection (TCP RST), aborting whatever is in flight on it, and
   * stays offline `offlineMs` (no connection attempt, no poll) before it reconnects and resumes from
   * lastSeq. Returns false (and does nothing) when closed, not yet connected, offline, or not back
   * from its previous drop (a new event received since): a client never drops twice at once, and
   * every drop but a client's last has its first event.
   */
  drop(offlineMs: number): boolean;
  /** Every forced drop so far, oldest first. */
  readonly drops: readonly DropRecord[];
  /** Stops for good and releases every socket and timer. */
  close(): Promise<void>;
}

export type ClientFactory = (options: ClientOptions) => TransportClient;
