/**
 * Test keys for sealing: a root CA, a destination certificate it signed (its key as a JWK
 * with `x5c`, `key_ops: ["wrapKey"]`), and a second root that signed nothing here, made once
 * per test process with the openssl CLI (RSA key generation is the slow part).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, importPKCS8, importX509 } from 'jose';

export interface TestKeys {
  rootPem: string;
  otherRootPem: string;
  /** The destination's public key as published (JWK with x5c). */
  publicJwk: Record<string, unknown>;
  /** The destination's private key (what only the office holds). */
  privateKey: CryptoKey;
  /** The destination certificate's start and end (ms): a test's clock lies between. */
  validFrom: number;
  validTo: number;
}

let made: Promise<TestKeys> | undefined;

export function testKeys(): Promise<TestKeys> {
  made ??= makeKeys();
  return made;
}

const der = (pem: string) =>
  pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');

async function makeKeys(): Promise<TestKeys> {
  const dir = mkdtempSync(join(tmpdir(), 'application-keys-'));
  try {
    const openssl = (...args: string[]) =>
      execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ca = (name: string) =>
      openssl(
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.pem`,
        '-days',
        '3650',
        '-subj',
        `/CN=Test ${name}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign',
      );
    ca('root');
    ca('other');
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'dest.key',
      '-out',
      'dest.csr',
      '-subj',
      '/CN=Test destination',
    );
    writeFileSync(
      join(dir, 'ext.cnf'),
      'keyUsage=critical,keyEncipherment\nbasicConstraints=CA:FALSE\n',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      'dest.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-out',
      'dest.pem',
      '-days',
      '365',
      '-extfile',
      'ext.cnf',
    );
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    const destPem = read('dest.pem');
    const publicKey = await importX509(destPem, 'RSA-OAEP-256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const { X509Certificate } = await import('node:crypto');
    return {
      rootPem: read('root.pem'),
      otherRootPem: read('other.pem'),
      publicJwk: {
        ...jwk,
        kid: 'test-destination-1',
        alg: 'RSA-OAEP-256',
        key_ops: ['wrapKey'],
        x5c: [der(destPem)],
      },
      privateKey: await importPKCS8(read('dest.key'), 'RSA-OAEP-256'),
      validFrom: Date.parse(new X509Certificate(destPem).validFrom),
      validTo: Date.parse(new X509Certificate(destPem).validTo),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
