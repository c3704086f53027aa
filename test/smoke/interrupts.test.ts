/**
 * stopOnInterrupt (bench/commands/runner.ts): a signal's copy a few milliseconds later (a terminal's
 * Ctrl-C reaches npm, which forwards it) is the same interrupt and lets the clean stop finish; a real
 * second signal stops the children with a short grace and exits 130 at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const RUNNER = pathToFileURL(path.resolve(import.meta.dirname, '../../bench/commands/runner.ts')).href;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the same signal twice within 500 ms is one interrupt; a later one forces the stop', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-interrupts-'));
  try {
    const script = path.join(dir, 'command.ts');
    // A command whose clean stop never ends by itself: only the forced path can end it.
    writeFileSync(
      script,
      `import { runCommand, stopOnInterrupt } from ${JSON.stringify(RUNNER)};\n` +
        "const signal = stopOnInterrupt('probe', 'kept', async (graceMs) => { process.stderr.write(`children stopped with ${graceMs} ms grace\\n`); });\n" +
        "signal.addEventListener('abort', () => process.stderr.write('aborted\\n'));\n" +
        "process.stderr.write('ready\\n');\n" +
        "runCommand('probe', () => new Promise<number>(() => { setInterval(() => {}, 1000); }));\n",
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const until = async (text: string) => {
      for (let i = 0; i < 600 && !stderr.includes(text); i++) await sleep(50);
      assert.ok(stderr.includes(text), `never printed "${text}": ${stderr}`);
    };
    await until('ready');
    child.kill('SIGINT');
    await sleep(20);
    child.kill('SIGINT');
    await until('aborted');
    await sleep(700);
    assert.equal(child.exitCode, null, `still stopping cleanly after the copy: ${stderr}`);
    assert.doesNotMatch(stderr, /again/);
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') child.kill('SIGKILL');
    assert.equal(code, 130, stderr);
    assert.match(stderr, /probe: SIGINT: stopping; kept\n/);
    assert.match(stderr, /probe: SIGTERM again: stopping the children now\nchildren stopped with 500 ms grace\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
