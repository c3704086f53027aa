/**
 * Runs one server as its own process. Usage: `tsx servers/main.ts '<ServerConfig JSON>'`.
 * Listens on port 0 on 127.0.0.1, tells its parent `{type:'ready', port}` over IPC (or prints it when
 * run by hand), answers `{type:'stats'}` requests, and exits on SIGTERM, `{type:'stop'}`, or when the
 * parent goes away (so a crashed orchestrator never leaves a server behind). With config `processes` N > 1
 * it is the primary of N such processes on one address (servers/cluster-primary.ts); each of them runs
 * this file too, as a cluster worker, and serves alone.
 *
 * A feed server reads its events from an upstream publisher (config `feed.upstream: {host, port}`),
 * which must be listening first. By hand:
 *   npx tsx bench/publisher/main.ts '{"shape":{"kind":"steady","ratePerSec":20},"payloadBytes":256,"ringCapacity":10000}'
 * prints `{"type":"feed-ready","port":P,...}`; then
 *   npx tsx servers/main.ts '{"role":"feed","transport":"ws","framework":"node","perMessageDeflate":false,"feed":{"upstream":{"host":"127.0.0.1","port":P},"ringCapacity":10000}}'
 */
import { serverConfigSchema } from './contract/server-config.ts';
import { startServer, type RunningServer } from './start.ts';
import type { FromServer, ToServer } from './contract/server-ipc.ts';
import { formatZodIssues } from './contract/zod-issues.ts';
import { startServerGroup, type ServerGroup } from './cluster-primary.ts';
import cluster from 'node:cluster';

function send(message: FromServer): void {
  if (process.send) process.send(message);
  else console.log(JSON.stringify(message));
}

/** Startup errors: one line on stderr (synchronous for pipes on Linux, so the parent reads it) and exit. */
function fail(message: string, code: number): never {
  process.stderr.write(`pollbench server: ${message}\n`);
  process.exit(code);
}

/** A crash while serving: tell the parent over IPC too, and exit once that is flushed (or after 1 s). */
function crash(message: string): void {
  process.stderr.write(`pollbench server: ${message}\n`);
  setTimeout(() => process.exit(1), 1000).unref();
  if (process.connected)
    process.send!({ type: 'fatal', message } satisfies FromServer, undefined, {}, () => process.exit(1));
  else process.exit(1);
}

let raw: unknown;
try {
  raw = JSON.parse(process.argv[2] ?? '');
} catch {
  fail('expected one argument: the server config as JSON', 2);
}
const parsed = serverConfigSchema.safeParse(raw);
if (!parsed.success) fail(`invalid config: ${formatZodIssues(parsed.error.issues)}`, 2);
if (parsed.data.role === 'feed' && parsed.data.feed.upstream === 'in-process') {
  fail(
    'invalid config: feed.upstream: a server process needs {"host","port"} of a running publisher (see bench/publisher/main.ts); \'in-process\' is for tests only',
    2,
  );
}

let server: RunningServer | ServerGroup | undefined;
let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Bounded: a close that hangs must not keep the process alive.
  const timer = setTimeout(() => process.exit(code), 2000);
  timer.unref();
  await server?.close();
  process.exit(code);
}

process.on('uncaughtException', (err) => crash(`crashed: ${err.stack ?? err.message}`));
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
process.on('disconnect', () => void stop(0));
process.on('message', (message: ToServer) => {
  if (message.type === 'stop') void stop(0);
  else if (message.type === 'stats' && server)
    void Promise.resolve(server.stats({ resetWindow: message.resetWindow, gc: message.gc })).then((stats) =>
      send({ type: 'stats', id: message.id, stats }),
    );
  else if (message.type === 'kill-worker' && server && 'killWorker' in server)
    void server.killWorker(message.index).then((pid) => {
      if (pid !== undefined) send({ type: 'worker-killed', index: message.index, pid });
    });
});

try {
  const config = parsed.data;
  // Several processes on one address: this one is their primary (a cluster worker serves alone).
  server =
    config.role === 'feed' && (config.processes ?? 1) > 1 && cluster.isPrimary
      ? await startServerGroup(config, crash)
      : await startServer(config);
} catch (err) {
  fail(`could not start: ${(err as Error).message}`, 1);
}
send({ type: 'ready', port: server.port, pid: process.pid, listeningNs: server.listeningNs.toString() });
