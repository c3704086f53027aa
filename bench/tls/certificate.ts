/**
 * A fresh self-signed certificate per run, made by the `openssl` command (no hand-made ASN.1): a P-256
 * key, valid one day, for IP 127.0.0.1 and DNS localhost, so clients can trust exactly this
 * certificate (as its own CA) and verify the host name instead of turning verification off.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TlsMaterial {
  /** PEM certificate: the server presents it and clients trust it as their only CA. */
  cert: string;
  /** PEM private key (PKCS#8). */
  key: string;
}

const INSTALL_HINT = 'the openssl command was not found: install it (apt-get install openssl) and run again';

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error(INSTALL_HINT));
      reject(new Error(`openssl ${args[0]} failed: ${stderr.trim().split('\n')[0] ?? err.message}`));
    });
  });
}

export async function makeCertificate(): Promise<TlsMaterial> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pollbench-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    return { cert, key };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
