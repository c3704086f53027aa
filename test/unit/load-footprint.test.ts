// The load generator loads only what measuring needs. zod (validation) once reached it through the
// contract's schedule arithmetic: its bundle grew from 1.26 to 2.01 MB and HTTP clients' connect p50
// went from 3 ms to 15-28 ms in most quick runs. The shape schema lives apart (shape-schema.ts) for
// that reason; this test keeps validation libraries out of the load process's module graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every package the entry's bundle would contain, from esbuild's metafile. */
async function packagesOf(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.add(m[1]!);
  }
  return packages;
}

test('the load generator bundles no zod (validation stays in the orchestrator, the server and the publisher)', async () => {
  const load = await packagesOf('bench/load/main.ts');
  assert.ok(load.has('undici') && load.has('ws'), `the check sees packages: ${[...load].join(', ')}`);
  assert.ok(!load.has('zod'), `bench/load/main.ts pulls in zod: ${[...load].join(', ')}`);
});
