/**
 * Message texts per language (templates/<lang>.json, same keys in every language) and their
 * rendering: `{name}` placeholders replaced by plain text. E-mails are plain text, so nothing
 * is escaped. The files are checked when loaded: a missing key or a placeholder a kind does
 * not offer (e.g. {code} in a reminder) stops the server at start, not at the first send.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ITEM_KINDS } from '../../protocol/index.ts';
import { isNoticeLanguage, NOTICE_LANGUAGES, type NoticeLanguage } from '../announce.ts';
import { NOTICE_KINDS, type NoticeKind } from '../storage/storage.ts';

/** Placeholders every notice may use; `ready` alone also gets {code}. */
export const COMMON_PLACEHOLDERS = [
  'sender',
  'Item',
  'item',
  'action',
  'terminal',
  'place',
  'deadline',
  'deadlineShort',
  'loadedOn',
  'office',
  'idDocumentHint',
  'idDocumentHintSms',
] as const;

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;
export const placeholdersOf = (text: string): string[] =>
  [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);

const allowedFor = (kind: NoticeKind): ReadonlySet<string> =>
  new Set<string>(kind === 'ready' ? [...COMMON_PLACEHOLDERS, 'code'] : COMMON_PLACEHOLDERS);

const text = z.string().min(1);
const NoticeTextsSchema = z.object({ subject: text, text, sms: text }).strict();
const ItemKindTextsSchema = z.object({ Item: text, item: text, action: text }).strict();
const PICKUP_KINDS = ITEM_KINDS.filter((kind) => kind !== 'drop-off');

export const TemplateFileSchema = z
  .object({
    /** Per kind of item: {Item} at the start of a sentence, {item} inside one, the button. */
    itemKinds: z
      .object({
        document: ItemKindTextsSchema,
        'id-document': ItemKindTextsSchema,
        parcel: ItemKindTextsSchema,
        object: ItemKindTextsSchema,
      })
      .strict(),
    idDocumentHint: text,
    idDocumentHintSms: text,
    /** How a configured office text is introduced; must contain {office}. */
    officeLine: text.refine((line) => line.includes('{office}'), 'needs {office}'),
    officeFallback: text,
    noDeadline: text,
    /** The SMS code of applications: {sender}, {code}, {minutes}. */
    smsCode: text
      .refine(
        (sms) => placeholdersOf(sms).every((name) => ['sender', 'code', 'minutes'].includes(name)),
        'only {sender}, {code} and {minutes}',
      )
      .refine((sms) => placeholdersOf(sms).includes('code'), 'needs {code}'),
    notices: z
      .object({
        ready: NoticeTextsSchema,
        reminder: NoticeTextsSchema,
        expiring: NoticeTextsSchema,
        expired: NoticeTextsSchema,
      } satisfies Record<NoticeKind, typeof NoticeTextsSchema>)
      .strict(),
  })
  .strict()
  .superRefine((file, ctx) => {
    for (const kind of NOTICE_KINDS) {
      const allowed = allowedFor(kind);
      for (const [field, value] of Object.entries(file.notices[kind])) {
        for (const name of placeholdersOf(value)) {
          if (!allowed.has(name)) {
            ctx.addIssue({
              code: 'custom',
              path: ['notices', kind, field],
              message: `placeholder {${name}} is not available in a ${kind} notice`,
            });
          }
        }
      }
    }
    if (!placeholdersOf(file.notices.ready.text).includes('code')) {
      ctx.addIssue({ code: 'custom', path: ['notices', 'ready', 'text'], message: 'needs {code}' });
    }
    if (!placeholdersOf(file.notices.ready.sms).includes('code')) {
      ctx.addIssue({ code: 'custom', path: ['notices', 'ready', 'sms'], message: 'needs {code}' });
    }
  });

export type TemplateFile = z.output<typeof TemplateFileSchema>;

