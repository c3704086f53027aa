/**
 * Same-runner comparison, the way nodejs/node's benchmark/compare.js does it: the other git ref is
 * checked out in a temporary worktree, and both checkouts run the CI profile one repetition at a
 * time, interleaved, so machine drift (thermal, noisy neighbours, page cache) hits both alike. The
 * order alternates every round (A B, B A, A B, ...) so that neither side always runs first.
 *
 * Each side runs its own `npm run bench` entry with the profile spelled out as options, so the
 * baseline is measured by the baseline's own harness, and a baseline that predates the "ci" scenario
 * still works.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  createWriteStream,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseResult, type Result } from '../result-schema.ts';
import { ciProfileArgs } from '../scenarios/ci.ts';
import type { Inject } from '../../servers/contract/server-config.ts';
import { mergeResults } from './merge-results.ts';
import { formatInject } from '../args.ts';

export class AgainstError extends Error {}

/** The side being run and the worktree, while runAgainst is in progress: for cleanupAgainstNow. */
let current: ReturnType<typeof spawn> | undefined;
let activeWorktree: { root: string; dir: string } | undefined;

function removeWorktree(root: string, dir: string): void {
  const removed = spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, encoding: 'utf8' });
  if (removed.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: root });
  }
}

/**
 * For a second Ctrl-C, when there is no time to let the running side stop by itself: kill it and
 * remove the worktree synchronously, so nothing is left behind when the process exits.
 */
export function cleanupAgainstNow(): void {
  current?.kill('SIGKILL');
  if (activeWorktree) removeWorktree(activeWorktree.root, activeWorktree.dir);
  activeWorktree = undefined;
}

export interface AgainstOptions {
  ref: string;
  runs: number;
  outDir: string;
  signal: AbortSignal;
  /** Candidate side only: a regression injected on purpose (gate tests). */
  inject?: Inject;
  log?: (line: string) => void;
}

