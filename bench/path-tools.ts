/**
 * Before a plan starts: what its network paths need from the machine. A certificate made for this
 * plan when any path uses TLS (clients trust exactly it), and nginx when any path puts it in front.
 * Anything missing is one sentence saying how to install it; the command exits 2 before any run.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { scenarioPaths } from './matrix.ts';
import { makeCertificate, type TlsMaterial } from './tls/certificate.ts';
import { ProxyUnavailableError, findNginx } from './proxy/nginx.ts';
import type { Scenario } from './scenarios/schema.ts';

export class PathUnavailableError extends Error {}

export interface PreparedPaths {
  tls: TlsMaterial | null;
  /** What the certificate is and what made it, for the result's context. */
  tlsInfo: { certificate: string; maker: string } | null;
  nginx: { path: string; version: string } | null;
}

export async function preparePaths(scenario: Scenario): Promise<PreparedPaths> {
  const paths = scenarioPaths(scenario);
  let nginx: PreparedPaths['nginx'] = null;
  if (paths.some((p) => p.proxy === 'nginx')) {
    nginx = findNginx();
    if (!nginx) throw new PathUnavailableError(new ProxyUnavailableError().message);
  }
  let tls: TlsMaterial | null = null;
  let tlsInfo: PreparedPaths['tlsInfo'] = null;
  if (paths.some((p) => p.tls)) {
    try {
      tls = await makeCertificate();
    } catch (err) {
      throw new PathUnavailableError((err as Error).message);
    }
    const x509 = new X509Certificate(tls.cert);
    const key = x509.publicKey.asymmetricKeyDetails;
    tlsInfo = {
      certificate: `self-signed for this plan: ${x509.subject.replace(/\n/g, ', ')}; ${x509.subjectAltName ?? 'no SAN'}; ${x509.publicKey.asymmetricKeyType ?? 'key'}${key?.namedCurve ? ` ${key.namedCurve}` : ''}; valid until ${x509.validTo}; SHA-256 ${x509.fingerprint256}`,
      maker: opensslVersion(),
    };
  }
  return { tls, tlsInfo, nginx };
}

function opensslVersion(): string {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'openssl';
  }
}
