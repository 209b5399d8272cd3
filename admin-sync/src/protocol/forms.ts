/**
 * The form catalogue of applications (issue #12): one declarative, versioned definition per
 * service, authored by the town hall as a JSON file and delivered to terminals through the
 * `form-catalogue` feed change. From each definition come (a) the questions the terminal asks,
 * (b) the checks of each answer (`checkAnswer`, message codes the page words in its language)
 * and (c) a JSON Schema (2020-12) of the submitted data (`dataSchemaOf`), which every
 * submission is checked against before it is sealed, and which the receiving office reads.
 *
 * Strict schemas: a misspelt key in a catalogue file is refused with its path, not ignored.
 */
import { z } from 'zod';
import { ServiceIdSchema } from './application.ts';

/** The terminal's languages; every text of a form exists in each (German first). */
export const FORM_LANGUAGES = ['de', 'de-easy', 'en', 'tr', 'ar', 'uk', 'ru', 'pl'] as const;
export type FormLanguage = (typeof FORM_LANGUAGES)[number];

const text = (max: number) => z.string().trim().min(1).max(max);
/** One text in every language of the terminal. */
export const TextsSchema = (max = 300) =>
  z
    .object({
      de: text(max),
      'de-easy': text(max),
      en: text(max),
      tr: text(max),
      ar: text(max),
      uk: text(max),
      ru: text(max),
      pl: text(max),
    })
    .strict();
export type Texts = Record<FormLanguage, string>;

/** A field id: the key in the submitted data (camelCase, stable across versions). */
const FieldIdSchema = z.string().regex(/^[a-z][a-zA-Z0-9]{0,39}$/, 'field id (camelCase)');
const OptionValueSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'option value (kebab-case)');

