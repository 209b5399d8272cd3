/**
 * Applications at the terminal (issue #12), the parts the flow's effects use: the form
 * catalogue in force, whether a service can be offered (its destination's key), and the
 * submission itself: sealed, then enqueued with its audit entry in one transaction. Nothing
 * a citizen typed is logged, audited or stored: only the JWE goes into the outbox.
 */
import {
  type Answers,
  type ApplicationSubmitted,
  shippedCatalogue as embeddedCatalogue,
  type FormCatalogue,
  FormCatalogueFormsSchema,
  type FormDefinition,
} from '@amtomat/admin-sync/protocol';
import { err, type Logger, ok, type Result } from '@amtomat/basics';
import { z } from 'zod';
import { FORM_CATALOGUE_SETTING } from '../service/feed.ts';
import type { Store } from '../store/store.ts';
import { raiseKeyAlarm } from './key-delivery.ts';
import {
  type DestinationKey,
  destinationKey,
  destinationKeySetting,
  destinationRootSetting,
  type KeyProblem,
  ROOT_CERTIFICATE_SETTING,
} from './keys.ts';
import { newCaseNumber, sealSubmission } from './seal.ts';

const StoredCatalogueSchema = z.object({
  version: z.string().min(1).max(50),
  forms: FormCatalogueFormsSchema,
});

let shipped: FormCatalogue | undefined;

/** The catalogue shipped with the software (the repository's `admin-sync/forms`). */
function shippedCatalogue(logger: Logger): FormCatalogue {
  if (!shipped) {
    const loaded = embeddedCatalogue();
    if (!loaded.ok) {
      // A packaging fault, not a person's: no service is offered rather than a wrong one.
      logger.log('error', 'applications.catalogue_invalid', { problem: loaded.error[0] ?? null });
      shipped = { version: 'none', forms: [] };
    } else shipped = loaded.value;
  }
  return shipped;
}

/**
 * The catalogue in force: the last one the fleet sent that parses, else the shipped one.
 * (The feed checks a catalogue before storing it, so a bad one never replaces a good one;
 * this check guards against a store written by an older version.)
 */
export function activeCatalogue(store: Store, logger: Logger): FormCatalogue {
  const stored = store.setting(FORM_CATALOGUE_SETTING);
  if (stored !== undefined) {
    try {
      const parsed = StoredCatalogueSchema.safeParse(JSON.parse(stored));
      if (parsed.success) return parsed.data;
    } catch {
      // falls through to the shipped catalogue
    }
    logger.log('warn', 'applications.stored_catalogue_invalid', {});
  }
  return shippedCatalogue(logger);
}

/** Where the destination keys come from (the terminal's settings). */
function readKey(store: Store, destinationId: string): unknown {
  const stored = store.setting(destinationKeySetting(destinationId));
  if (stored === undefined) return null;
  try {
    return JSON.parse(stored) as unknown;
  } catch {
    return {};
  }
}

/** The root a destination's key is checked against: the one it came with, else the terminal's. */
const rootOf = (store: Store, destinationId: string): string | null =>
  store.setting(destinationRootSetting(destinationId)) ??
  store.setting(ROOT_CERTIFICATE_SETTING) ??
  null;

/** The destination key of a form, validated now; one that cannot be used raises the alarm. */
export async function usableKey(
  store: Store,
  form: FormDefinition,
  now: number,
  logger: Logger,
): Promise<Result<DestinationKey, KeyProblem>> {
  const key = await destinationKey(
    readKey(store, form.destinationId),
    rootOf(store, form.destinationId),
    now,
  );
  if (!key.ok) {
    raiseKeyAlarm(store, form.destinationId, key.error, now);
    logger.log('warn', 'applications.destination_unusable', {
      destination: form.destinationId,
      reason: key.error,
    });
  }
  return key;
}

export type SubmitProblem = KeyProblem | 'data-invalid';

/**
 * Seals and enqueues a submission; answers its case number. The outbox event and the audit
 * entry (case number, service, version: never content) are written in one transaction.
 */
export async function submitApplication(input: {
  store: Store;
  logger: Logger;
  form: FormDefinition;
  answers: Answers;
  now: number;
}): Promise<Result<ApplicationSubmitted, SubmitProblem>> {
  const { store, logger, form } = input;
  const key = await usableKey(store, form, input.now, logger);
  if (!key.ok) return key;
  const sealed = await sealSubmission({
    form,
    answers: input.answers,
    destination: key.value,
    caseNumber: newCaseNumber(),
    now: input.now,
  });
  if (!sealed.ok) {
    logger.log('error', 'applications.data_invalid', { service: form.id, version: form.version });
    return err(sealed.error);
  }
  const event = sealed.value;
  store.transaction(() => {
    store.enqueue('application-submitted', event, event.submissionId);
    store.audit({
      actor: 'citizen',
      action: 'application-submitted',
      subject: event.caseNumber,
      details: { service: form.id, version: form.version, submissionId: event.submissionId },
    });
  });
  logger.log('info', 'applications.submitted', { service: form.id, case: event.caseNumber });
  return ok(event);
}
