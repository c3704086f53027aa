/**
 * Child processes start from a bundle built once per plan, not through tsx: tsx compiles every
 * TypeScript file on every start, and a plan starts two fresh processes per run (120 for the
 * default scenario). Measured on the 2-core machine, start to ready: server 530 -> 170 ms, load
 * generator 410 -> 150 ms (median of 10, `taskset`-pinned as in a run).
 *
 * The bundle is ESM for node20 with every package bundled in (faster to start than resolving
 * node_modules at run time: server 230 ms with packages external), written to a fresh temporary
 * directory and removed when the plan ends. If bundling fails, children start with tsx as before,
 * after one warning line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every child entry point, relative to the repository root. A new child process adds its entry here. */
export const CHILD_ENTRIES: readonly string[] = [
  'servers/main.ts',
  'bench/load/main.ts',
  'bench/publisher/main.ts',
  'bench/network/main.ts',
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');

export interface ChildBundle {
  dir: string;
  /** Absolute source path of an entry -> absolute path of its bundle. */
  files: ReadonlyMap<string, string>;
  /** How long bundling took. */
  ms: number;
}

/** Bundle directories not removed yet: removed at exit too (a second Ctrl-C exits without cleanup). */
const leftBehind = new Set<string>();
process.once('exit', () => {
  for (const dir of leftBehind) rmSync(dir, { recursive: true, force: true });
});

/** Entries currently served from a bundle (set by useChildBundle for the duration of a plan). */
let active: ReadonlyMap<string, string> = new Map();

/**
 * Node arguments that run the entry `scriptPath` (absolute): its bundle when one is active (with
 * source maps, so a crash's stack names the TypeScript lines), otherwise tsx on the source.
 */
export function childEntryArgs(scriptPath: string): string[] {
  const bundled = active.get(scriptPath);
  return bundled === undefined ? ['--import', TSX_LOADER, scriptPath] : ['--enable-source-maps', bundled];
}

/** Children started from now on use `bundle` (null: tsx again). */
export function useChildBundle(bundle: ChildBundle | null): void {
  active = bundle?.files ?? new Map();
}

/** The bundle file's name for an entry: `servers/main.ts` -> `servers-main`. */
export function bundleName(entry: string): string {
  return entry.replace(/\.[cm]?tsx?$/, '').replace(/[^A-Za-z0-9]+/g, '-');
}

/**
 * Bundles `entries` into a fresh temporary directory. Returns null after one warning line (via
 * `warn`) when esbuild is missing or the build fails: the caller then starts children with tsx.
 */
export async function buildChildBundle(
  entries: readonly string[] = CHILD_ENTRIES,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<ChildBundle | null> {
  const started = performance.now();
  let dir: string | undefined;
  try {
    const { build } = await import('esbuild');
    dir = mkdtempSync(path.join(os.tmpdir(), 'pollbench-children-'));
    const entryPoints = Object.fromEntries(entries.map((e) => [bundleName(e), path.join(ROOT, e)]));
    await build({
      entryPoints,
      absWorkingDir: ROOT,
      outdir: dir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outExtension: { '.js': '.mjs' },
      sourcemap: 'linked',
      // Bundled CommonJS packages (express, ws) call require() for node builtins: give ESM one.
      banner: {
        js: "import { createRequire as __pollbenchCreateRequire } from 'node:module'; const require = __pollbenchCreateRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    const files = new Map(entries.map((e) => [path.join(ROOT, e), path.join(dir!, `${bundleName(e)}.mjs`)]));
    leftBehind.add(dir);
    return { dir, files, ms: performance.now() - started };
  } catch (err) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    warn(`pollbench: could not bundle the child processes (${reason}); starting them with tsx (slower starts)`);
    return null;
  }
}

export function removeChildBundle(bundle: ChildBundle | null): void {
  if (!bundle) return;
  rmSync(bundle.dir, { recursive: true, force: true });
  leftBehind.delete(bundle.dir);
}
