/**
 * A feed server in its own process (servers/main.ts, as the orchestrator runs it), fed by a publisher
 * in the test's process. Tests that throw hostile input at a server use it: a crash then ends the
 * child, which the test sees and reports, instead of ending the test runner's process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openFeed, type PublishedFeed } from '../../bench/publisher/feed.ts';
import type { Framework } from '../../servers/contract/server-config.ts';
import type { FromServer, ServerStats, ToServer } from '../../servers/contract/server-ipc.ts';
import type { TransportName } from '../../servers/transports/types.ts';
import { HOST, feedConfig, withTimeout } from './harness.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The child boots tsx, which takes a few seconds on a busy 2-core machine. */
const BOOT_MS = 20_000;

export interface ServerProcess {
  port: number;
  /** The publisher feeding it: `publisher.runner.lastSeq` is the newest event published. */
  publisher: PublishedFeed;
  /** Still running (no exit seen). */
  alive(): boolean;
  /** Everything the server wrote on stderr (a crash's one line, with its stack). */
  stderr(): string;
  stats(): Promise<ServerStats>;
  /** SIGTERM, bounded (SIGKILL after 5 s), then the publisher closes. */
  stop(): Promise<void>;
}

/** servers/main.ts forked with `config` as the orchestrator runs it: its stderr kept, its exit awaited. */
export function forkServerMain(config: object): {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<void>;
  /** "code C, signal S" once it exited, else undefined. */
  exitedWith(): string | undefined;
} {
  const child: ChildProcess = fork('servers/main.ts', [JSON.stringify(config)], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exitedWith: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedWith = `code ${code}, signal ${signal}`;
      resolve();
    }),
  );
  return { child, stderr: () => stderr, exited, exitedWith: () => exitedWith };
}

/** `ratePerSec`: the publisher's steady rate, so a healthy client has a stream of events to check. */
export async function spawnFeedServer(
  transport: TransportName,
  framework: Framework,
  ratePerSec = 20,
): Promise<ServerProcess> {
  const publisher = await openFeed({ shape: { kind: 'steady', ratePerSec }, payloadBytes: 32, ringCapacity: 10_000 });
  const config = feedConfig(transport, framework, { host: HOST, port: publisher.port });
  const { child, stderr, exited, exitedWith } = forkServerMain(config);
  const pending = new Map<number, (stats: ServerStats) => void>();
  let ready: ((port: number) => void) | undefined;
  child.on('message', (m: FromServer) => {
    if (m.type === 'ready') ready?.(m.port);
    else if (m.type === 'stats') pending.get(m.id)?.(m.stats);
  });
  const stop = async () => {
    if (exitedWith() === undefined) {
      child.kill('SIGTERM');
      await withTimeout(exited, 5000, 'server process exit').catch(async () => {
        child.kill('SIGKILL');
        await exited;
      });
    }
    await publisher.close();
  };
  let port: number;
  try {
    port = await withTimeout(
      Promise.race([
        new Promise<number>((resolve) => (ready = resolve)),
        exited.then(() => Promise.reject(new Error(`server exited before ready (${exitedWith()}): ${stderr()}`))),
      ]),
      BOOT_MS,
      `${transport} on ${framework}: server process ready`,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  let nextId = 1;
  return {
    port,
    publisher,
    alive: () => exitedWith() === undefined,
    stderr,
    stats() {
      const id = nextId++;
      const answer = new Promise<ServerStats>((resolve) => pending.set(id, resolve));
      child.send({ type: 'stats', id, resetWindow: false, gc: false } satisfies ToServer);
      return withTimeout(answer, 5000, 'server stats').finally(() => pending.delete(id));
    },
    stop,
  };
}
