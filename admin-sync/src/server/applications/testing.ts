/**
 * For the application tests: a submission sealed as the terminal seals it (data and each
 * attachment JWE compact, RSA-OAEP-256 + A256GCM, to the destination's public key), with
 * metadata in FIT-Connect's shape (hashes, no typed value), and a relay config pointing at a
 * Zustelldienst double or a console inbox.
 */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import type { ApplicationSubmitted } from '../../protocol/index.ts';
import type { Harness } from '../console/testing.ts';
import type { Zustelldienst } from '../testing/zustelldienst.ts';
import type { ApplicationsConfig } from './config.ts';
import { createApplicationRelay } from './relay.ts';

/** What the citizen "typed": none of it may show up on the server in plain text. */
export const TYPED = {
  halter: 'Erika Mustermann-Geheim',
  strasse: 'Heidestraße 17',
  hund: 'Bello von der Waldwiese',
  rasse: 'Dackel',
  geboren: '2021-04-01',
};

export async function seal(value: unknown, publicJwk: JWK): Promise<string> {
  const { key_ops: _ops, use: _use, ...jwk } = publicJwk;
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(value)))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'application/json' })
    .encrypt(await importJWK(jwk, 'RSA-OAEP-256'));
}

const sha512 = (text: string) => createHash('sha512').update(text).digest('hex');

let cases = 0;

export async function sealedSubmission(
  publicJwk: JWK,
  options: {
    destinationId: string;
    data?: unknown;
    attachments?: number;
    pickupAtTerminal?: boolean;
    serviceId?: string;
    caseNumber?: string;
  },
): Promise<ApplicationSubmitted> {
  const data = options.data ?? TYPED;
  const attachments = await Promise.all(
    Array.from({ length: options.attachments ?? 1 }, async (_, n) => {
      const attachmentId = randomUUID();
      const description = { attachmentId, description: `Zeichnung ${n + 1} (auf Papier)` };
      return { attachmentId, jwe: await seal(description, publicJwk), plain: description };
    }),
  );
  cases += 1;
  return {
    submissionId: randomUUID(),
    caseNumber: options.caseNumber ?? `A-T1-${String(cases).padStart(5, '0')}`,
    serviceId: options.serviceId ?? 'hund-anmelden',
    leikaKey: '99036004001000',
    formVersion: '1.0.0',
    destinationId: options.destinationId,
    metadata: {
      $schema: 'https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json',
      contentStructure: {
        data: {
          hash: { type: 'sha512', content: sha512(JSON.stringify(data)) },
          submissionSchema: {
            schemaUri: 'https://amtomat.example/forms/hund-anmelden/1.0.0.schema.json',
            mimeType: 'application/json',
          },
        },
        attachments: attachments.map((a) => ({
          attachmentId: a.attachmentId,
          hash: { type: 'sha512', content: sha512(JSON.stringify(a.plain)) },
          purpose: 'attachment',
          mimeType: 'application/json',
        })),
      },
    },
    data: await seal(data, publicJwk),
    attachments: attachments.map(({ attachmentId, jwe }) => ({ attachmentId, jwe })),
    pickupAtTerminal: options.pickupAtTerminal ?? false,
    submittedAt: 1_750_000_000_000,
  };
}

export const INBOX_ID = 'rathaus-inbox';

/** A config with the double's destination and a console inbox. */
export const relayConfig = (
  double: Zustelldienst,
  pollSeconds = 60,
  apiVersion: 'v1' | 'v2' = 'v2',
): ApplicationsConfig => ({
  destinations: new Map([
    [
      double.destinationId,
      {
        kind: 'fit-connect',
        tokenUrl: double.tokenUrl,
        submissionApiUrl: double.submissionApiUrl,
        clientId: double.clientId,
        clientSecret: double.clientSecret,
        pollSeconds,
        apiVersion,
        serviceNames: { 'hund-anmelden': 'Hundesteuer: Anmeldung eines Hundes' },
      },
    ],
    [INBOX_ID, { kind: 'console-inbox' }],
  ]),
  intervalMs: 1_000,
});

/**
 * The file `--applications-config` reads for a fleet server process relaying to the double
 * (cycles and polls every second): the double's destination under its own id, or under each
 * of `catalogueIds` mapped to it; with `rootCertificate` (a PEM file beside it) the fleet
 * delivers the destination keys to its terminals.
 */
export function writeRelayConfigFile(
  file: string,
  double: Zustelldienst,
  options: { catalogueIds?: readonly string[]; rootCertificate?: string } = {},
): string {
  const fitConnect = {
    kind: 'fit-connect',
    tokenUrl: double.tokenUrl,
    submissionApiUrl: double.submissionApiUrl,
    clientId: double.clientId,
    clientSecret: { value: double.clientSecret },
    pollSeconds: 1,
  };
  const destinations = options.catalogueIds
    ? Object.fromEntries(
        options.catalogueIds.map((id) => [
          id,
          { ...fitConnect, fitConnectDestinationId: double.destinationId },
        ]),
      )
    : { [double.destinationId]: fitConnect };
  writeFileSync(
    file,
    JSON.stringify({
      intervalSeconds: 1,
      destinations,
      ...(options.rootCertificate && { rootCertificate: options.rootCertificate }),
    }),
  );
  return file;
}

/**
 * A fresh destination key pair (RSA, as FIT-Connect's), its public JWK as published and the
 * private key as PEM for `decrypt`.
 */
export function destinationKeys(): { publicJwk: JWK; privatePem: string } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicJwk: { ...(pair.publicKey.export({ format: 'jwk' }) as JWK), key_ops: ['wrapKey'] },
    privatePem: String(pair.privateKey.export({ type: 'pkcs8', format: 'pem' })),
  };
}

/**
 * The console harness's terminal submits applications to the console inbox and the relay
 * takes them there: as a clerk finds them.
 */
export async function submitToInbox(
  h: Pick<Harness, 'device' | 'storage' | 'clock'>,
  publicJwk: JWK,
  submissions: readonly { pickupAtTerminal?: boolean; caseNumber?: string }[],
  firstSeq = 1,
): Promise<ApplicationSubmitted[]> {
  const sealed: ApplicationSubmitted[] = [];
  for (const [n, options] of submissions.entries()) {
    const submission = await sealedSubmission(publicJwk, { destinationId: INBOX_ID, ...options });
    const reply = await h.device.push([
      h.device.event(firstSeq + n, 'application-submitted', submission),
    ]);
    if (reply.statusCode !== 200) throw new Error(`push refused: ${reply.body}`);
    sealed.push(submission);
  }
  const relay = createApplicationRelay({
    storage: h.storage,
    config: { destinations: new Map([[INBOX_ID, { kind: 'console-inbox' }]]), intervalMs: 1_000 },
    clock: h.clock,
  });
  await relay.runOnce();
  await relay.stop();
  return sealed;
}

/** A self-signed root certificate (PEM), made by openssl: the fleet relays it to the terminals. */
export function selfSignedRootPem(commonName = 'Test root'): string {
  const subject = ['-subj', `/CN=${commonName}`, '-days', '30'];
  return execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null', ...subject],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
}
