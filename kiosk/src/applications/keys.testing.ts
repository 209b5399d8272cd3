/**
 * Test keys for sealing: a root CA, a destination certificate it signed (its key as a JWK
 * with `x5c`, `key_ops: ["wrapKey"]`), and a second root that signed nothing here, made once
 * per test process with the openssl CLI (RSA key generation is the slow part).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, importPKCS8, importX509, type JWK } from 'jose';
import type { Store } from '../store/store.ts';
import { destinationKeySetting, ROOT_CERTIFICATE_SETTING } from './keys.ts';

export interface TestKeys {
  rootPem: string;
  otherRootPem: string;
  /** The destination's public key as published (JWK with x5c). */
  publicJwk: Record<string, unknown>;
  /** The destination's private key (what only the office holds). */
  privateKey: CryptoKey;
  /** The same as a JWK, e.g. for the Zustelldienst double. */
  privateJwk: JWK;
  /** The destination certificate's start and end (ms): a test's clock lies between. */
  validFrom: number;
  validTo: number;
}

let made: Promise<TestKeys> | undefined;

/** The test certificates' validity: around every simulated clock of the tests. */
const VALID_FROM = '20200101000000Z';
const VALID_TO = '20391231000000Z';
const CA_CONFIG = `[ ca ]
default_ca = test_ca
[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
[ v3_dest ]
basicConstraints = CA:FALSE
keyUsage = critical,keyEncipherment
`;

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
    // `openssl ca` for fixed validity dates: tests run on simulated clocks (2025, 2026).
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
    const request = (name: string, subject: string) =>
      openssl(
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        subject,
      );
    const sign = (name: string, extensions: string, issuer: string[]) =>
      openssl(
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        ...issuer,
        '-in',
        `${name}.csr`,
        '-out',
        `${name}.pem`,
        '-startdate',
        VALID_FROM,
        '-enddate',
        VALID_TO,
        '-extensions',
        extensions,
        '-notext',
      );
    for (const root of ['root', 'other']) {
      request(root, `/CN=Test ${root}`);
      sign(root, 'v3_ca', ['-selfsign', '-keyfile', `${root}.key`]);
    }
    request('dest', '/CN=Test destination');
    sign('dest', 'v3_dest', ['-cert', 'root.pem', '-keyfile', 'root.key']);
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    const destPem = read('dest.pem');
    const publicKey = await importX509(destPem, 'RSA-OAEP-256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const { X509Certificate } = await import('node:crypto');
    const privateKey = await importPKCS8(read('dest.key'), 'RSA-OAEP-256', { extractable: true });
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
      privateKey,
      privateJwk: { ...(await exportJWK(privateKey)), kid: 'test-destination-1' },
      validFrom: Date.parse(new X509Certificate(destPem).validFrom),
      validTo: Date.parse(new X509Certificate(destPem).validTo),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Lets the kiosk seal applications for `destinationId` with the test keys (the demo has no
 * office's key: it offers no application service until one is configured).
 */
export async function trustTestKeys(
  store: Pick<Store, 'setSetting'>,
  destinationId = 'steueramt',
): Promise<TestKeys> {
  const keys = await testKeys();
  store.setSetting(ROOT_CERTIFICATE_SETTING, keys.rootPem);
  store.setSetting(destinationKeySetting(destinationId), JSON.stringify(keys.publicJwk));
  return keys;
}
