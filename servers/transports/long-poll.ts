/**
 * Long polling: `GET /events?since=<seq>&wait=<ms>` answers at once when newer events are held (at
 * most a catch-up page of them, servers/catch-up.ts),
 * otherwise parks the request until the next publish or until `wait` ms pass (then `[]`).
 * A client that disconnects while parked is removed at once (no timer or listener outlives it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENTS_PATH, parseSince, parseWait } from '../contract/protocol.ts';
import { queryOf, sendError } from '../http-host.ts';
import { pollBody, type PollBody } from '../event-body.ts';
import { sendPollAnswer } from '../http-compression.ts';
import type { Attach } from './types.ts';
import { markCapped, pollPage } from '../catch-up.ts';

interface Waiter {
  since: number;
  req: IncomingMessage;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

export const attachLongPoll: Attach = (host, feed, options) => {
  const waiters = new Set<Waiter>();
  let flushQueued = false;

  const maxEvents = options.limits.catchUpMaxEvents;
  /** A page's body, and whether newer events were left out (then the answer says so). */
  const bodyFor = (since: number): [PollBody, boolean] => {
    const page = pollPage(feed, since, maxEvents);
    return [pollBody(page.entries, options.encoding), page.more];
  };
  const send = (req: IncomingMessage, res: ServerResponse, [body, more]: [PollBody, boolean]) => {
    if (more) markCapped(res, host.counters);
    sendPollAnswer(req, res, body, options.compression);
  };
  const answer = (waiter: Waiter, page = bodyFor(waiter.since)) => {
    clearTimeout(waiter.timer);
    waiters.delete(waiter);
    send(waiter.req, waiter.res, page);
  };

  // Answer parked requests in a microtask after the events that arrived together (the publisher
  // writes a burst in one go), so a burst of N events reaches each waiter as one response rather
  // than 1 event + N-1 re-polls.
  const flush = () => {
    flushQueued = false;
    const latest = feed.latestSeq;
    // Waiters that hold the same seq get the same body: build (and compress) it once per flush, not per waiter.
    const bodies = new Map<number, [PollBody, boolean]>();
    // Deleting the current element while iterating a Set is safe in JS.
    for (const waiter of waiters) {
      if (latest <= waiter.since) continue;
      let body = bodies.get(waiter.since);
      if (body === undefined) bodies.set(waiter.since, (body = bodyFor(waiter.since)));
      answer(waiter, body);
    }
  };
  const unsubscribe = feed.subscribe(() => {
    if (!flushQueued && waiters.size > 0) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  });

  host.get(EVENTS_PATH, (req, res) => {
    const query = queryOf(req);
    const since = parseSince(query.get('since'));
    if (!since.ok) return sendError(res, 400, 'bad_request', since.message);
    const wait = parseWait(query.get('wait'));
    if (!wait.ok) return sendError(res, 400, 'bad_request', wait.message);
    if (feed.latestSeq > since.value || wait.value === 0) {
      return send(req, res, bodyFor(since.value));
    }
    const waiter: Waiter = {
      since: since.value,
      req,
      res,
      timer: setTimeout(() => answer(waiter), wait.value),
    };
    waiters.add(waiter);
    res.once('close', () => {
      clearTimeout(waiter.timer);
      waiters.delete(waiter);
    });
  });

  return {
    gauges: () => ({ parkedRequests: waiters.size }),
    close() {
      unsubscribe();
      for (const waiter of waiters) clearTimeout(waiter.timer);
      waiters.clear();
    },
  };
};
