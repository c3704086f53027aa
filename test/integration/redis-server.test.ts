import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  BrokerUnavailableError,
  REDIS_INSTALL_HINT,
  findRedisServer,
  startRedisServer,
} from '../../bench/broker/redis-server.ts';
import { alive } from '../../bench/proxy/nginx.ts';

const installed = findRedisServer() !== null;
// CI installs redis-server (.ci/run): there a missing one is a failure, not a skip.
const skip = !installed && !process.env['CI'] ? 'redis-server is not installed (apt-get install redis-server)' : false;

function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(line));
    let answer = '';
    socket.setTimeout(5000, () => reject(new Error('no answer')));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.endsWith('\r\n')) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.once('error', reject);
  });
}

test(
  'redis-server starts on a free port without persistence, answers, reports its CPU and memory, and stops',
  { skip },
  async () => {
    const redis = await startRedisServer({ cpus: null });
    try {
      assert.match(redis.version, /^\d+\.\d+/);
      assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
      assert.equal(await command(redis.port, 'PING\r\n'), '+PONG\r\n');
      // No persistence: no snapshot rule and no append-only file.
      assert.match(await command(redis.port, 'CONFIG GET save\r\n'), /save\r\n\$0\r\n\r\n$/);
      assert.match(await command(redis.port, 'CONFIG GET appendonly\r\n'), /appendonly\r\n\$2\r\nno\r\n$/);
      assert.ok(redis.rssBytes()! > 1024 * 1024, `rss ${redis.rssBytes()}`);
      assert.ok(redis.cpuUs() >= 0);
    } finally {
      await redis.stop();
    }
    assert.equal(alive(redis.pid), false);
    assert.equal(redis.rssBytes(), null);
  },
);

test('without redis-server: the one line that says how to install it', async () => {
  const saved = process.env['POLLBENCH_REDIS_SERVER'];
  process.env['POLLBENCH_REDIS_SERVER'] = '/nonexistent/redis-server';
  try {
    await assert.rejects(
      startRedisServer({ cpus: null }),
      (err: Error) => err instanceof BrokerUnavailableError && err.message === REDIS_INSTALL_HINT,
    );
  } finally {
    if (saved === undefined) delete process.env['POLLBENCH_REDIS_SERVER'];
    else process.env['POLLBENCH_REDIS_SERVER'] = saved;
  }
});