export const FIELD_TYPES = [
  'text',
  'multiline',
  'number',
  'date',
  'choice',
  'yes-no',
  'address',
  'phone',
  'email',
  'iban',
  'postcode',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The longest answer a field may allow (also the default of multi-line fields). */
export const MAX_TEXT_LENGTH = 2000;
export const DEFAULT_TEXT_LENGTH = 100;

const ShowIfSchema = z
  .object({
    /** An earlier field of the same form. */
    field: FieldIdSchema,
    /** Shown when that field's answer is one of these. */
    equals: z
      .array(z.union([z.string().max(100), z.boolean(), z.number()]))
      .min(1)
      .max(20),
  })
  .strict();

export const FieldSchema = z
  .object({
    id: FieldIdSchema,
    type: z.enum(FIELD_TYPES),
    label: TextsSchema(200),
    hint: TextsSchema(300).optional(),
    required: z.boolean(),
    showIf: ShowIfSchema.optional(),
    /** text, multiline: most characters. */
    maxLength: z.number().int().min(1).max(MAX_TEXT_LENGTH).optional(),
    /** number: the range (integers only unless `decimals`). */
    min: z.number().optional(),
    max: z.number().optional(),
    /** date: in the past (birth dates, "since when") or the future (a date window). */
    when: z.enum(['past', 'future', 'any']).optional(),
    /** choice: the options, their values go into the data. */
    options: z
      .array(z.object({ value: OptionValueSchema, label: TextsSchema(200) }).strict())
      .min(2)
      .max(30)
      .optional(),
  })
  .strict();
export type FormField = z.infer<typeof FieldSchema>;

/** A mobile number in international form (E.164). */
export const E164_MOBILE = /^\+[1-9]\d{7,14}$/;
/**
 * The key of the SMS-confirmed mobile number in the data of a form with `smsVerifiedMobile`
 * (a field may not use it).
 */
export const VERIFIED_MOBILE_KEY = 'verifiedMobile';

export const FEE_PAYMENTS = ['invoice', 'pay-at-pickup'] as const;

export const FormDefinitionSchema = z
  .object({
    id: ServiceIdSchema,
    /** Raised by the town hall with every change; a submission names the version it used. */
    version: z.string().regex(/^\d+(\.\d+){0,2}$/, 'version (e.g. 1 or 1.2)'),
    /** LeiKa key (14 digits): FIT-Connect's `serviceType`. */
    leikaKey: z.string().regex(/^\d{14}$/, 'LeiKa key (14 digits)'),
    category: z.enum(['animals', 'housing', 'cemetery', 'elections', 'documents', 'reports']),
    title: TextsSchema(80),
    /** "What you need": shown before the first question. */
    needs: TextsSchema(600),
    /** Words a search matches besides the title (any language). */
    keywords: z.array(z.string().min(2).max(40)).max(40).default([]),
    /** Cents; null: free of charge. Until card payment exists: an invoice or paid at pickup. */
    fee: z
      .object({ amountCents: z.number().int().min(1).max(100_000), payment: z.enum(FEE_PAYMENTS) })
      .strict()
      .nullable(),
    /** The citizen confirms a mobile number by SMS code (needs the fleet, so not offline). */
    smsVerifiedMobile: z.boolean(),
    /** Papers handed in through a drop-off compartment; their descriptions are sealed too. */
    paperAttachments: z
      .array(
        z
          .object({ id: OptionValueSchema, label: TextsSchema(200), required: z.boolean() })
          .strict(),
      )
      .max(5)
      .default([]),
    /** The result is handed out at this terminal's locker (else by post). */
    pickupAtTerminal: z.boolean().default(false),
    /** The configured destination the data is sealed to (FIT-Connect destination or inbox). */
    destinationId: z.string().min(1).max(100),
    /** How long the office keeps the application (days). */
    retentionDays: z.number().int().min(1).max(3650),
    /** One screen per step: one question or a small group. */
    steps: z
      .array(
        z
          .object({
            id: OptionValueSchema,
            title: TextsSchema(120),
            fields: z.array(FieldSchema).min(1).max(6),
          })
          .strict(),
      )
      .min(1)
      .max(20),
  })
  .strict()
  .superRefine((form, ctx) => {
    const seen = new Map<string, FormField>();
    form.steps.forEach((step, s) => {
      step.fields.forEach((field, f) => {
        const path = ['steps', s, 'fields', f];
        const issue = (message: string, key: string) =>
          ctx.addIssue({ code: 'custom', message, path: [...path, key] });
        if (seen.has(field.id)) issue(`the field id "${field.id}" is used twice`, 'id');
        if (field.id === VERIFIED_MOBILE_KEY) {
          issue(`the field id "${field.id}" is kept for the SMS-confirmed number`, 'id');
        }
        if (field.type === 'choice' && !field.options) issue('a choice needs options', 'options');
        if (field.type !== 'choice' && field.options) issue('only a choice has options', 'options');
        if (field.maxLength !== undefined && field.type !== 'text' && field.type !== 'multiline') {
          issue('only text fields have a maxLength', 'maxLength');
        }
        if ((field.min !== undefined || field.max !== undefined) && field.type !== 'number') {
          issue('only number fields have min and max', 'min');
        }
        if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
          issue('min is above max', 'min');
        }
        if (field.when !== undefined && field.type !== 'date')
          issue('only dates have "when"', 'when');
        if (field.showIf) {
          const target = seen.get(field.showIf.field);
          if (!target)
            issue(`showIf names "${field.showIf.field}", which is no earlier field`, 'showIf');
          else if (target.type === 'choice') {
            const values = new Set(target.options?.map((option) => option.value));
            for (const value of field.showIf.equals) {
              if (!values.has(String(value))) {
                issue(`showIf: "${String(value)}" is no option of "${target.id}"`, 'showIf');
              }
            }
          }
        }
        seen.set(field.id, field);
      });
    });
  });
export type FormDefinition = z.infer<typeof FormDefinitionSchema>;

export const FormCatalogueFormsSchema = z
  .array(FormDefinitionSchema)
  .max(50)
  .superRefine((forms, ctx) => {
    const ids = new Set<string>();
    forms.forEach((form, index) => {
      if (ids.has(form.id)) {
        ctx.addIssue({
          code: 'custom',
          message: `service "${form.id}" twice`,
          path: [index, 'id'],
        });
      }
      ids.add(form.id);
    });
  });

// ─── Answers ────────────────────────────────────────────────────────────────────────────

/** An address answer: the parts a letter needs. */
export interface AddressAnswer {
  street: string;
  houseNumber: string;
  postcode: string;
  town: string;
}
export type Answer = string | number | boolean | AddressAnswer;
export type Answers = Record<string, Answer>;

/** Why an answer is refused: the page words each code in its language. */
export const ANSWER_ERRORS = [
  'required',
  'too-long',
  'control-characters',
  'not-a-number',
  'too-small',
  'too-large',
  'invalid-date',
  'date-in-future',
  'date-in-past',
  'invalid-choice',
  'invalid-phone',
  'invalid-email',
  'invalid-iban',
  'iban-checksum',
  'invalid-postcode',
  'incomplete-address',
] as const;
export type AnswerError = (typeof ANSWER_ERRORS)[number];

