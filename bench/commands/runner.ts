/**
 * The shared runner of every pollbench command (one file per npm script in this folder): node's
 * parseArgs in strict mode, `--help` printing the usage (exit 0), and any bad option, out-of-range
 * number or wrong number of files as one clear line plus the usage (exit 2), never a stack trace;
 * and the tail that runs a command's main and exits with its code (`runCommand`: a crash is one
 * line and exit 1; interrupted commands return 130).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { watchLaunchers } from '../launchers.ts';
import { outputDirProblem, outputFileProblem } from '../output-dir.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  /** Prefix of every message, e.g. "pollbench report". */
  name: string;
  usage: string;
  /** How many positional arguments (files) the command takes, and how to say so. */
  positionals?: { count: number; describe: (got: number) => string };
}

export type Parsed<O extends Options> = {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
};

/** The parsed arguments, or the exit code when the command should stop here (help or bad usage). */
export function parseCommand<O extends Options>(command: Command, argv: string[], options: O): Parsed<O> | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    // node's messages are clear but long; keep the first sentence.
    return usageError(command, (err as Error).message.split(/\.\s/)[0]!);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  const want = command.positionals?.count ?? 0;
  if (parsed.positionals.length !== want) {
    return usageError(
      command,
      command.positionals
        ? command.positionals.describe(parsed.positionals.length)
        : `unexpected argument "${parsed.positionals[0]}"`,
    );
  }
  return { values: parsed.values as Parsed<O>['values'], positionals: parsed.positionals };
}

function usageError(command: Command, message: string): number {
  process.stderr.write(`${command.name}: ${message}\n\n${command.usage}\n`);
  return 2;
}

/**
 * Whole-number options, each from its min (1 unless given) to its max, or its default when absent:
 * the numbers, or (like parseCommand) the exit code 2 after one usage line about the first bad one.
 */
export function wholeNumbers<K extends string>(
  command: Command,
  values: Partial<Record<NoInfer<K>, string | boolean>>,
  specs: Record<K, [fallback: number, max: number, min?: number]>,
): Record<K, number> | number {
  const out = {} as Record<K, number>;
  for (const name of Object.keys(specs) as K[]) {
    const [fallback, max, min = 1] = specs[name];
    const raw = values[name];
    if (raw === undefined) out[name] = fallback;
    else if (typeof raw === 'string' && /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max)
      out[name] = Number(raw);
    else return usageError(command, `--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return out;
}

/**
 * Where a command writes (`what`: "--out", "the site folder"), checked before it runs: null when
 * usable (missing folders are created), else the exit code 2 after one line naming the path and why.
 */
export function unusableOutput(
  name: string,
  what: string,
  value: string,
  kind: 'folder' | 'file' = 'folder',
): number | null {
  const problem = kind === 'folder' ? outputDirProblem(value) : outputFileProblem(value);
  if (problem === null) return null;
  process.stderr.write(`${name}: ${what} ${JSON.stringify(value)}: ${problem}\n`);
  return 2;
}

/** A second interrupt's grace before SIGKILL for each child (the first one's is ManagedChild.stop's 3 s). */
const FORCE_GRACE_MS = 500;

/**
 * One interrupt can arrive twice, a few milliseconds apart: a terminal's Ctrl-C reaches every
 * process of the foreground group, npm among them, and npm forwards it to its script (this
 * command). A second signal this soon after the first is that copy, not a user insisting.
 */
const SAME_INTERRUPT_MS = 500;

/** The handler stopOnInterrupt installed, for a launcher that goes away (runCommand). */
let onLauncherGone: ((why: string) => void) | undefined;

/**
 * Ctrl-C (SIGINT) and SIGTERM for a command that runs children. The first one aborts the returned
 * signal and says `<name>: <SIGNAL>: stopping; <kept>`: main starts nothing more, keeps what
 * finished and returns 130. A second one (after SAME_INTERRUPT_MS) does not wait: `now` (a
 * synchronous last clean-up, e.g. a temporary worktree), then `stopChildren` with a short grace
 * before SIGKILL, then exit 130.
 * The launcher that started the command exiting counts as a first SIGTERM (runCommand), and as
 * nothing once stopping: a Ctrl-C in a terminal reaches npm too, which then exits, and that must
 * not cut short the stop the Ctrl-C began. `stopChildren` is a parameter for the same reason as
 * runCommand's `cleanup`.
 */
export function stopOnInterrupt(
  name: string,
  kept: string,
  stopChildren: (graceMs: number) => Promise<void>,
  now?: () => void,
): AbortSignal {
  const abort = new AbortController();
  let interrupts = 0;
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals, cause: string = signal) => {
    if (interrupts > 0 && performance.now() - firstAt < SAME_INTERRUPT_MS) return;
    if (++interrupts === 1) {
      firstAt = performance.now();
      process.stderr.write(`\n${name}: ${cause}: stopping; ${kept}\n`);
      abort.abort(new Error(`interrupted by ${signal}`));
    } else {
      process.stderr.write(`${name}: ${signal} again: stopping the children now\n`);
      now?.();
      void stopChildren(FORCE_GRACE_MS).finally(() => process.exit(130));
    }
  };
  // Not onSignal itself: node passes the signal's number as a second argument.
  process.on('SIGINT', (signal) => onSignal(signal));
  process.on('SIGTERM', (signal) => onSignal(signal));
  onLauncherGone = (why) => {
    if (interrupts === 0) onSignal('SIGTERM', why);
  };
  return abort.signal;
}

/**
 * The tail every async command shares: exit with what `main` returns; on a thrown error print one
 * line `<name>: <message>` (never a stack trace), run `cleanup` (the commands that start children
 * pass stopAllChildren, so none outlives the command), and exit 1. `cleanup` is a parameter so
 * that commands starting no children do not load the child-process machinery.
 */
export function runCommand(name: string, main: () => Promise<number>, cleanup?: () => Promise<void>): void {
  // A launcher above this process that exits (npm after a SIGTERM, a killed tsx) is a SIGTERM to
  // this command: through stopOnInterrupt's handler when it has one, else the default (exit 143).
  watchLaunchers((why) => {
    if (onLauncherGone) return onLauncherGone(why);
    process.stderr.write(`${name}: ${why}: stopping\n`);
    process.kill(process.pid, 'SIGTERM');
  });
  main().then(
    (code) => exitAfterOutput(code),
    async (err: unknown) => {
      process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      if (cleanup) await cleanup();
      exitAfterOutput(1);
    },
  );
}

/**
 * Exits once stdout and stderr have handed over what was written to them. Writes to pipes are
 * synchronous on Linux but not on macOS, where exiting at once could cut a report piped into another
 * program; an empty write's callback runs after every earlier write on that stream. A stream whose
 * reader has gone (EPIPE after `| head -1`) counts as done: the command's own exit code still wins,
 * instead of an unhandled 'error' event turning it into a crash (for compare, 1 = "regression").
 */
function exitAfterOutput(code: number): void {
  let pending = 2;
  const settle = (stream: NodeJS.WriteStream) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      if (--pending === 0) process.exit(code);
    };
    stream.on('error', finish);
    if (stream.destroyed) finish();
    else stream.write('', finish);
  };
  settle(process.stdout);
  settle(process.stderr);
}
