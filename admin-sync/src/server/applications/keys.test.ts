/**
 * Destination keys to the terminals, on SQLite and PostgreSQL: with a root certificate
 * configured, each relay cycle puts every destination's key — FIT-Connect's as the
 * Zustelldienst double (a real HTTP server) publishes it, a console inbox's from the config —
 * into the terminal's feed once, again only when it changes. A catalogue id mapped to a
 * FIT-Connect destination id gets that destination's key, and its submissions go there.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { DestinationKeyChange } from '../../protocol/index.ts';
import { type Harness, openHarness } from '../console/testing.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { startZustelldienst, type Zustelldienst } from '../testing/zustelldienst.ts';
import type { ApplicationsConfig } from './config.ts';
import { createApplicationRelay } from './relay.ts';
import {
  destinationKeys,
  INBOX_ID,
  relayConfig,
  sealedSubmission,
  selfSignedRootPem,
} from './testing.ts';

/** The fleet relays it, the terminals check against it. */
const ROOT_PEM = selfSignedRootPem();

for (const adapter of storageAdapters()) {
  describe(`destination keys to the terminals on ${adapter.name}`, () => {
    let h: Harness;
    let double: Zustelldienst;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      h = await openHarness(adapter);
      double = await startZustelldienst();
    });
    afterEach(async () => {
      await double.close();
      await h.close();
    });

    const keyChanges = async (): Promise<DestinationKeyChange[]> =>
      (await h.storage.feed(h.device.deviceId, 0, 100)).entries
        .map((entry) => entry.change)
        .filter((change): change is DestinationKeyChange => change.kind === 'destination-key');
    const relayWith = (config: ApplicationsConfig) =>
      createApplicationRelay({ storage: h.storage, config, clock: h.clock, logger: h.logger });

    it('delivers each key once, with the root; a changed key again', async () => {
      const inboxKey = destinationKeys().publicJwk;
      const base = relayConfig(double);
      const destinations = new Map(base.destinations);
      destinations.set(INBOX_ID, { kind: 'console-inbox', publicKey: { ...inboxKey } });
      const config = { ...base, destinations, rootCertificate: ROOT_PEM };
      const relay = relayWith(config);
      assert.equal(await relay.distributeKeys(), 2);
      const sent = await keyChanges();
      assert.deepEqual(
        sent.map((change) => [change.destinationId, change.rootCertificate]),
        [
          [double.destinationId, ROOT_PEM],
          [INBOX_ID, ROOT_PEM],
        ],
      );
      assert.deepEqual(sent[0]!.key, double.publicJwk);
      assert.deepEqual(sent[1]!.key, inboxKey);
      // Nothing changed: nothing sent, also not by the cycles.
      assert.equal(await relay.distributeKeys(), 0);
      await relay.runOnce();
      assert.equal((await keyChanges()).length, 2);
      // The inbox's key is replaced: the terminal hears of it once.
      const next = destinationKeys().publicJwk;
      destinations.set(INBOX_ID, { kind: 'console-inbox', publicKey: { ...next } });
      assert.equal(await relay.distributeKeys(), 1);
      assert.equal(await relay.distributeKeys(), 0);
      assert.deepEqual((await keyChanges()).at(-1)?.key, next);
      await relay.stop();
    });

    it('without a root certificate no key is delivered', async () => {
      const relay = relayWith(relayConfig(double));
      assert.equal(await relay.distributeKeys(), 0);
      assert.deepEqual(await keyChanges(), []);
      await relay.stop();
    });

    it('a catalogue id mapped to a FIT-Connect destination: its key and its submissions', async () => {
      const fit = relayConfig(double).destinations.get(double.destinationId)!;
      assert.equal(fit.kind, 'fit-connect');
      const relay = relayWith({
        destinations: new Map([
          ['steueramt', { ...fit, fitConnectDestinationId: double.destinationId }],
        ]),
        intervalMs: 1_000,
        rootCertificate: ROOT_PEM,
      });
      assert.equal(await relay.distributeKeys(), 1);
      const [change] = await keyChanges();
      assert.equal(change?.destinationId, 'steueramt');
      assert.deepEqual(change?.key, double.publicJwk);
      const submission = await sealedSubmission(double.publicJwk, { destinationId: 'steueramt' });
      const reply = await h.device.push([h.device.event(1, 'application-submitted', submission)]);
      assert.equal(reply.statusCode, 200, reply.body);
      await relay.runOnce();
      const [received, ...more] = double.submitted();
      assert.equal(more.length, 0);
      assert.equal(received?.destinationId, double.destinationId);
      assert.equal(received?.encryptedData, submission.data);
      await relay.stop();
    });
  });
}