/**
 * Control characters, and the bidi overrides and isolates that would make a text read
 * differently than it was typed. Right-to-left letters themselves are fine (Arabic names).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: this is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: multi-line text keeps line breaks
const CONTROL_MULTILINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const PATTERNS = {
  phone: /^\+?[0-9 ()/-]{6,20}$/,
  email: /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@.]{2,24}$/,
  iban: /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/,
  postcode: /^[0-9]{5}$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
} as const;

/** ISO 13616 check digits: the IBAN moved and read as a number, mod 97, is 1. */
export function ibanChecksumValid(iban: string): boolean {
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const char of moved) {
    const digits = /[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of digits) rest = (rest * 10 + Number(digit)) % 97;
  }
  return rest === 1;
}

/** How a typed IBAN is kept: capitals, no spaces. */
export const normaliseIban = (value: string) => value.replace(/\s+/g, '').toUpperCase();

/** Today's date (YYYY-MM-DD) in the terminal's zone is the caller's; compared as text. */
function checkDate(field: FormField, value: string, today: string): AnswerError | null {
  if (!PATTERNS.date.test(value)) return 'invalid-date';
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    return 'invalid-date';
  }
  if (value < '1900-01-01') return 'invalid-date';
  if (field.when === 'past' && value > today) return 'date-in-future';
  if (field.when === 'future' && value < today) return 'date-in-past';
  return null;
}

function checkText(field: FormField, value: string): AnswerError | null {
  const max =
    field.maxLength ?? (field.type === 'multiline' ? MAX_TEXT_LENGTH : DEFAULT_TEXT_LENGTH);
  if ((field.type === 'multiline' ? CONTROL_MULTILINE : CONTROL).test(value)) {
    return 'control-characters';
  }
  if (value.length > max) return 'too-long';
  return null;
}

const isEmpty = (value: Answer | undefined) =>
  value === undefined ||
  (typeof value === 'string' && value.trim() === '') ||
  (typeof value === 'object' && Object.values(value).every((part) => part.trim() === ''));

/**
 * Checks one answer against its field. An empty answer is fine for an optional field.
 * `today` is the terminal's local date (YYYY-MM-DD).
 */
export function checkAnswer(
  field: FormField,
  value: Answer | undefined,
  today: string,
): AnswerError | null {
  if (isEmpty(value)) return field.required ? 'required' : null;
  switch (field.type) {
    case 'text':
    case 'multiline':
      return typeof value === 'string' ? checkText(field, value) : 'required';
    case 'number': {
      const number = typeof value === 'number' ? value : Number(String(value).replace(',', '.'));
      if (!Number.isFinite(number) || typeof value === 'boolean') return 'not-a-number';
      if (field.min !== undefined && number < field.min) return 'too-small';
      if (field.max !== undefined && number > field.max) return 'too-large';
      return null;
    }
    case 'date':
      return typeof value === 'string' ? checkDate(field, value, today) : 'invalid-date';
    case 'choice':
      return field.options?.some((option) => option.value === value) ? null : 'invalid-choice';
    case 'yes-no':
      return typeof value === 'boolean' ? null : 'invalid-choice';
    case 'address': {
      if (typeof value !== 'object') return 'incomplete-address';
      const parts = [value.street, value.houseNumber, value.town];
      if (parts.some((part) => CONTROL.test(part) || part.length > DEFAULT_TEXT_LENGTH)) {
        return parts.some((part) => CONTROL.test(part)) ? 'control-characters' : 'too-long';
      }
      if (value.street.trim() === '' || value.town.trim() === '') return 'incomplete-address';
      return PATTERNS.postcode.test(value.postcode) ? null : 'invalid-postcode';
    }
    case 'phone':
      return PATTERNS.phone.test(String(value)) ? null : 'invalid-phone';
    case 'email':
      return PATTERNS.email.test(String(value)) ? null : 'invalid-email';
    case 'iban': {
      const iban = normaliseIban(String(value));
      if (!PATTERNS.iban.test(iban)) return 'invalid-iban';
      return ibanChecksumValid(iban) ? null : 'iban-checksum';
    }
    case 'postcode':
      return PATTERNS.postcode.test(String(value)) ? null : 'invalid-postcode';
  }
}

/** Whether a field is asked, given the answers so far (its show-if condition). */
export function isShown(field: FormField, answers: Answers): boolean {
  if (!field.showIf) return true;
  const answer = answers[field.showIf.field];
  return field.showIf.equals.some((value) => value === answer);
}

export const allFields = (form: FormDefinition): FormField[] =>
  form.steps.flatMap((step) => step.fields);

/**
 * The data document of a submission: the shown, answered fields with their values in the
 * data's types (numbers as numbers, IBANs normalised). Hidden and empty answers are left out.
 */