export interface AgainstOutcome {
  baseline: Result;
  candidate: Result;
  baselineSha: string;
  interrupted: boolean;
}

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new AgainstError(`git ${args.join(' ')}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  return r.stdout.trim();
}

/**
 * node_modules for the worktree: shared when the lockfiles match (fast), else a clean npm ci.
 * Resolves false when interrupted. npm ci runs asynchronously (it was spawnSync): a blocked event
 * loop could not act on a SIGTERM or Ctrl-C for as long as the install took (up to 15 minutes).
 */
async function installDependencies(
  root: string,
  worktree: string,
  sha: string,
  logFile: string,
  log: (l: string) => void,
  signal: AbortSignal,
): Promise<boolean> {
  let baseLock: string | null;
  try {
    baseLock = git(root, ['show', `${sha}:package-lock.json`]);
  } catch {
    baseLock = null;
  }
  const ownLock = existsSync(path.join(root, 'package-lock.json'))
    ? readFileSync(path.join(root, 'package-lock.json'), 'utf8').trim()
    : null;
  if (baseLock !== null && ownLock !== null && baseLock === ownLock && existsSync(path.join(root, 'node_modules'))) {
    symlinkSync(path.join(root, 'node_modules'), path.join(worktree, 'node_modules'), 'dir');
    log('baseline: same package-lock.json, sharing node_modules');
    return true;
  }
  log('baseline: package-lock.json differs, running npm ci in the worktree');
  const child = spawn('npm', ['ci', '--no-audit', '--no-fund'], { cwd: worktree, stdio: ['ignore', 'pipe', 'pipe'] });
  current = child;
  let output = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    output += c.toString();
    stderr += c.toString();
  });
  const stop = () => child.kill('SIGTERM');
  signal.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, 15 * 60_000);
  const status = await new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      stderr += err.message;
      resolve(null);
    });
    child.once('exit', (code) => resolve(code));
  });
  clearTimeout(timer);
  signal.removeEventListener('abort', stop);
  current = undefined;
  writeFileSync(logFile, output);
  if (signal.aborted) return false;
  if (status !== 0)
    throw new AgainstError(
      `npm ci in the baseline worktree failed (see ${logFile}): ${stderr.trim().split('\n').slice(-1)[0]}`,
    );
  return true;
}

/**
 * Where a checkout keeps its `npm run bench` entry: bench/commands/bench.ts, or bench/cli.ts in
 * checkouts from before the commands got their own folder (a baseline ref may be that old).
 */
const BENCH_ENTRIES = ['bench/commands/bench.ts', 'bench/cli.ts'];

/** Runs one repetition of the profile with a checkout's own CLI; resolves with its exit code. */
function runSide(cwd: string, args: string[], logFile: string, signal: AbortSignal): Promise<number> {
  const entry = BENCH_ENTRIES.map((f) => path.join(cwd, f)).find((f) => existsSync(f));
  if (!entry) return Promise.reject(new AgainstError(`${cwd} has neither ${BENCH_ENTRIES.join(' nor ')}`));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(logFile);
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    // Ctrl-C: the child's own handler stops its servers and load generators and keeps finished runs.
    const onAbort = () => child.kill('SIGINT');
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', reject);
    current = child;
    child.once('exit', (code, sig) => {
      current = undefined;
      signal.removeEventListener('abort', onAbort);
      log.end();
      resolve(code ?? (sig ? -1 : 1));
    });
  });
}

function firstError(logFile: string): string {
  const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  return text.split('\n').find((l) => l.startsWith('pollbench:')) ?? text.trim().split('\n').slice(-1)[0] ?? '';
}

export async function runAgainst(options: AgainstOptions): Promise<AgainstOutcome> {
  const log = options.log ?? (() => {});
  // Absolute: each side runs with its own checkout as cwd, and must write where we read.
  const outDir = path.resolve(options.outDir);
  const root = git(process.cwd(), ['rev-parse', '--show-toplevel']);
  let sha: string;
  try {
    sha = git(root, ['rev-parse', '--verify', '--quiet', `${options.ref}^{commit}`]);
  } catch {
    throw new AgainstError(
      `"${options.ref}" is not a commit in this repository (fetch it first, e.g. git fetch origin ${options.ref})`,
    );
  }
  mkdirSync(outDir, { recursive: true });
  const worktree = mkdtempSync(path.join(tmpdir(), 'pollbench-baseline-'));
  const sides = { baseline: worktree, candidate: root } as const;
  const parts: Record<keyof typeof sides, Result[]> = { baseline: [], candidate: [] };
  let interrupted = false;
  activeWorktree = { root, dir: worktree };
  try {
    git(root, ['worktree', 'add', '--detach', '--force', worktree, sha]);
    if (
      !(await installDependencies(root, worktree, sha, path.join(outDir, 'npm-ci-baseline.log'), log, options.signal))
    )
      interrupted = true;
    for (let round = 1; round <= options.runs && !options.signal.aborted; round++) {
      const order: (keyof typeof sides)[] = round % 2 === 1 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
      for (const name of order) {
        if (options.signal.aborted) break;
        const out = path.join(outDir, 'runs', `${String(round).padStart(2, '0')}-${name}`);
        const logFile = `${out}.log`;
        mkdirSync(out, { recursive: true });
        const args = [
          ...ciProfileArgs(),
          '--out',
          out,
          ...(name === 'candidate' && options.inject ? ['--inject-regression', formatInject(options.inject)] : []),
        ];
        log(
          `round ${round}/${options.runs}: ${name}${name === 'baseline' ? ` (${sha.slice(0, 10)})` : ' (working tree)'}`,
        );
        const code = await runSide(sides[name], args, logFile, options.signal);
        if (options.signal.aborted) {
          interrupted = true;
        } else if (code === -1 || code === 130) {
          throw new AgainstError(
            `the ${name} run was killed by a signal (out of memory?): ${firstError(logFile)} (log: ${logFile})`,
          );
        } else if (code === 2) {
          throw new AgainstError(
            `the ${name} checkout cannot run the CI profile: ${firstError(logFile)} (log: ${logFile})`,
          );
        } else if (code !== 0 && code !== 1) {
          throw new AgainstError(
            `the ${name} run failed with exit code ${code}: ${firstError(logFile)} (log: ${logFile})`,
          );
        }
        if (interrupted) break;
        // Every round of both sides must be whole, or the sides are no longer balanced.
        const file = path.join(out, 'latest.json');
        if (!existsSync(file)) throw new AgainstError(`the ${name} run wrote no result (log: ${logFile})`);
        let part: Result;
        try {
          part = parseResult(JSON.parse(readFileSync(file, 'utf8')));
        } catch (err) {
          throw new AgainstError(
            `the ${name} checkout wrote a result this version cannot read: ${(err as Error).message}`,
          );
        }
        if (part.status !== 'complete')
          throw new AgainstError(`the ${name} run ended with status "${part.status}" (log: ${logFile})`);
        parts[name].push(part);
      }
      if (interrupted) break;
    }
  } finally {
    if (activeWorktree) removeWorktree(root, worktree);
    activeWorktree = undefined;
  }
  // After an interrupt, keep whole rounds only: both sides with the same number of runs.
  const rounds = Math.min(parts.baseline.length, parts.candidate.length);
  parts.baseline.length = rounds;
  parts.candidate.length = rounds;
  if (parts.baseline.length === 0 || parts.candidate.length === 0)
    throw new AgainstError(
      interrupted ? 'interrupted before both sides finished a round' : 'no result from one of the sides',
    );
  return {
    baseline: mergeResults(parts.baseline),
    candidate: mergeResults(parts.candidate),
    baselineSha: sha,
    interrupted,
  };
}
