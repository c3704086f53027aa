/**
 * The publisher process: the live feed, outside the server process as in a real system, so its clock
 * keeping is never billed to the server. One per plan, pinned to the load generator's core.
 *
 * Driven by the orchestrator over IPC (see ./ipc.ts): `{type:'feed', spec}` starts a fresh feed and
 * answers `{type:'feed-ready', port, startNs}`. By hand, give the spec as an argument:
 *   npx tsx bench/publisher/main.ts '{"shape":{"kind":"steady","ratePerSec":20},"payloadBytes":256,"ringCapacity":10000}'
 * prints the feed-ready line and publishes until Ctrl-C; point a server's `feed.upstream` at the port.
 * Exits on SIGTERM, `disconnect` (the orchestrator went away) or Ctrl-C.
 */
import { openFeed, type PublishedFeed } from './feed.ts';
import {
  feedSpecSchema,
  type FeedSpec,
  type FromPublisher,
  type ToPublisher,
} from '../../servers/contract/publisher-ipc.ts';
import { formatZodIssues } from '../../servers/contract/zod-issues.ts';

function fail(message: string, code: number): never {
  process.stderr.write(`pollbench publisher: ${message}\n`);
  process.exit(code);
}

/** With a spec argument it runs by hand (prints its messages); without one it is driven over IPC. */
const byHand = process.argv[2] !== undefined || !process.send;

function send(message: FromPublisher): void {
  if (!byHand) process.send!(message);
  else console.log(JSON.stringify(message));
}

function parseSpec(raw: unknown): FeedSpec | string {
  const parsed = feedSpecSchema.safeParse(raw);
  return parsed.success ? parsed.data : `invalid feed spec: ${formatZodIssues(parsed.error.issues)}`;
}

let feed: PublishedFeed | undefined;
/** Feed changes run one after another, so a stop never races the next start. */
let queue: Promise<unknown> = Promise.resolve();

async function endFeed(): Promise<void> {
  const previous = feed;
  feed = undefined;
  await previous?.close();
}

/** `id` answers the request that asked (0 by hand), so a late answer is never taken for a newer one. */
async function startFeed(spec: FeedSpec, id: number): Promise<void> {
  await endFeed();
  feed = await openFeed(spec);
  send({ type: 'feed-ready', id, port: feed.port, startNs: feed.startNs.toString() });
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(code), 2000).unref();
  await endFeed();
  process.exit(code);
}

function crash(message: string): void {
  process.stderr.write(`pollbench publisher: ${message}\n`);
  setTimeout(() => process.exit(1), 1000).unref();
  if (!byHand && process.connected)
    process.send!({ type: 'fatal', message } satisfies FromPublisher, undefined, {}, () => process.exit(1));
  else process.exit(1);
}

process.on('uncaughtException', (err) => crash(`crashed: ${err.stack ?? err.message}`));
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

if (!byHand) {
  process.on('disconnect', () => void stop(0));
  process.on('message', (message: ToPublisher) => {
    if (message.type === 'feed') {
      const spec = parseSpec(message.spec);
      if (typeof spec === 'string') return crash(spec);
      queue = queue
        .then(() => startFeed(spec, message.id))
        .catch((err: Error) => crash(`could not start the feed: ${err.message}`));
    } else if (message.type === 'end-feed') {
      queue = queue.then(endFeed);
    } else if (message.type === 'lateness') {
      // After any pending feed change, so a reset never lands on the feed being replaced.
      queue = queue.then(() =>
        send({
          type: 'lateness',
          id: message.id,
          lateness: feed?.lateness(message.reset) ?? { events: 0, meanUs: 0, p99Us: 0, maxUs: 0 },
        }),
      );
    }
  });
  send({ type: 'ready', pid: process.pid });
} else {
  let raw: unknown;
  try {
    raw = JSON.parse(process.argv[2] ?? '');
  } catch {
    fail(
      `expected one argument: the feed spec as JSON, e.g. '{"shape":{"kind":"steady","ratePerSec":20},"payloadBytes":256,"ringCapacity":10000}'`,
      2,
    );
  }
  const spec = parseSpec(raw);
  if (typeof spec === 'string') fail(spec, 2);
  try {
    await startFeed(spec, 0);
  } catch (err) {
    fail(`could not start the feed: ${(err as Error).message}`, 1);
  }
}
