/**
 * The push side of applications: a terminal's `application-submitted` is stored in the
 * transaction that records the event. The push answers a re-sent event key `duplicate`
 * without applying it again; a re-sent submission under a new key is caught by its
 * submission id (`stored: false`). The relay (relay.ts) takes it from there.
 */
import {
  ApplicationSubmittedSchema,
  type JsonValue,
  type SyncEvent,
} from '../../protocol/index.ts';
import type { ApplyContext } from '../storage/storage.ts';
import { insertApplication } from './store.ts';

export const applicationHandlers: Readonly<
  Record<'application-submitted', (event: SyncEvent, context: ApplyContext) => Promise<JsonValue>>
> = {
  'application-submitted': async (event, context) => {
    const parsed = ApplicationSubmittedSchema.safeParse(event.payload);
    if (!parsed.success) {
      // Paths and rules only: values could be ciphertext or worse.
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`);
      throw new Error(`payload of application-submitted invalid (${issues.join('; ')})`);
    }
    const stored = await insertApplication(context.tx, {
      deviceId: context.deviceId,
      seq: context.seq,
      receivedAt: context.receivedAt,
      submission: parsed.data,
    });
    return { submissionId: parsed.data.submissionId, stored };
  },
};
