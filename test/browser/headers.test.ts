/**
 * The browser request header profile cannot go stale silently: Debian's Chromium opens a same-origin
 * page that does fetch(), EventSource (and its reconnect) and new WebSocket() against a pollbench host
 * (chromium-headers.ts), and the headers the server received must equal the committed fixture
 * (bench/clients/chromium-headers.json) name for name, in order, value for value, except the values
 * that change per run (host:port, origin, Sec-WebSocket-Key, the cookie, Last-Event-ID, Chromium's
 * major version), which both sides hold as placeholders.
 *
 * Without Chromium the test is skipped locally and fails under CI (CI=true), as report.test.ts does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CHROMIUM_CAPTURE } from '../../bench/clients/request-headers.ts';
import { CHROMIUM, captureChromiumHeaders } from './chromium-headers.ts';

const missing = !existsSync(CHROMIUM);
if (missing && process.env['CI']) {
  test('Chromium is installed for the header capture test', () => {
    assert.fail(`${CHROMIUM} not found: .ci/run installs it with apt-get install chromium`);
  });
}
const skip = missing && !process.env['CI'] ? `no ${CHROMIUM}: apt-get install chromium to run the browser test` : false;

test(
  "Chromium still sends the committed browser profile's headers (per-run values aside)",
  { skip, timeout: 120_000 },
  async () => {
    const now = await captureChromiumHeaders();
    const fixture = CHROMIUM_CAPTURE;
    const stale =
      `Chromium ${now.chromium} sends other request headers than the fixture captured from Chromium ` +
      `${fixture.chromium} on ${fixture.captured}: run \`npm run capture-headers\` and commit ` +
      'bench/clients/chromium-headers.json (the browser profile replays it)';
    assert.deepEqual(now.requests, fixture.requests, stale);
    assert.equal(now.userAgent, fixture.userAgent, stale);
  },
);
