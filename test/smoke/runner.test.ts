// The shared command runner ends a command with the code main returned, also when the reader of its
// output has gone away (`| head -1`): an EPIPE must not turn "no regression" into a crash (exit 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const RUNNER = pathToFileURL(path.resolve(import.meta.dirname, '../../bench/commands/runner.ts')).href;

test('a command piped into a reader that stops after one byte still exits with its own code', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-runner-'));
  try {
    const script = path.join(dir, 'command.ts');
    // More than a pipe buffer (64 KiB) on both streams, so the writes meet the closed pipe.
    writeFileSync(
      script,
      `import { runCommand } from ${JSON.stringify(RUNNER)};\n` +
        "runCommand('probe', async () => { process.stdout.write('x'.repeat(1_000_000)); process.stderr.write('y'.repeat(200_000)); return 3; });\n",
    );
    const run = (redirect: string) =>
      spawnSync(
        'bash',
        [
          '-c',
          `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(script)} ${redirect}; echo "rc=\${PIPESTATUS[0]}"`,
        ],
        { cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 60_000 },
      );
    assert.match(run('2>&1 | head -c 1 >/dev/null').stdout, /rc=3$/m, 'reader gone after one byte');
    const whole = run('2>/dev/null | wc -c');
    assert.match(whole.stdout, /^\s*1000000\s*$/m, 'everything written reaches a reader that reads it all');
    assert.match(whole.stdout, /rc=3$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
