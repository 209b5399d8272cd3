/** A signed test terminal talking to a fleet server through fastify's inject (no sockets). */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import {
  type DeviceKeyPair,
  type FeedChange,
  generateDeviceKeyPair,
  paths,
  type SyncEvent,
  signEnrolment,
  signRequest,
} from '../../protocol/index.ts';
import { createEnrolmentToken } from '../enrolment.ts';
import type { FleetStorage } from '../storage/storage.ts';

/** The code key test terminals enrol with (32 bytes, base64url). */
export const TEST_CODE_KEY = Buffer.alloc(32, 7).toString('base64url');

export interface TestDevice {
  deviceId: string;
  keys: DeviceKeyPair;
  /** A signed request; `as` signs with another identity (device id and key). */
  request(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    options?: {
      timestamp?: number;
      nonce?: string;
      as?: { deviceId: string; privateKeyPem: string };
    },
  ): Promise<LightMyRequestResponse>;
  event(seq: number, type: string, payload: Record<string, unknown>, key?: string): SyncEvent;
  push(events: SyncEvent[]): Promise<LightMyRequestResponse>;
}

export async function enrolTestDevice(
  app: FastifyInstance,
  storage: FleetStorage,
  now: () => number,
): Promise<TestDevice> {
  const keys = generateDeviceKeyPair();
  const { token } = await createEnrolmentToken(storage, { now: now() });
  const enrolled = await app.inject({
    method: 'POST',
    url: paths.enrol,
    payload: {
      token,
      publicKey: keys.publicKey,
      proof: signEnrolment(token, keys),
      codeKey: TEST_CODE_KEY,
    },
  });
  if (enrolled.statusCode !== 201) throw new Error(`enrolment failed: ${enrolled.body}`);
  const deviceId = (enrolled.json() as { deviceId: string }).deviceId;
  const device: TestDevice = {
    deviceId,
    keys,
    request(method, path, body, options = {}) {
      const payload = body === undefined ? '' : JSON.stringify(body);
      const identity = options.as ?? { deviceId, privateKeyPem: keys.privateKeyPem };
      const headers = signRequest(
        { method, path, body: payload },
        { deviceId: identity.deviceId, privateKey: identity.privateKeyPem },
        options.timestamp ?? now(),
        options.nonce,
      );
      return app.inject({
        method,
        url: path,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { payload }),
      });
    },
    event: (seq, type, payload, key = `key-${seq}`) => ({
      deviceId,
      seq,
      idempotencyKey: key,
      type,
      payload: payload as SyncEvent['payload'],
    }),
    push: (events) => device.request('POST', paths.events(deviceId), { events }),
  };
  return device;
}

/** A valid item announcement for the feed; its reference stands in for personal data. */
export const announcedItem = (itemId: string): FeedChange => ({
  kind: 'item-announced',
  itemId,
  reference: `SECRET-REF-${itemId}`,
  itemKind: 'document',
  codeHash: 'c'.repeat(43),
  secondFactorHash: null,
  holdingDays: 14,
  needsPinLetterConfirmation: false,
  needsAccessible: false,
  size: null,
});
