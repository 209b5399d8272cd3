/**
 * The destinations config: a good file is read with its secrets; each broken one is one line
 * naming the file and the field, and `serve` refuses to start with it (exit 2).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runFleetCli } from '../testing/cli-process.ts';
import { loadApplicationsConfig } from './config.ts';
import { selfSignedRootPem } from './testing.ts';

const DESTINATION = '6d9a3c1e-2f4b-4c5d-8e7f-0a1b2c3d4e5f';
const fitConnect = (override: Record<string, unknown> = {}) => ({
  kind: 'fit-connect',
  tokenUrl: 'https://auth-testing.fit-connect.fitko.dev/token',
  submissionApiUrl: 'https://test.fit-connect.fitko.dev/submission-api/',
  clientId: 'amtomat',
  clientSecret: { file: 'fit.secret' },
  ...override,
});

describe('applications config', () => {
  let dir = '';
  const write = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-applications-config-'));
    write('fit.secret', 's3cret\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads FIT-Connect and inbox destinations, the secret from its file', () => {
    const file = write('good.json', {
      destinations: { [DESTINATION]: fitConnect(), 'rathaus-inbox': { kind: 'console-inbox' } },
    });
    const loaded = loadApplicationsConfig({ file, env: {} });
    assert.ok(loaded.ok && loaded.value, JSON.stringify(loaded));
    assert.deepEqual(loaded.value.destinations.get(DESTINATION), {
      ...fitConnect(),
      submissionApiUrl: 'https://test.fit-connect.fitko.dev/submission-api',
      clientSecret: 's3cret',
      pollSeconds: 300,
      apiVersion: 'v2',
      serviceNames: {},
    });
    assert.deepEqual(loaded.value.destinations.get('rathaus-inbox'), { kind: 'console-inbox' });
    assert.equal(loaded.value.intervalMs, 30_000);
    const fromEnv = loadApplicationsConfig({ env: { FLEET_APPLICATIONS_CONFIG: file } });
    assert.ok(fromEnv.ok && fromEnv.value?.destinations.size === 2);
    assert.deepEqual(loadApplicationsConfig({ env: {} }), { ok: true, value: undefined });
  });

  it('reads the root certificate and an inbox key for the terminals, and a mapped FIT-Connect id', () => {
    const root = selfSignedRootPem('Root');
    write('root.pem', root);
    const jwk = { kty: 'RSA', n: 'abc', e: 'AQAB', kid: 'inbox-1', key_ops: ['wrapKey'] };
    write('inbox.jwk.json', jwk);
    const file = write('keys.json', {
      destinations: {
        steueramt: fitConnect({ fitConnectDestinationId: DESTINATION }),
        'rathaus-inbox': { kind: 'console-inbox', publicKey: 'inbox.jwk.json' },
      },
      rootCertificate: 'root.pem',
    });
    const loaded = loadApplicationsConfig({ file, env: {} });
    assert.ok(loaded.ok && loaded.value, JSON.stringify(loaded));
    assert.equal(loaded.value.rootCertificate, root);
    assert.equal(loaded.value.keyRefreshMs, 3_600_000);
    assert.deepEqual(loaded.value.destinations.get('rathaus-inbox'), {
      kind: 'console-inbox',
      publicKey: jwk,
    });
    const fit = loaded.value.destinations.get('steueramt');
    assert.equal(fit?.kind === 'fit-connect' && fit.fitConnectDestinationId, DESTINATION);
  });

  it('says in one line what is wrong, never the secret', () => {
    const cases: [unknown, RegExp][] = [
      ['{"destinations": ', /not valid JSON/],
      [
        { destinations: { x: { kind: 'fax' } } },
        /destinations\.x\.kind: kind must be "fit-connect" or "console-inbox"/,
      ],
      [
        { destinations: { [DESTINATION]: fitConnect({ clientId: undefined }) } },
        new RegExp(`destinations\\.${DESTINATION}\\.clientId: `),
      ],
      [
        { destinations: { [DESTINATION]: fitConnect({ tokenUrl: 'ftp://x' }) } },
        /tokenUrl: an http\(s\) URL/,
      ],
      [
        {
          destinations: { [DESTINATION]: fitConnect({ clientSecret: { file: 'missing.secret' } }) },
        },
        /clientSecret: cannot read .*missing\.secret \(ENOENT\)/,
      ],
      [
        { destinations: { [DESTINATION]: fitConnect({ clientSecret: { env: 'FIT_SECRET' } }) } },
        /clientSecret: environment variable FIT_SECRET is not set/,
      ],
      [{ destinations: {}, extra: 1 }, /Unrecognized key: "extra"|unrecognized/i],
      [
        { destinations: {}, rootCertificate: 'fit.secret' },
        /rootCertificate: .* is not a PEM certificate/,
      ],
      [
        { destinations: { inbox: { kind: 'console-inbox', publicKey: 'fit.secret' } } },
        /destinations\.inbox\.publicKey: .* is not a JSON object \(a JWK\)/,
      ],
      [
        { destinations: { [DESTINATION]: fitConnect({ fitConnectDestinationId: 'steueramt' }) } },
        /fitConnectDestinationId: /,
      ],
    ];
    for (const [n, [content, expected]] of cases.entries()) {
      const loaded = loadApplicationsConfig({ file: write(`bad-${n}.json`, content), env: {} });
      assert.ok(!loaded.ok, `case ${n} should fail`);
      assert.match(loaded.error, expected);
      assert.match(loaded.error, new RegExp(`^applications config .*bad-${n}\\.json: `));
      assert.doesNotMatch(loaded.error, /\n|s3cret/);
    }
    const missing = loadApplicationsConfig({ file: join(dir, 'nope.json'), env: {} });
    assert.ok(!missing.ok);
    assert.match(missing.error, /cannot read \(ENOENT\)/);
  });

  it('stops serve with that line, exit 2', () => {
    const bad = write('serve-bad.json', { destinations: { x: { kind: 'fax' } } });
    const run = runFleetCli(['serve', '--data', dir, '--port', '0', '--applications-config', bad]);
    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      /^error: applications config .*serve-bad\.json: destinations\.x\.kind: [^\n]+\n$/,
    );
  });
});
