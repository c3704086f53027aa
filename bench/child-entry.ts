/**
 * What every harness child process entry does the same way (the load generator, the network
 * emulator): refuse to start by hand, send messages to the orchestrator with a flush callback, and
 * turn a crash into one `fatal` message plus exit 1 (after at most 1 s, so a dead channel cannot
 * keep the process alive).
 */
export interface ChildEntry<Out> {
  send(message: Out): Promise<void>;
  fatal(message: string): void;
}

export function childEntry<Out extends object>(name: string): ChildEntry<Out | { type: 'fatal'; message: string }> {
  const send = (message: object): Promise<void> =>
    new Promise((resolve) => {
      if (!process.connected) return resolve();
      process.send!(message, undefined, {}, () => resolve());
    });
  const fatal = (message: string): void => {
    process.stderr.write(`pollbench ${name}: ${message}\n`);
    setTimeout(() => process.exit(1), 1000).unref();
    void send({ type: 'fatal', message }).finally(() => process.exit(1));
  };
  if (!process.send) {
    process.stderr.write(
      `pollbench ${name}: this process is started by the orchestrator (npm run bench), not by hand\n`,
    );
    process.exit(2);
  }
  process.on('uncaughtException', (err) => fatal(`crashed: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) =>
    fatal(`crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  );
  return { send, fatal };
}