export function loadTemplates(language: NoticeLanguage): TemplateFile {
  const url = new URL(`./templates/${language}.json`, import.meta.url);
  const parsed = TemplateFileSchema.safeParse(JSON.parse(readFileSync(url, 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`templates/${language}.json: ${issues.join('; ')}`);
  }
  return parsed.data;
}

export const TEMPLATES: Readonly<Record<NoticeLanguage, TemplateFile>> = Object.fromEntries(
  NOTICE_LANGUAGES.map((language) => [language, loadTemplates(language)]),
) as Record<NoticeLanguage, TemplateFile>;

/** What a message is made of; everything but the code may be shown to anyone. */
export interface NoticeFacts {
  kind: NoticeKind;
  language: string;
  itemKind: string | null;
  /** The terminal's label, e.g. `Rathaus Mayen`. */
  terminal: string | null;
  place: string | undefined;
  office: string | undefined;
  senderName: string;
  loadedAt: number | null;
  deadline: number | null;
  timeZone: string;
  /** Only for `ready`. */
  code?: string;
}

export interface RenderedNotice {
  language: NoticeLanguage;
  subject: string;
  text: string;
  sms: string;
}

/** Dates per language: British English (day first), Arabic with the digits of the code. */
const LOCALES: Record<NoticeLanguage, string> = {
  de: 'de-DE',
  'de-easy': 'de-DE',
  en: 'en-GB',
  tr: 'tr-TR',
  ar: 'ar-u-nu-latn',
  uk: 'uk-UA',
  ru: 'ru-RU',
  pl: 'pl-PL',
};

const languageOf = (language: string): NoticeLanguage =>
  isNoticeLanguage(language) ? language : 'de';

function formatDate(at: number, language: NoticeLanguage, timeZone: string, long: boolean) {
  const options: Intl.DateTimeFormatOptions = long
    ? { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone }
    : { day: '2-digit', month: '2-digit', year: 'numeric', timeZone };
  return new Intl.DateTimeFormat(LOCALES[language], options).format(at);
}

/** Replaces each `{name}`; an unknown name is an error (the files are checked at load). */
export function fill(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`no value for ${whole}`);
    return value;
  });
}

/** Empty optional paragraphs leave no gaps: at most one blank line, no trailing spaces. */
const tidy = (message: string) =>
  message
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

export function renderNotice(facts: NoticeFacts): RenderedNotice {
  const language = languageOf(facts.language);
  const t = TEMPLATES[language];
  const itemKind = (PICKUP_KINDS as readonly string[]).includes(facts.itemKind ?? '')
    ? (facts.itemKind as (typeof PICKUP_KINDS)[number])
    : 'document';
  const isId = itemKind === 'id-document';
  const terminal = facts.terminal ?? 'Amt-O-Mat';
  const vars: Record<string, string> = {
    ...t.itemKinds[itemKind],
    sender: facts.senderName,
    terminal,
    place: facts.place ?? terminal,
    deadline:
      facts.deadline === null
        ? t.noDeadline
        : formatDate(facts.deadline, language, facts.timeZone, true),
    deadlineShort:
      facts.deadline === null
        ? t.noDeadline
        : formatDate(facts.deadline, language, facts.timeZone, false),
    loadedOn:
      facts.loadedAt === null ? '' : formatDate(facts.loadedAt, language, facts.timeZone, true),
    office: facts.office ? fill(t.officeLine, { office: facts.office }) : t.officeFallback,
    idDocumentHint: isId ? t.idDocumentHint : '',
    idDocumentHintSms: isId ? t.idDocumentHintSms : '',
    ...(facts.code === undefined ? {} : { code: facts.code }),
  };
  const texts = t.notices[facts.kind];
  return {
    language,
    subject: fill(texts.subject, vars),
    text: `${tidy(fill(texts.text, vars))}\n`,
    sms: tidy(fill(texts.sms, vars)),
  };
}
