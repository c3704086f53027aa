/**
 * Upstream messages from one client (servers/contract/upstream-message.ts): a message every
 * `intervalMs` on a fixed hrtime schedule (as short polling's ticks: no drift, never "sleep after the
 * echo", which would stretch the interval by the round trip), at most one in flight. The channel
 * says how a message travels: a WebSocket frame (ws-messages.ts), a POST on a connection of its own
 * (http-messages.ts), and, for HTTP/2, a stream on the client's connection (a channel still to write,
 * see MessageChannel).
 */
import {
  MAX_MESSAGE_BYTES,
  decodeEcho,
  encodeMessage,
  messageBody,
  MIN_MESSAGE_BYTES,
} from '../../servers/contract/upstream-message.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import type { SocketLedger } from './socket-ledger.ts';
import type { ClientCounters, UpstreamOptions } from './types.ts';

/**
 * How a message travels. An HTTP/2 channel would send each message as a POST stream on the client's
 * one connection; its sockets are the client's own, so it would have no `ledger` and would count
 * its streams' bytes itself (see the report of issue 11 on what can be attributed exactly).
 */
export interface MessageChannel {
  /** Writes one message; resolves with the echo's text and nowNs() once it was read whole. */
  send(text: string): Promise<{ text: string; receivedNs: bigint }>;
  /** Socket bytes of the messages and of their echoes so far (ClientCounters.messageSocketBytes*). */
  bytes(): { up: number; down: number };
  /** Sockets of the channel's own, outside the client's ledger: the client adds them to its totals. */
  readonly ledger?: SocketLedger;
  close(): Promise<void>;
}

type MessageCounters = Pick<
  ClientCounters,
  | 'messagesSent'
  | 'echoesReceived'
  | 'messageSocketBytesUp'
  | 'messageSocketBytesDown'
  | 'messageChannelBytesUp'
  | 'messageChannelBytesDown'
  | 'skippedSends'
>;

export class UpstreamSender {
  private readonly intervalNs: bigint;
  private firstTickNs = 0n;
  private tick = 0n;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private closed = false;
  private nextId = 1;
  private readonly tally = { messagesSent: 0, echoesReceived: 0, skippedSends: 0 };
  /**
   * The channel's bytes when the latest echo came back. With at most one message in flight, nothing
   * else is on the way then: these are exactly the bytes of the messages echoed so far, so a window's
   * difference divided by its echoes is exact (read live, a message in flight at a window's edge would
   * put its bytes in one window and its echo in the next).
   */
  private bytesAtEcho = { up: 0, down: 0 };

  constructor(
    private readonly options: UpstreamOptions,
    readonly channel: MessageChannel,
    /** A message that failed (no echo, a wrong echo): counted by the client as an error. */
    private readonly onError: (err: Error) => void,
  ) {
    const { intervalMs, messageBytes } = options;
    if (!(intervalMs > 0)) throw new Error(`upstream intervalMs must be positive, got ${intervalMs}`);
    if (!Number.isInteger(messageBytes) || messageBytes < MIN_MESSAGE_BYTES || messageBytes > MAX_MESSAGE_BYTES)
      throw new Error(
        `upstream messageBytes must be an integer from ${MIN_MESSAGE_BYTES} to ${MAX_MESSAGE_BYTES}, got ${messageBytes}`,
      );
    this.intervalNs = BigInt(Math.round(intervalMs * 1e6));
  }

  /** Starts the schedule (idempotent): the first message at the first tick not in the past. */
  start(): void {
    if (this.firstTickNs !== 0n || this.closed) return;
    const now = nowNs();
    let first =
      (this.options.originNs ?? now) + BigInt(Math.round(Number(this.intervalNs) * (this.options.phase ?? 0)));
    if (first < now) first += ((now - first + this.intervalNs - 1n) / this.intervalNs) * this.intervalNs;
    this.firstTickNs = first;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const now = nowNs();
    // Ticks that passed while the event loop was stalled are missed sends: skipped, not bunched.
    while (this.firstTickNs + this.tick * this.intervalNs + 1_000_000n < now) {
      this.tick++;
      this.tally.skippedSends++;
    }
    const delayMs = Math.max(0, Number(this.firstTickNs + this.tick * this.intervalNs - now) / 1e6);
    this.timer = setTimeout(() => {
      // This callback is the tick even when the timer fired a little early (1 ms granularity).
      this.tick++;
      if (this.inFlight) this.tally.skippedSends++;
      else void this.sendOne();
      this.schedule();
    }, delayMs);
  }

  private async sendOne(): Promise<void> {
    this.inFlight = true;
    const id = this.nextId++;
    const body = messageBody(id, this.options.messageBytes);
    const sentNs = nowNs();
    try {
      const sending = this.channel.send(encodeMessage(id, sentNs, this.options.messageBytes, body));
      this.tally.messagesSent++;
      const answer = await sending;
      // An echo that outran close() is not counted: the client's counters were final at close.
      if (this.closed) return;
      const echo = decodeEcho(answer.text);
      if (echo.id !== id || echo.sentNs !== sentNs)
        throw new Error(`echo of message ${echo.id} while ${id} was in flight`);
      this.tally.echoesReceived++;
      this.bytesAtEcho = this.channel.bytes();
      this.options.onEcho({ sentNs, serverReceivedNs: echo.serverReceivedNs, echoReceivedNs: answer.receivedNs });
    } catch (err) {
      if (!this.closed) this.onError(err as Error);
    } finally {
      this.inFlight = false;
    }
  }

  counters(): MessageCounters {
    const live = this.channel.bytes();
    return {
      ...this.tally,
      messageSocketBytesUp: this.bytesAtEcho.up,
      messageSocketBytesDown: this.bytesAtEcho.down,
      messageChannelBytesUp: live.up,
      messageChannelBytesDown: live.down,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.channel.close();
  }
}
