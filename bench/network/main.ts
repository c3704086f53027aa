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
import { childEntry } from '../child-entry.ts';
import { formatZodIssues } from '../../servers/contract/zod-issues.ts';

const argsSchema = z.object({
  profile: networkProfileSchema,
  target: z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }),
  seed: z.number().int().optional(),
});

const { send, fatal } = childEntry<FromRelay>('relay');

let parsed: z.infer<typeof argsSchema>;
try {
  parsed = argsSchema.parse(JSON.parse(process.argv[2] ?? ''));
} catch (err) {
  const reason = err instanceof z.ZodError ? formatZodIssues(err.issues) : (err as Error).message;
  process.stderr.write(
    `pollbench relay: bad argument (expected JSON {profile, target: {host, port}, seed?}): ${reason}\n`,
  );
  process.exit(2);
}

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
