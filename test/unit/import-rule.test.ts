/**
 * The dependency rule the folders promise (CONTRIBUTING.md, "Where code goes"), checked on the import statements
 * of every source file, so a new import across the line fails here instead of in a review:
 * - servers/ (the system under test) imports nothing from bench/ or reports/;
 * - servers/contract/ (what crosses a process boundary) imports nothing outside itself, so every
 *   process can load it cheaply and it cannot drag a side's runtime along;
 * - bench/ and reports/ import from servers/ only the contract folder. The server processes that the
 *   harness starts are spawned by path (bench/child.ts, bench/orchestrator.ts), which is no import.
 * Imports are read with TypeScript's own pre-processor (static, type-only, re-exports, side-effect and
 * dynamic imports; comments and strings ignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CONTRACT = 'servers/contract/';

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** The repository-relative targets of a file's relative imports (package imports are no concern here). */
function importsOf(file: string, source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)));
}

/** Why `file` may not import `target`, or null when it may. */
function violation(file: string, target: string): string | null {
  const inside = (dir: string, p: string) => p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
  if (inside(CONTRACT, file) && !inside(CONTRACT, target)) return 'the contract folder imports nothing outside itself';
  if (inside('servers', file) && (inside('bench', target) || inside('reports', target)))
    return 'servers/ imports nothing from bench/ or reports/';
  if ((inside('bench', file) || inside('reports', file)) && inside('servers', target) && !inside(CONTRACT, target))
    return `bench/ and reports/ import only ${CONTRACT} from servers/`;
  return null;
}

test('the rule itself: what it allows and what it refuses', () => {
  assert.equal(violation('bench/load/run-job.ts', 'servers/contract/schedule.ts'), null);
  assert.equal(violation('reports/aggregate.ts', 'servers/contract/transport-traits.ts'), null);
  assert.equal(violation('servers/start.ts', 'servers/contract/server-ipc.ts'), null);
  assert.equal(violation('servers/contract/ipc.ts', 'servers/contract/lag.ts'), null);
  assert.match(violation('bench/load/run-job.ts', 'servers/start.ts') ?? '', /only servers\/contract/);
  assert.match(violation('reports/html.ts', 'servers/feed.ts') ?? '', /only servers\/contract/);
  assert.match(violation('servers/feed.ts', 'bench/clock.ts') ?? '', /servers\/ imports nothing/);
  assert.match(violation('servers/contract/clock.ts', 'servers/feed.ts') ?? '', /contract folder/);
  assert.match(violation('servers/contract/clock.ts', 'bench/matrix.ts') ?? '', /contract folder/);
  // The scanner sees every kind of import, and nothing in comments or strings.
  const source = [
    "import a from '../x.ts';",
    "import type { T } from '../../servers/t.ts';",
    "export * from './y.ts';",
    "import './side.ts';",
    "const m = await import('./dyn.ts');",
    "// import b from './commented.ts';",
    'const s = "import c from \'./string.ts\'";',
  ].join('\n');
  assert.deepEqual(importsOf('bench/load/a.ts', source), [
    'bench/x.ts',
    'servers/t.ts',
    'bench/load/y.ts',
    'bench/load/side.ts',
    'bench/load/dyn.ts',
  ]);
});

test('servers/, servers/contract/, bench/ and reports/ keep to the import rule', () => {
  const broken: string[] = [];
  let contractImports = 0;
  for (const file of ['servers', 'bench', 'reports'].flatMap(sourceFiles)) {
    for (const target of importsOf(file, readFileSync(path.join(ROOT, file), 'utf8'))) {
      const why = violation(file, target);
      if (why !== null) broken.push(`${file} imports ${target}: ${why}`);
      if (!file.startsWith('servers/') && target.startsWith(CONTRACT)) contractImports++;
    }
  }
  assert.deepEqual(broken, []);
  // Not vacuous: the harness and the reports do import the contract.
  assert.ok(contractImports > 20, `only ${contractImports} imports of the contract found`);
});
