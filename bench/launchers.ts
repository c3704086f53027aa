/**
 * Notices that the process the user started is gone. `npm run bench` runs `sh -c "tsx
 * bench/commands/bench.ts"` and tsx runs a second node with the command, so the command is four
 * processes below what a supervisor, `timeout` or `kill <pid>` signals. npm forwards a SIGTERM to
 * its shell only; the shell dies without passing it on, and tsx and the command were re-parented to
 * PID 1 and ran the whole plan. Linux tells an orphan nothing (no pipe or IPC channel links them),
 * so a command records the chain of launchers above it at start (npm or npx, npm's shell, tsx), each
 * with its start time so that a reused PID is not taken for it, and polls /proc for it.
 */
import { readFileSync } from 'node:fs';

interface Link {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
  startTicks: string;
  /** What it is, for the message: `npm`, `sh` or `tsx`. */
  what: string;
}

interface Stat {
  ppid: number;
  state: string;
  startTicks: string;
}

function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The name (field 2) is in parentheses and may hold spaces and parentheses itself: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  return { state: fields[0]!, ppid: Number(fields[1]), startTicks: fields[19]! };
}

function readArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * What a process is when it is a launcher, or null. npm and npx set their title ("npm run bench
 * …", "npm exec tsx …"), which replaces their whole command line; before that they are node
 * running npm-cli.js or npx-cli.js. tsx is node_modules/.bin/tsx, its dist files, or `--import tsx`.
 */
export function launcherKind(argv: readonly string[]): 'npm' | 'tsx' | 'shell' | null {
  const base = (arg: string) => arg.slice(arg.lastIndexOf('/') + 1);
  if (argv.length === 0) return null;
  if (/^np[mx](\s|$)/.test(argv[0]!) || argv.some((a) => /^np[mx]-cli\.js$/.test(base(a)))) return 'npm';
  if (argv.some((a) => base(a) === 'tsx' || a.includes('/node_modules/tsx/'))) return 'tsx';
  if (['sh', 'dash', 'bash'].includes(base(argv[0]!)) && argv[1] === '-c') return 'shell';
  return null;
}

/**
 * The launchers above `pid`, nearest first: every ancestor that is npm, npx, tsx, or a `sh -c`
 * that npm or npx started, up to the first that is none of these (the user's shell, a supervisor,
 * `timeout`). Empty where there is no /proc.
 */
export function launcherChain(pid: number = process.pid): Link[] {
  const chain: Link[] = [];
  let stat = readStat(pid);
  while (stat && stat.ppid > 1) {
    const parentPid = stat.ppid;
    const parent = readStat(parentPid);
    if (!parent) break;
    const kind = launcherKind(readArgv(parentPid));
    if (kind === null) break;
    if (kind === 'shell' && launcherKind(readArgv(parent.ppid)) !== 'npm') break;
    chain.push({ pid: parentPid, startTicks: parent.startTicks, what: kind === 'shell' ? 'sh' : kind });
    stat = parent;
  }
  return chain;
}

/** The first link that has exited (or is a zombie nobody reaped), or null while all are running. */
function goneLink(chain: readonly Link[]): Link | null {
  for (const link of chain) {
    const stat = readStat(link.pid);
    if (!stat || stat.startTicks !== link.startTicks || stat.state === 'Z' || stat.state === 'X') return link;
  }
  return null;
}

/**
 * Calls `onGone` once, with a sentence saying which launcher is gone, when any launcher above this
 * process exits or (for a process started with an IPC channel) the channel closes. Polls every
 * `intervalMs` on an unref'd timer, so it never keeps a command alive.
 */
export function watchLaunchers(onGone: (why: string) => void, intervalMs = 250): void {
  const chain = launcherChain();
  let fired = false;
  const fire = (why: string) => {
    if (fired) return;
    fired = true;
    clearInterval(timer);
    onGone(why);
  };
  const timer = setInterval(() => {
    const link = goneLink(chain);
    if (link) fire(`${link.what} (pid ${link.pid}), which started this command, has exited`);
  }, intervalMs);
  timer.unref();
  if (process.channel) process.once('disconnect', () => fire('the process that started this command has gone'));
}
