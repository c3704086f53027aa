/**
 * The broker connections of agents and the orchestrator's agent pool (ioredis): one for commands, and
 * one per blocking reader (a blocking pop holds its connection). No reconnecting: a broker that goes
 * away ends the agent or fails the run, in bounded time, instead of commands queueing behind it.
 */
import { Redis } from 'ioredis';

/** The broker cannot be reached at start: the CLI prints the message alone and exits 2. */
export class BrokerUnreachableError extends Error {}

const CONNECT_TIMEOUT_MS = 5000;

export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Reported by the command that failed; without a listener ioredis prints every error itself.
  let cause: Error | undefined;
  redis.on('error', (err: Error) => (cause ??= err));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    // connect() only says "Connection is closed"; the socket's own error says why.
    throw new BrokerUnreachableError(`cannot reach the broker at ${url}: ${(cause ?? (err as Error)).message}`);
  }
  return redis;
}

/**
 * Pops JSON messages from `key` on its own connection until closed, calling `onMessage` for each in
 * order, and `onIdle` after every second without one (a bounded wait, so liveness can be checked).
 */
export class ListReader<T> {
  private closed = false;
  readonly done: Promise<void>;

  constructor(
    private readonly redis: Redis,
    key: string,
    onMessage: (message: T) => void,
    onIdle: () => Promise<void> | void = () => {},
    onError: (err: Error) => void = () => {},
  ) {
    this.done = (async () => {
      while (!this.closed) {
        let popped: [string, string] | null;
        try {
          popped = await redis.blpop(key, 1);
        } catch (err) {
          if (!this.closed) onError(err as Error);
          return;
        }
        if (this.closed) return;
        if (popped) onMessage(JSON.parse(popped[1]) as T);
        else await onIdle();
      }
    })();
  }

  /** Stops at once (the pop in progress is cut with its connection). */
  async close(): Promise<void> {
    this.closed = true;
    this.redis.disconnect();
    await this.done;
  }
}
