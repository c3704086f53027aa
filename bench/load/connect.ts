/**
 * The bounded connect phase of a run. Clients start with at most `concurrency` connects in flight
 * (thousands of SYNs at once overflow the listen backlog and cost 1 s SYN retries), and the whole
 * phase ends at a deadline derived from the client count. Clients that are not connected by then
 * are closed and reported; the run goes on to measure with the clients it has. One client that
 * never settles can no longer hold the run (before: a batch's Promise.all waited for it forever).
 */
import type { TransportClient } from '../clients/types.ts';
import { nowNs } from '../../servers/contract/clock.ts';

/** At most this many connects in flight. */
export const CONNECT_CONCURRENCY = 200;
/** The connect deadline: a fixed allowance plus a share per client, capped below the orchestrator's wait. */
export const CONNECT_BASE_MS = 15_000;
export const CONNECT_PER_CLIENT_MS = 8;
export const CONNECT_MAX_MS = 90_000;

/**
 * How long the connect phase of `clients` clients may take (ms). Measured here: 1,000 ws clients took
 * under 1 s on a quiet machine and 10.2 s with other benchmarks sharing the cores (server at 100% ELU).
 */
export function connectDeadlineMs(clients: number): number {
  return Math.min(CONNECT_MAX_MS, CONNECT_BASE_MS + CONNECT_PER_CLIENT_MS * clients);
}

/** Why clients' first connects failed, by cause (a client that fails retries until the deadline; its later failures are client errors). */
export interface ConnectFailures {
  /** Connect or handshake timeouts. */
  timeout: number;
  /** EMFILE/ENFILE: out of file descriptors (the load process's own or the server's, seen as a reset). */
  descriptors: number;
  /** Refused or reset: a full listen backlog or a server that closed the socket. */
  refused: number;
  other: number;
}

export interface ConnectOutcome {
  requested: number;
  connected: number;
  /** The deadline the phase ran under, and how long it took. */
  deadlineMs: number;
  elapsedMs: number;
  /** Clients still unconnected at the deadline (closed; not part of the measurement). */
  unconnected: number;
  failures: ConnectFailures;
  /** The first failure message of each cause, for the diagnosis. */
  examples: string[];
}

export function classifyConnectError(err: Error & { code?: string }): keyof ConnectFailures {
  const text = `${err.code ?? ''} ${err.message}`;
  if (/EMFILE|ENFILE|too many open files/i.test(text)) return 'descriptors';
  if (/timed? ?out|ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT/i.test(text)) return 'timeout';
  if (/ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|other side closed/i.test(text)) return 'refused';
  return 'other';
}

export interface ConnectOptions {
  deadlineMs: number;
  concurrency?: number;
  /** Called with the index of each client as its connect starts (connect-time histograms). */
  onStart?: (index: number) => void;
  progress?: (connected: number, total: number) => void;
}

/**
 * Starts every client, bounded in concurrency and in time. Resolves with the outcome and the indices
 * of the clients that did not connect (already closed). Never rejects for a client's failure.
 */
export async function connectClients(
  clients: readonly TransportClient[],
  options: ConnectOptions,
): Promise<{ outcome: ConnectOutcome; unconnected: number[] }> {
  const t0 = nowNs();
  const failures: ConnectFailures = { timeout: 0, descriptors: 0, refused: 0, other: 0 };
  const examples = new Map<keyof ConnectFailures, string>();
  const concurrency = Math.max(1, options.concurrency ?? CONNECT_CONCURRENCY);
  let next = 0;
  let settled = 0;
  /** start() resolved: connected at the first attempt. */
  let started = 0;
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let lastProgress = 0;

  await new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      resolve();
    };
    timer = setTimeout(finish, options.deadlineMs);
    // A client that failed first and connected on a retry settles nothing: look now and then.
    poll = setInterval(() => {
      if (next === clients.length && clients.every((c) => c.connectedNs !== undefined)) finish();
    }, 250);
    const launch = () => {
      while (!done && next < clients.length && next - settled < concurrency) {
        const index = next++;
        options.onStart?.(index);
        clients[index]!.start().then(
          () => {
            started++;
            onSettled();
          },
          (err: Error & { code?: string }) => {
            const cause = classifyConnectError(err);
            failures[cause]++;
            if (!examples.has(cause)) examples.set(cause, `${cause}: ${err.message}`);
            onSettled();
          },
        );
      }
    };
    const onSettled = () => {
      settled++;
      if (done) return;
      if (options.progress && (settled === clients.length || settled - lastProgress >= concurrency)) {
        lastProgress = settled;
        options.progress(started, clients.length);
      }
      // A client whose first attempt failed keeps retrying (every transport resumes); the phase
      // ends early only when every client is connected (those connected on a retry: see poll).
      if (started === clients.length) finish();
      else launch();
    };
    if (clients.length === 0) finish();
    else launch();
  });

  const unconnected: number[] = [];
  clients.forEach((c, i) => {
    if (c.connectedNs === undefined) unconnected.push(i);
  });
  // Closed, so they neither connect late nor keep retrying during the window.
  await Promise.all(unconnected.map((i) => clients[i]!.close()));
  const outcome: ConnectOutcome = {
    requested: clients.length,
    connected: clients.length - unconnected.length,
    deadlineMs: options.deadlineMs,
    elapsedMs: Number(nowNs() - t0) / 1e6,
    unconnected: unconnected.length,
    failures,
    examples: [...examples.values()],
  };
  return { outcome, unconnected };
}
