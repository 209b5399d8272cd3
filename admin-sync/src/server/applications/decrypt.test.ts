/**
 * The clerk's `decrypt` command: an envelope sealed (as the terminal does, with jose:
 * RSA-OAEP-256 + A256GCM) to a test key opens with the private key as PEM or as JWK and gives
 * exactly what was typed; a wrong key, a public key, a broken or altered file are one line.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JWK } from 'jose';
import { runFleetCli } from '../testing/cli-process.ts';
import { runDecrypt } from './decrypt.ts';
import type { Envelope } from './store.ts';
import { sealedSubmission, TYPED } from './testing.ts';

describe('fleet-server decrypt', () => {
  let dir = '';
  const file = (name: string) => join(dir, name);
  let envelope: Envelope;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-decrypt-'));
    const destination = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicJwk = destination.publicKey.export({ format: 'jwk' }) as JWK;
    writeFileSync(file('key.pem'), destination.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(
      file('key.jwk'),
      JSON.stringify(destination.privateKey.export({ format: 'jwk' })),
    );
    writeFileSync(file('public.jwk'), JSON.stringify(publicJwk));
    writeFileSync(
      file('public.pem'),
      destination.publicKey.export({ type: 'spki', format: 'pem' }),
    );
    writeFileSync(file('other.pem'), other.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const { pickupAtTerminal: _p, ...sealed } = await sealedSubmission(
      { ...publicJwk, key_ops: ['wrapKey'] },
      { destinationId: 'rathaus-inbox', attachments: 1 },
    );
    envelope = sealed;
    writeFileSync(file('envelope.json'), JSON.stringify(envelope));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('opens the envelope with the PEM key in a process of its own, printing what was typed', () => {
    const run = runFleetCli(['decrypt', '--key', file('key.pem'), '--in', file('envelope.json')]);
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as {
      caseNumber: string;
      data: unknown;
      attachments: unknown[];
    };
    assert.equal(out.caseNumber, envelope.caseNumber);
    assert.deepEqual(out.data, TYPED);
    assert.deepEqual(out.attachments, [
      {
        attachmentId: envelope.attachments[0]!.attachmentId,
        content: {
          attachmentId: envelope.attachments[0]!.attachmentId,
          description: 'Zeichnung 1 (auf Papier)',
        },
      },
    ]);
  });

  it('opens it with the JWK too and writes the file for its owner only', async () => {
    const result = await runDecrypt({
      key: file('key.jwk'),
      in: file('envelope.json'),
      out: file('antrag.json'),
    });
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(JSON.parse(readFileSync(file('antrag.json'), 'utf8')).data, TYPED);
    assert.equal(statSync(file('antrag.json')).mode & 0o777, 0o600);
  });

  it('says in one line what is wrong: key, file, alteration', async () => {
    writeFileSync(file('broken.json'), '{"caseNumber": "A-1"');
    writeFileSync(file('partial.json'), JSON.stringify({ ...envelope, data: 'x' }));
    const altered = { ...envelope, data: await sealedOther() };
    writeFileSync(file('altered.json'), JSON.stringify(altered));
    const cases: [Parameters<typeof runDecrypt>[0], RegExp][] = [
      [
        { key: file('other.pem'), in: file('envelope.json'), out: undefined },
        /does not open case A-T1-\d+: use the private key of destination rathaus-inbox/,
      ],
      [
        { key: file('public.pem'), in: file('envelope.json'), out: undefined },
        /is a public key; decrypting needs the destination's private key/,
      ],
      [{ key: file('public.jwk'), in: file('envelope.json'), out: undefined }, /is a public JWK/],
      [
        { key: file('envelope.json'), in: file('envelope.json'), out: undefined },
        /is a public JWK|is not a private key/,
      ],
      [
        { key: file('key.pem'), in: file('broken.json'), out: undefined },
        /is not an envelope downloaded from the console \(not JSON\)/,
      ],
      [
        { key: file('key.pem'), in: file('partial.json'), out: undefined },
        /not an envelope .* \(data missing or damaged\)/,
      ],
      [
        { key: file('key.pem'), in: file('altered.json'), out: undefined },
        /do not match the hash in its metadata/,
      ],
      [
        { key: file('missing.pem'), in: file('envelope.json'), out: undefined },
        /--key: cannot read .*missing\.pem \(ENOENT\)/,
      ],
      [{ key: undefined, in: file('envelope.json'), out: undefined }, /decrypt needs --key FILE/],
    ];
    for (const [options, expected] of cases) {
      const result = await runDecrypt(options);
      assert.ok(!result.ok, `${JSON.stringify(options)} should fail`);
      assert.match(result.error, expected);
      assert.doesNotMatch(result.error, /\n/);
    }

    // The process: that one line on stderr, exit 2, nothing on stdout.
    const run = runFleetCli(['decrypt', '--key', file('other.pem'), '--in', file('envelope.json')]);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^error: --key: .* does not open case A-T1-\d+: [^\n]+\n$/);

    /** Other data sealed to the same key: it opens, but the metadata's hash does not fit. */
    async function sealedOther() {
      const publicJwk = JSON.parse(readFileSync(file('public.jwk'), 'utf8')) as JWK;
      return (await sealedSubmission(publicJwk, { destinationId: 'x', data: { forged: true } }))
        .data;
    }
  });
});
