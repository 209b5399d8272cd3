/**
 * Destination keys to the terminals: each relay cycle, every destination's public key (a
 * FIT-Connect destination's as its Submission API publishes it, read again every
 * `keyRefreshMs`; a console inbox's from its configured file) goes with the configured root
 * certificate into each terminal's feed as a `destination-key` change — once per device and
 * key: a change is appended only when it differs from the last one that device was sent.
 * The fleet relays keys unchecked: the terminal validates them on arrival (chain, expiry) and
 * keeps its last good key when one does not check out.
 */
import type { Logger } from '@amtomat/basics';
import type { JWK } from 'jose';
import {
  canonicalJson,
  type DestinationKeyChange,
  DestinationKeyChangeSchema,
  type JsonValue,
} from '../../protocol/index.ts';
import type { SqlQueryable } from '../storage/driver.ts';
import { appendFeedIn } from '../storage/feed-sql.ts';
import type { FleetStorage } from '../storage/storage.ts';
import type { ApplicationsConfig, FitConnectDestination } from './config.ts';
import type { FitConnectClient } from './fit-connect.ts';

const DEFAULT_REFRESH_MS = 3_600_000;

export interface KeyDistributor {
  /** Sends what changed to every terminal; answers how many feed changes were appended. */
  runOnce(): Promise<number>;
}

/** The last destination-key change each destination got on this device's feed. */
async function lastSent(q: SqlQueryable, deviceId: string): Promise<Map<string, string>> {
  const rows = await q.all<{ change: string }>(
    `SELECT change FROM feed WHERE device_id = ? AND kind = 'destination-key' ORDER BY cursor`,
    [deviceId],
  );
  const sent = new Map<string, string>();
  for (const row of rows) {
    const parsed = DestinationKeyChangeSchema.safeParse(JSON.parse(row.change));
    if (parsed.success) sent.set(parsed.data.destinationId, canonicalJson(parsed.data));
  }
  return sent;
}

export function createKeyDistributor(options: {
  storage: FleetStorage;
  config: ApplicationsConfig;
  clientOf: (id: string, destination: FitConnectDestination) => FitConnectClient;
  now: () => number;
  logger: Logger;
}): KeyDistributor {
  const { storage, config, logger } = options;
  const refreshMs = config.keyRefreshMs ?? DEFAULT_REFRESH_MS;
  const fetched = new Map<string, { key: JWK; at: number }>();

  /** A FIT-Connect destination's published key, read again when due; the last one meanwhile. */
  async function publishedKey(
    id: string,
    destination: FitConnectDestination,
  ): Promise<JWK | undefined> {
    const cached = fetched.get(id);
    if (cached && options.now() - cached.at < refreshMs) return cached.key;
    const answer = await options
      .clientOf(id, destination)
      .destinationKey(destination.fitConnectDestinationId ?? id);
    if (!answer.ok) {
      logger.log('warn', 'applications.key-unavailable', {
        destinationId: id,
        reason: answer.error.reason,
      });
      return cached?.key;
    }
    fetched.set(id, { key: answer.value, at: options.now() });
    return answer.value;
  }

  async function currentChanges(root: string): Promise<DestinationKeyChange[]> {
    const changes: DestinationKeyChange[] = [];
    for (const [destinationId, destination] of config.destinations) {
      const key =
        destination.kind === 'fit-connect'
          ? await publishedKey(destinationId, destination)
          : destination.publicKey;
      if (!key) continue;
      const change = DestinationKeyChangeSchema.safeParse({
        kind: 'destination-key',
        destinationId,
        key: key as Record<string, JsonValue>,
        rootCertificate: root,
      });
      if (change.success) changes.push(change.data);
      else logger.log('warn', 'applications.key-unusable', { destinationId });
    }
    return changes;
  }

  return {
    async runOnce() {
      const root = config.rootCertificate;
      if (root === undefined) return 0;
      const changes = await currentChanges(root);
      if (changes.length === 0) return 0;
      let appended = 0;
      for (const device of await storage.devices()) {
        appended += await storage.sql.transaction(async (tx) => {
          const sent = await lastSent(tx, device.id);
          // Key order does not make a key different: compared canonically.
          let added = 0;
          for (const change of changes) {
            if (sent.get(change.destinationId) === canonicalJson(change)) continue;
            if ((await appendFeedIn(tx, device.id, change, options.now())) !== undefined) {
              added += 1;
            }
          }
          return added;
        });
      }
      if (appended > 0) logger.log('info', 'applications.keys-delivered', { changes: appended });
      return appended;
    },
  };
}
