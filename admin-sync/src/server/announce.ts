/**
 * Announcing an item for pickup (the Bürgerbüro console, or an API of the district's
 * document system later): the server generates the pickup code, hashes it and the date of
 * birth with the terminal's code key, and stores item, contact, code and feed change in one
 * transaction. The plain code is kept only until the ready notice has been delivered.
 */
import { randomUUID } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import { z } from 'zod';
import {
  generatePickupCode,
  ITEM_KINDS,
  type ItemAnnounced,
  keyedHash,
  normalizeSecretValue,
} from '../protocol/index.ts';
import type { FleetStorage } from './storage/storage.ts';

/** The terminal's languages (kiosk LANGUAGES): a citizen gets notices in the one they chose. */
export const NOTICE_LANGUAGES = ['de', 'de-easy', 'en', 'tr', 'ar', 'uk', 'ru', 'pl'] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];
export const isNoticeLanguage = (value: string): value is NoticeLanguage =>
  (NOTICE_LANGUAGES as readonly string[]).includes(value);

/** A mobile number in international form, e.g. +49 151 2345678 (spaces allowed). */
const MOBILE = /^\+[1-9][0-9 ]{6,18}$/;

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

export const AnnounceInputSchema = z
  .object({
    deviceId: z.string().min(1).max(100),
    reference: z.string().trim().min(1).max(200),
    itemKind: z.enum(ITEM_KINDS).exclude(['drop-off']),
    holdingDays: z.coerce.number().int().min(1).max(365).default(14),
    email: z.preprocess(blankToUndefined, z.email().max(254).optional()),
    mobile: z.preprocess(blankToUndefined, z.string().trim().regex(MOBILE).optional()),
    language: z.enum(NOTICE_LANGUAGES).default('de'),
    /** The second factor: `YYYY-MM-DD` or `DD.MM.YYYY`. Required for ID documents. */
    dateOfBirth: z.preprocess(blankToUndefined, z.string().max(20).optional()),
    /** The ID card's PIN came by separate letter: the terminal asks the citizen to confirm it. */
    needsPinLetterConfirmation: z.boolean().default(false),
    needsAccessible: z.boolean().default(false),
  })
  .refine((input) => input.email !== undefined || input.mobile !== undefined, {
    message: 'an e-mail address or a mobile number is needed to send the code',
    path: ['email'],
  })
  .refine((input) => input.itemKind !== 'id-document' || input.dateOfBirth !== undefined, {
    message: 'an ID document is handed out only with the date of birth as second factor',
    path: ['dateOfBirth'],
  })
  // Only an ID card has a PIN letter; on anything else the terminal would ask about nothing.
  .refine((input) => !input.needsPinLetterConfirmation || input.itemKind === 'id-document', {
    message: 'a PIN letter confirmation is asked only for ID documents',
    path: ['needsPinLetterConfirmation'],
  });
export type AnnounceInput = z.input<typeof AnnounceInputSchema>;

export type AnnounceError =
  | 'unknown-device'
  | 'device-without-code-key'
  | 'invalid-date-of-birth'
  | 'reference-active';

export interface Announced {
  itemId: string;
  cursor: number;
}

export async function announceItem(
  storage: FleetStorage,
  input: z.output<typeof AnnounceInputSchema>,
  actor: string,
  now: number,
): Promise<Result<Announced, AnnounceError>> {
  const device = await storage.device(input.deviceId);
  if (!device) return err('unknown-device');
  if (!device.codeKey) return err('device-without-code-key');
  const key = Buffer.from(device.codeKey, 'base64url');

  let secondFactorHash: string | null = null;
  if (input.dateOfBirth !== undefined) {
    const date = normalizeSecretValue('second-factor', input.dateOfBirth);
    if (!date.ok || !/^\d{4}-\d{2}-\d{2}$/.test(date.value)) return err('invalid-date-of-birth');
    const hashed = keyedHash(key, 'second-factor', date.value);
    if (!hashed.ok) return err('invalid-date-of-birth');
    secondFactorHash = hashed.value.toString('base64url');
  }
  const code = generatePickupCode();
  const codeHash = keyedHash(key, 'pickup-code', code);
  if (!codeHash.ok) throw new Error(`generated code cannot be hashed: ${codeHash.error}`);

  const change: ItemAnnounced = {
    kind: 'item-announced',
    itemId: randomUUID(),
    reference: input.reference,
    itemKind: input.itemKind,
    codeHash: codeHash.value.toString('base64url'),
    secondFactorHash,
    holdingDays: input.holdingDays,
    needsPinLetterConfirmation: input.needsPinLetterConfirmation,
    needsAccessible: input.needsAccessible,
    size: null,
  };
  const stored = await storage.announceItem({
    deviceId: device.id,
    change,
    contact: {
      email: input.email ?? null,
      mobile: input.mobile?.replace(/ /g, '') ?? null,
      language: input.language,
    },
    code,
    actor,
    now,
  });
  if (!stored.ok) return stored;
  return ok({ itemId: change.itemId, cursor: stored.value.cursor });
}
