/**
 * The run's certificate: made by the openssl command, fresh per call, for exactly what the clients
 * connect to (127.0.0.1 and localhost), a P-256 key, one day; and one clear line without openssl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { makeCertificate } from '../../bench/tls/certificate.ts';

const tempDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('pollbench-tls-'));

test('a fresh self-signed P-256 certificate for 127.0.0.1 and localhost, valid one day; no temp files left', async () => {
  const before = tempDirs();
  const [a, b] = await Promise.all([makeCertificate(), makeCertificate()]);
  assert.deepEqual(tempDirs(), before, 'its temp dirs are removed');
  const cert = new X509Certificate(a.cert);
  assert.ok(cert.checkIP('127.0.0.1'), 'IP SAN 127.0.0.1');
  assert.equal(cert.checkHost('localhost'), 'localhost');
  assert.ok(cert.verify(cert.publicKey), 'self-signed');
  assert.ok(cert.checkPrivateKey(createPrivateKey(a.key)), 'the key belongs to the certificate');
  assert.equal(cert.publicKey.asymmetricKeyType, 'ec');
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
  assert.ok(days >= 0.99 && days <= 1.01, `valid ${days} days`);
  assert.notEqual(new X509Certificate(b.cert).serialNumber, cert.serialNumber, 'a new certificate per call');
});

test('without openssl: one line that says how to install it', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    await assert.rejects(makeCertificate(), (err: Error) => {
      assert.match(err.message, /apt-get install openssl/);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
  } finally {
    process.env.PATH = path;
  }
});
