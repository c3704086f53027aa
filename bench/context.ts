/** The environment a result was measured in: recorded in every result file, shown in every report. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Context } from './result-schema.ts';
import type { Pinning } from './child.ts';
import type { Scenario } from './scenarios/schema.ts';

const require = createRequire(import.meta.url);
const MEASURED_PACKAGES = [
  'express',
  'ws',
  'undici',
  'eventsource-parser',
  'hdr-histogram-js',
  'zod',
  'autocannon',
  'tinybench',
  'tsx',
];

/**
 * The installed version. Packages with an `exports` map (tinybench) refuse `name/package.json`, so
 * fall back to the project's own node_modules folder before giving up.
 */
function packageVersion(name: string): string {
  const candidates = [
    () => require.resolve(`${name}/package.json`),
    () => fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url)),
  ];
  for (const resolve of candidates) {
    try {
      return (JSON.parse(readFileSync(resolve(), 'utf8')) as { version: string }).version;
    } catch {
      // try the next way
    }
  }
  return 'unknown';
}

function git(args: string[]): string | null {
  const out = spawnSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.status === 0 ? out.stdout.trim() : null;
}

export function collectContext(
  scenario: Scenario,
  profile: Context['profile'],
  pinning: Pinning,
  command: string[],
): Context {
  const cpus = os.cpus();
  const status = git(['status', '--porcelain']);
  const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    startedAt: new Date().toISOString(),
    finishedAt: null,
    tool: { name: 'pollbench', version: own.version },
    gitSha: git(['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status.length > 0,
    node: process.version,
    os: { platform: os.platform(), release: os.release(), arch: os.arch() },
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', count: cpus.length, speedMHz: cpus[0]?.speed ?? 0 },
    memoryBytes: os.totalmem(),
    packages: Object.fromEntries(MEASURED_PACKAGES.map((name) => [name, packageVersion(name)])),
    pinning,
    publisher: { process: 'per-plan', cpus: pinning.loadCpus },
    profile,
    scenario,
    command,
  };
}
