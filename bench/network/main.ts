/**
 * The relay process: the emulated network path between the load generator's clients and the
 * server (relay.ts). The orchestrator forks it per run with argv[2] = JSON
 * `{ profile, target: { host, port }, seed? }` and drives it over IPC (ipc.ts). It exits on SIGTERM
 * after closing, and when the parent goes away (so a crashed orchestrator never leaves it behind).
 */
import { z } from 'zod';
import { networkProfileSchema } from './profiles.ts';
import { Relay } from './relay.ts';
import type { FromRelay, ToRelay } from './ipc.ts';

const argsSchema = z.object({
  profile: networkProfileSchema,
  target: z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }),
  seed: z.number().int().optional(),
});

function send(message: FromRelay): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, undefined, {}, () => resolve());
  });
}

/** Reports a failure to the orchestrator and exits once the message is flushed (or after 1 s). */
function fatal(message: string): void {
  process.stderr.write(`pollbench relay: ${message}\n`);
  setTimeout(() => process.exit(1), 1000).unref();
  void send({ type: 'fatal', message }).finally(() => process.exit(1));
}

if (!process.send) {
  process.stderr.write('pollbench relay: this process is started by the orchestrator (npm run bench), not by hand\n');
  process.exit(2);
}

let parsed: z.infer<typeof argsSchema>;
try {
  parsed = argsSchema.parse(JSON.parse(process.argv[2] ?? ''));
} catch (err) {
  const reason =
    err instanceof z.ZodError
      ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
      : (err as Error).message;
  process.stderr.write(
    `pollbench relay: bad argument (expected JSON {profile, target: {host, port}, seed?}): ${reason}\n`,
  );
  process.exit(2);
}

process.on('uncaughtException', (err) => fatal(`crashed: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) =>
  fatal(`crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
);

const relay = new Relay(parsed.profile, parsed.target, { seed: parsed.seed });
let closing = false;
const shutdown = (code: number) => {
  if (closing) return;
  closing = true;
  setTimeout(() => process.exit(code), 1000).unref();
  void relay.close().finally(() => process.exit(code));
};
process.on('SIGTERM', () => shutdown(143));
process.on('disconnect', () => shutdown(0));

process.on('message', (message: ToRelay) => {
  if (message.type === 'stats') void send({ type: 'stats', id: message.id, stats: relay.stats(message.reset) });
});

relay.listen('127.0.0.1').then(
  (port) => void send({ type: 'ready', port }),
  (err: Error) => fatal(`could not listen: ${err.message}`),
);