export function dataOf(form: FormDefinition, answers: Answers): Answers {
  const data: Answers = {};
  for (const field of allFields(form)) {
    const value = answers[field.id];
    if (!isShown(field, answers) || isEmpty(value) || value === undefined) continue;
    if (field.type === 'number') data[field.id] = Number(String(value).replace(',', '.'));
    else if (field.type === 'iban') data[field.id] = normaliseIban(String(value));
    else data[field.id] = value;
  }
  const mobile = answers[VERIFIED_MOBILE_KEY];
  if (form.smsVerifiedMobile && typeof mobile === 'string') data[VERIFIED_MOBILE_KEY] = mobile;
  return data;
}

// ─── JSON Schema (2020-12) of the data ─────────────────────────────────────────────────────

type JsonSchema = { [key: string]: unknown };

/** The schema URI a submission's metadata names (FIT-Connect `submissionSchema.schemaUri`). */
export const dataSchemaUri = (form: FormDefinition) =>
  `urn:amtomat:form:${form.id}:${form.version}`;

const NO_CONTROL = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]*$';
const NO_CONTROL_MULTILINE =
  '^[^\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]*$';

function fieldSchema(field: FormField): JsonSchema {
  const title = field.label.de;
  switch (field.type) {
    case 'text':
      return {
        title,
        type: 'string',
        minLength: 1,
        maxLength: field.maxLength ?? DEFAULT_TEXT_LENGTH,
        pattern: NO_CONTROL,
      };
    case 'multiline':
      return {
        title,
        type: 'string',
        minLength: 1,
        maxLength: field.maxLength ?? MAX_TEXT_LENGTH,
        pattern: NO_CONTROL_MULTILINE,
      };
    case 'number':
      return {
        title,
        type: 'number',
        ...(field.min !== undefined && { minimum: field.min }),
        ...(field.max !== undefined && { maximum: field.max }),
      };
    case 'date':
      return { title, type: 'string', format: 'date', pattern: PATTERNS.date.source };
    case 'choice':
      return { title, enum: field.options?.map((option) => option.value) ?? [] };
    case 'yes-no':
      return { title, type: 'boolean' };
    case 'address':
      return {
        title,
        type: 'object',
        properties: {
          street: {
            type: 'string',
            minLength: 1,
            maxLength: DEFAULT_TEXT_LENGTH,
            pattern: NO_CONTROL,
          },
          houseNumber: { type: 'string', maxLength: DEFAULT_TEXT_LENGTH, pattern: NO_CONTROL },
          postcode: { type: 'string', pattern: PATTERNS.postcode.source },
          town: {
            type: 'string',
            minLength: 1,
            maxLength: DEFAULT_TEXT_LENGTH,
            pattern: NO_CONTROL,
          },
        },
        required: ['street', 'houseNumber', 'postcode', 'town'],
        additionalProperties: false,
      };
    case 'phone':
      return { title, type: 'string', pattern: PATTERNS.phone.source };
    case 'email':
      return { title, type: 'string', pattern: PATTERNS.email.source };
    case 'iban':
      return {
        title,
        type: 'string',
        pattern: PATTERNS.iban.source,
        description: 'ISO 13616, check digits verified by the terminal',
      };
    case 'postcode':
      return { title, type: 'string', pattern: PATTERNS.postcode.source };
  }
}

/**
 * The JSON Schema (2020-12) of a form's data: every field a property, unconditional required
 * fields required, a shown-if field required (when it is required) exactly when its
 * condition holds and absent when it does not.
 */
export function dataSchemaOf(form: FormDefinition): JsonSchema {
  const fields = allFields(form);
  const conditions = fields
    .filter((field) => field.showIf)
    .map((field) => {
      const showIf = field.showIf!;
      return {
        if: {
          properties: { [showIf.field]: { enum: showIf.equals } },
          required: [showIf.field],
        },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword
        then: field.required ? { required: [field.id] } : {},
        else: { not: { required: [field.id] } },
      };
    });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: dataSchemaUri(form),
    title: form.title.de,
    type: 'object',
    properties: {
      ...Object.fromEntries(fields.map((field) => [field.id, fieldSchema(field)])),
      ...(form.smsVerifiedMobile && {
        [VERIFIED_MOBILE_KEY]: {
          title: 'Per SMS-Code bestätigte Mobilnummer',
          type: 'string',
          pattern: E164_MOBILE.source,
        },
      }),
    },
    required: [
      ...fields.filter((field) => field.required && !field.showIf).map((field) => field.id),
      ...(form.smsVerifiedMobile ? [VERIFIED_MOBILE_KEY] : []),
    ],
    additionalProperties: false,
    ...(conditions.length > 0 && { allOf: conditions }),
  };
}
