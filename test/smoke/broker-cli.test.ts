/** `--broker redis` without redis-server: one line saying how to install it, exit 2, before any run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REDIS_INSTALL_HINT } from '../../bench/broker/redis-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

test('--broker redis with no redis-server prints the install hint alone and exits 2, nothing run or written', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'pollbench-broker-cli-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'bench/commands/bench.ts'),
        '--transports',
        'ws',
        '--broker',
        'memory,redis',
        '--clients',
        '10',
        '--runs',
        '1',
        '--duration',
        '1',
        '--out',
        out,
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, POLLBENCH_REDIS_SERVER: '/nonexistent/redis-server' },
      },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `pollbench: ${REDIS_INSTALL_HINT}\n`, 'one line, no stack trace');
    assert.equal(r.stdout, '');
    assert.deepEqual(readdirSync(out), [], 'no result file: no run started');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
