import {
  type Answer,
  type AnswerError,
  type Answers,
  checkAnswer,
  DEFAULT_TIME_ZONE,
  type FormDefinition,
  type FormField,
  internationalMobile,
  isShown,
  SMS_CODE_LENGTH,
  type SmsVerifyResult,
  VERIFIED_MOBILE_KEY,
} from '@amtomat/admin-sync/protocol';
import { assign, sendParent, setup } from 'xstate';
import { AWAITING_ANSWER, JOB_DONE, reachedStep } from './flow.ts';
import {
  PRINT_ON_RECEIPT,
  type PrintAnswer,
  type PrintReceiptEffect,
  type PrintStatus,
  printParts,
} from './print-receipt.ts';

/**
 * Applications (issue #12): choose a service (by category or a search) → what you need and
 * what it costs → one step of questions per screen (inline errors per field) → review with
 * "change" → privacy notice and consent → sealed submission → receipt with the case number.
 * The catalogue is taken once, when the flow starts: a session keeps the form version it
 * started with, whatever the fleet sends meanwhile.
 *
 * What a person types lives under `secrets` (answers and the search text): blanked before
 * the session is persisted, erased with the flow on cancel or inactivity, and handed only
 * to the sealing effect. Unlike a pickup code, the answers are shown back to the person who
 * typed them (their step and the review page): the view carries them to the page, never to
 * disk or a log.
 */
export const APPLICATION_MACHINE_ID = 'application';

/** Why a service cannot be used here now (shown; an alarm went to staff where it is a fault). */
export type Unavailable =
  | 'key-missing'
  | 'key-invalid'
  | 'key-chain-invalid'
  | 'key-expired'
  | 'sms-unavailable'
  | 'data-invalid';

/** A character the on-screen keyboard types (letters of any script, digits, the usual signs). */
export const TYPED_CHARACTER = /^[\p{L}\p{M}\p{N} .,'@+\-/()&:;#_!?"]$/u;
/** The most a slot takes by TYPE (a paste, a scanner): longer input is refused as too long. */
export const MAX_TYPED_TEXT = 20_000;

export type ApplicationUiEvent =
  | { type: 'KEY'; key: string }
  | { type: 'TYPE'; text: string }
  | { type: 'DELETE' }
  | { type: 'CLEAR' }
  | { type: 'EDIT_SLOT'; slot: string }
  | { type: 'SET'; field: string; value: string | boolean }
  | { type: 'CATEGORY'; category: string | null }
  | { type: 'CHOOSE_FORM'; form: string }
  | { type: 'CHANGE'; step: string }
  | { type: 'SUBMIT' }
  | { type: 'CONFIRM' }
  | { type: 'BACK' }
  | { type: 'CANCEL' }
  | { type: 'RESEND' }
  | { type: 'PRINT' };

/** Why the SMS screens show a message (the fleet's refusal, a wrong or spent code). */
export type SmsNotice =
  | 'invalid-mobile'
  | 'code-incomplete'
  | 'wrong-code'
  | 'expired'
  | 'exhausted'
  | 'rate-limited'
  | 'too-soon'
  | 'resend-limit'
  | 'resent';

/** The fleet refused to send a code (`expired`: the challenge is gone). */
export type SmsRefusal = 'rate-limited' | 'too-soon' | 'resend-limit' | 'expired';

export type ApplicationCoreEvent =
  | {
      type: 'ANSWER_SERVICES';
      version: string;
      forms: FormDefinition[];
      unavailable: Record<string, Unavailable>;
    }
  | { type: 'ANSWER_SUBMITTED'; caseNumber: string }
  | { type: 'ANSWER_SUBMIT_FAILED'; reason: Unavailable }
  | { type: 'ANSWER_SMS_SENT'; challengeId: string; expiresAt: number; resendsLeft: number }
  | { type: 'ANSWER_SMS_REFUSED'; reason: SmsRefusal }
  | { type: 'ANSWER_SMS_CHECKED'; result: SmsVerifyResult; attemptsLeft: number }
  /** The fleet cannot be reached (or has no SMS gateway): the service needs the network. */
  | { type: 'ANSWER_SMS_UNAVAILABLE' }
  | PrintAnswer;

export type ApplicationEvent = (ApplicationUiEvent | ApplicationCoreEvent) & { at?: number };

/** Usage facts of the evaluation: which form, how far, how it ended (no content). */
export type ApplicationUsage = 'started' | 'step' | 'submitted' | 'abandoned';

export type ApplicationEffect =
  | { kind: 'application-services' }
  | { kind: 'submit-application'; form: FormDefinition; secrets: Answers }
  /** A code to `mobile` (E.164); with `challengeId`: "send again" for that challenge. */
  | { kind: 'request-sms-code'; mobile: string; challengeId: string | null }
  | { kind: 'verify-sms-code'; challengeId: string; code: string }
  | PrintReceiptEffect
  | {
      kind: 'application-usage';
      usage: ApplicationUsage;
      form: string;
      formVersion: string;
      step: string;
      durationMs: number | null;
    };

export interface ApplicationSecrets {
  answers: Answers;
  query: string;
  /** The mobile number as typed, and the SMS code as typed. */
  mobile: string;
  smsCode: string;
}

/** The SMS confirmation of the mobile number (forms with `smsVerifiedMobile`). */
export interface SmsState {
  challengeId: string | null;
  expiresAt: number | null;
  resendsLeft: number;
  attemptsLeft: number | null;
  notice: SmsNotice | null;
  /**
   * The fleet confirmed the number typed (`secrets.mobile`, sealed with the data). A flag:
   * this state is persisted, the number only under `secrets`, which never is.
   */
  verified: boolean;
}

const noSms: SmsState = {
  challengeId: null,
  expiresAt: null,
  resendsLeft: 0,
  attemptsLeft: null,
  notice: null,
  verified: false,
};

/** The longest number the keypad takes (E.164 has at most 15 digits, plus `00`). */
const MAX_MOBILE_DIGITS = 17;

export interface ApplicationContext {
  catalogueVersion: string | null;
  /** The catalogue as it was when the flow started. */
  forms: FormDefinition[];
  unavailable: Record<string, Unavailable>;
  category: string | null;
  /** The chosen form, kept as it was chosen (its version stays for this visit). */
  form: FormDefinition | null;
  stepIndex: number;
  /** The input slot the keyboard types into: a field id, or `address.street` and the like. */
  focus: string | null;
  secrets: ApplicationSecrets;
  /** Inline errors of the current step, per field id. */
  errors: Record<string, AnswerError>;
  /** A "change" from the review page returns there after the step. */
  returnToReview: boolean;
  caseNumber: string | null;
  failure: Unavailable | null;
  formStartedAt: number | null;
  stepsReached: string[];
  sms: SmsState;
  /** The receipt's printing, once asked for. */
  print: PrintStatus | null;
}

export interface ApplicationOutput {
  outcome: 'completed' | 'abandoned' | 'failed';
  reason: string | null;
  stepsReached: string[];
}

const ADDRESS_PARTS = ['street', 'houseNumber', 'postcode', 'town'] as const;
type AddressPart = (typeof ADDRESS_PARTS)[number];
const EMPTY_ADDRESS = { street: '', houseNumber: '', postcode: '', town: '' };

/** The slots a field types into (an address has four). */
export const slotsOf = (field: FormField): string[] =>
  field.type === 'address'
    ? ADDRESS_PARTS.map((part) => `${field.id}.${part}`)
    : field.type === 'choice' || field.type === 'yes-no'
      ? []
      : [field.id];

/** The local date (YYYY-MM-DD) at `at` (birth dates must not lie after it). */
export const localDate = (at: number, timeZone = DEFAULT_TIME_ZONE) =>
  new Intl.DateTimeFormat('en-CA', { timeZone }).format(at);

/** A date typed as digits (DDMMYYYY, shown as DD.MM.YYYY) as ISO; other text as it is. */
export function isoDate(typed: string): string {
  const digits = typed.replace(/\D/g, '');
  return digits.length === 8 && /^[\d.]+$/.test(typed)
    ? `${digits.slice(4)}-${digits.slice(2, 4)}-${digits.slice(0, 2)}`
    : typed;
}

/** The answer a check and the sealing see: dates in ISO form. */
export function answerOf(field: FormField, answers: Answers): Answer | undefined {
  const value = answers[field.id];
  return field.type === 'date' && typeof value === 'string' ? isoDate(value) : value;
}

/** The answers as the sealing takes them (dates in ISO form). */
export const sealedAnswers = (form: FormDefinition, answers: Answers): Answers =>
  Object.fromEntries(
    form.steps
      .flatMap((step) => step.fields)
      .flatMap((field) => {
        const value = answerOf(field, answers);
        return value === undefined ? [] : [[field.id, value]];
      }),
  );

const fieldsOf = (form: FormDefinition, index: number) => form.steps[index]?.fields ?? [];

/** A step is asked when one of its fields is shown. */
const stepShown = (form: FormDefinition, index: number, answers: Answers) =>
  fieldsOf(form, index).some((field) => isShown(field, answers));

/** The next shown step after `index` in `direction`, or null when there is none. */
export function nextStep(
  form: FormDefinition,
  index: number,
  direction: 1 | -1,
  answers: Answers,
): number | null {
  for (let next = index + direction; next >= 0 && next < form.steps.length; next += direction) {
    if (stepShown(form, next, answers)) return next;
  }
  return null;
}

/** Inline errors of a step's shown fields. */
export function stepErrors(
  form: FormDefinition,
  index: number,
  answers: Answers,
  today: string,
): Record<string, AnswerError> {
  const errors: Record<string, AnswerError> = {};
  for (const field of fieldsOf(form, index)) {
    if (!isShown(field, answers)) continue;
    const error = checkAnswer(field, answerOf(field, answers), today);
    if (error) errors[field.id] = error;
  }
  return errors;
}

/** The first typing slot of the step, where the keyboard starts. */
const firstSlot = (form: FormDefinition, index: number, answers: Answers) =>
  fieldsOf(form, index)
    .filter((field) => isShown(field, answers))
    .flatMap(slotsOf)[0] ?? null;

/** The answers with `edit` applied to the focused slot's text. */
function editSlot(
  context: ApplicationContext,
  edit: (text: string) => string,
): Partial<ApplicationContext> {
  const { form, focus } = context;
  if (!form || !focus) return {};
  const [fieldId, part] = focus.split('.') as [string, AddressPart | undefined];
  const answers = context.secrets.answers;
  const current = answers[fieldId];
  let value: Answer;
  if (part) {
    const address = typeof current === 'object' ? current : EMPTY_ADDRESS;
    value = { ...address, [part]: edit(address[part]) };
  } else {
    value = edit(typeof current === 'string' ? current : '');
  }
  const { [fieldId]: _, ...errors } = context.errors;
  return { secrets: { ...context.secrets, answers: { ...answers, [fieldId]: value } }, errors };
}

const stepName = (context: ApplicationContext, index = context.stepIndex) =>
  `step-${context.form?.steps[index]?.id ?? index}`;

const noSecrets: ApplicationSecrets = { answers: {}, query: '', mobile: '', smsCode: '' };

/** The sealed answers, with the confirmed number where the form asks for one. */
function submittedAnswers(context: ApplicationContext): Answers {
  const answers = sealedAnswers(context.form!, context.secrets.answers);
  const mobile = internationalMobile(context.secrets.mobile);
  return context.form!.smsVerifiedMobile && context.sms.verified && mobile
    ? { ...answers, [VERIFIED_MOBILE_KEY]: mobile }
    : answers;
}

const DIGIT = /^\d$/;

/** The SMS step's state after the fleet's answer `notice`, the typed code cleared. */
const smsWith = (context: ApplicationContext, change: Partial<SmsState>) => ({
  sms: { ...context.sms, ...change },
  secrets: { ...context.secrets, smsCode: '' },
});

const print = printParts<ApplicationContext, ApplicationEvent>();

export const applicationMachine = setup({
  types: {
    context: {} as ApplicationContext,
    events: {} as ApplicationEvent,
    output: {} as ApplicationOutput,
  },
  actions: {
    ...print.actions,
    reached: reachedStep<ApplicationContext, ApplicationEvent>(),
    requestServices: sendParent({
      type: 'EFFECT',
      effect: { kind: 'application-services' } satisfies ApplicationEffect,
    }),
    requestSubmit: sendParent(({ context }) => ({
      type: 'EFFECT',
      effect: {
        kind: 'submit-application',
        form: context.form!,
        secrets: submittedAnswers(context),
      } satisfies ApplicationEffect,
    })),
    requestSmsCode: sendParent(({ context }) => ({
      type: 'EFFECT',
      effect: {
        kind: 'request-sms-code',
        mobile: internationalMobile(context.secrets.mobile)!,
        challengeId: context.sms.challengeId,
      } satisfies ApplicationEffect,
    })),
    verifySmsCode: sendParent(({ context }) => ({
      type: 'EFFECT',
      effect: {
        kind: 'verify-sms-code',
        challengeId: context.sms.challengeId!,
        code: context.secrets.smsCode,
      } satisfies ApplicationEffect,
    })),
    usage: sendParent(({ context, event }, params: { usage: ApplicationUsage; step?: string }) => ({
      type: 'EFFECT',
      effect: {
        kind: 'application-usage',
        usage: params.usage,
        form: context.form?.id ?? 'none',
        formVersion: context.form?.version ?? '0',
        step: params.step ?? stepName(context),
        durationMs:
          context.formStartedAt !== null && typeof event.at === 'number'
            ? event.at - context.formStartedAt
            : null,
      } satisfies ApplicationEffect,
    })),
    requestPrint: sendParent(({ context }) => ({
      type: 'EFFECT',
      effect: {
        kind: 'print-receipt',
        receipt: {
          kind: 'application',
          formTitle: context.form?.title ?? {},
          caseNumber: context.caseNumber ?? '',
        },
      } satisfies ApplicationEffect,
    })),
    /** Everything typed goes (cancel, the end of the visit, the sealed submission). */
    forget: assign({ secrets: () => noSecrets, errors: () => ({}), focus: null, sms: noSms }),
  },
  guards: {
    ...print.guards,
    formUsable: ({ context }) =>
      context.form !== null && context.unavailable[context.form.id] === undefined,
    smsNeeded: ({ context }) => context.form?.smsVerifiedMobile === true && !context.sms.verified,
  },
}).createMachine({
  id: APPLICATION_MACHINE_ID,
  initial: 'loading',
  context: {
    catalogueVersion: null,
    forms: [],
    unavailable: {},
    category: null,
    form: null,
    stepIndex: 0,
    focus: null,
    secrets: noSecrets,
    errors: {},
    returnToReview: false,
    caseNumber: null,
    failure: null,
    formStartedAt: null,
    stepsReached: [],
    sms: noSms,
    print: null,
  },
  output: ({ context }) => ({
    outcome: context.caseNumber
      ? 'completed'
      : context.failure && context.failure !== 'sms-unavailable'
        ? 'failed'
        : 'abandoned',
    reason: context.failure,
    stepsReached: context.stepsReached,
  }),
  on: {
    CANCEL: {
      target: '.abandoned',
      actions: [
        {
          type: 'usage',
          params: ({ context }) => ({ usage: 'abandoned', step: stepName(context) }),
        },
        'forget',
      ],
    },
  },
  states: {
    loading: {
      entry: 'requestServices',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_SERVICES: {
          target: 'choose',
          actions: assign({
            catalogueVersion: ({ event }) => event.version,
            forms: ({ event }) => event.forms,
            unavailable: ({ event }) => event.unavailable,
          }),
        },
      },
    },
    choose: {
      entry: [{ type: 'reached', params: 'choose' }, assign({ focus: 'search' })],
      on: {
        KEY: {
          guard: ({ event }) => TYPED_CHARACTER.test(event.key),
          actions: assign({
            secrets: ({ context, event }) => ({
              ...context.secrets,
              query: (context.secrets.query + event.key).slice(0, 40),
            }),
          }),
        },
        DELETE: {
          actions: assign({
            secrets: ({ context }) => ({
              ...context.secrets,
              query: context.secrets.query.slice(0, -1),
            }),
          }),
        },
        CLEAR: {
          actions: assign({ secrets: ({ context }) => ({ ...context.secrets, query: '' }) }),
        },
        CATEGORY: { actions: assign({ category: ({ event }) => event.category }) },
        CHOOSE_FORM: {
          guard: ({ context, event }) => context.forms.some((form) => form.id === event.form),
          target: 'needs',
          actions: assign({
            form: ({ context, event }) => context.forms.find((form) => form.id === event.form)!,
            stepIndex: 0,
            secrets: () => noSecrets,
            errors: () => ({}),
            returnToReview: false,
            sms: noSms,
          }),
        },
        BACK: 'abandoned',
      },
    },
    /** What you need and what it costs; a service that cannot be used says why. */
    needs: {
      entry: { type: 'reached', params: 'needs' },
      on: {
        CONFIRM: {
          guard: 'formUsable',
          target: 'question',
          actions: [
            assign({ formStartedAt: ({ event }) => event.at ?? null }),
            { type: 'usage', params: { usage: 'started', step: 'needs' } },
          ],
        },
        BACK: { target: 'choose', actions: assign({ form: null }) },
      },
    },
    question: {
      entry: [
        assign({
          focus: ({ context }) =>
            firstSlot(context.form!, context.stepIndex, context.secrets.answers),
        }),
        assign({
          stepsReached: ({ context }) => [...new Set([...context.stepsReached, stepName(context)])],
        }),
        { type: 'usage', params: { usage: 'step' } },
      ],
      on: {
        KEY: {
          guard: ({ event }) => TYPED_CHARACTER.test(event.key),
          actions: assign(({ context, event }) => editSlot(context, (text) => text + event.key)),
        },
        TYPE: {
          actions: assign(({ context, event }) => editSlot(context, (text) => text + event.text)),
        },
        DELETE: {
          actions: assign(({ context }) =>
            editSlot(context, (text) => [...text].slice(0, -1).join('')),
          ),
        },
        CLEAR: { actions: assign(({ context }) => editSlot(context, () => '')) },
        EDIT_SLOT: {
          guard: ({ context, event }) =>
            fieldsOf(context.form!, context.stepIndex)
              .filter((field) => isShown(field, context.secrets.answers))
              .flatMap(slotsOf)
              .includes(event.slot),
          actions: assign({ focus: ({ event }) => event.slot }),
        },
        SET: {
          guard: ({ context, event }) => {
            const field = fieldsOf(context.form!, context.stepIndex).find(
              (candidate) => candidate.id === event.field,
            );
            return field?.type === 'yes-no'
              ? typeof event.value === 'boolean'
              : field?.type === 'choice' &&
                  (field.options ?? []).some((option) => option.value === event.value);
          },
          actions: assign(({ context, event }) => {
            const { [event.field]: _, ...errors } = context.errors;
            return {
              secrets: {
                ...context.secrets,
                answers: { ...context.secrets.answers, [event.field]: event.value },
              },
              errors,
            };
          }),
        },
        SUBMIT: [
          {
            // Any refusal: shown per field, in the page's language; the step stays.
            guard: ({ context, event }) =>
              Object.keys(
                stepErrors(
                  context.form!,
                  context.stepIndex,
                  context.secrets.answers,
                  localDate(event.at ?? Date.now()),
                ),
              ).length > 0,
            actions: assign({
              errors: ({ context, event }) =>
                stepErrors(
                  context.form!,
                  context.stepIndex,
                  context.secrets.answers,
                  localDate(event.at ?? Date.now()),
                ),
            }),
          },
          {
            guard: ({ context }) =>
              !context.returnToReview &&
              nextStep(context.form!, context.stepIndex, 1, context.secrets.answers) !== null,
            target: 'question',
            reenter: true,
            actions: assign({
              errors: () => ({}),
              stepIndex: ({ context }) =>
                nextStep(context.form!, context.stepIndex, 1, context.secrets.answers)!,
            }),
          },
          { target: 'review', actions: assign({ errors: () => ({}) }) },
        ],
        BACK: [
          {
            guard: ({ context }) => context.returnToReview,
            target: 'review',
            actions: assign({ errors: () => ({}) }),
          },
          {
            guard: ({ context }) =>
              nextStep(context.form!, context.stepIndex, -1, context.secrets.answers) !== null,
            target: 'question',
            reenter: true,
            actions: assign({
              errors: () => ({}),
              stepIndex: ({ context }) =>
                nextStep(context.form!, context.stepIndex, -1, context.secrets.answers)!,
            }),
          },
          { target: 'needs', actions: assign({ errors: () => ({}) }) },
        ],
      },
    },
    /** Every answer, each step with its "change". */
    review: {
      entry: [{ type: 'reached', params: 'review' }, assign({ returnToReview: false })],
      on: {
        CHANGE: {
          guard: ({ context, event }) =>
            context.form!.steps.some(
              (step, index) =>
                step.id === event.step && stepShown(context.form!, index, context.secrets.answers),
            ),
          target: 'question',
          actions: assign({
            returnToReview: true,
            stepIndex: ({ context, event }) =>
              context.form!.steps.findIndex((step) => step.id === event.step),
          }),
        },
        CONFIRM: 'consent',
        BACK: {
          target: 'question',
          actions: assign({
            stepIndex: ({ context }) =>
              nextStep(context.form!, context.form!.steps.length, -1, context.secrets.answers) ?? 0,
          }),
        },
      },
    },
    /** The privacy notice; "agree and send" is the consent. */
    consent: {
      entry: { type: 'reached', params: 'consent' },
      on: {
        CONFIRM: [{ guard: 'smsNeeded', target: 'phone' }, { target: 'submitting' }],
        BACK: 'review',
      },
    },
    /** The mobile number the code goes to (forms with `smsVerifiedMobile`). */
    phone: {
      entry: [{ type: 'reached', params: 'phone' }, assign({ focus: 'mobile' })],
      on: {
        KEY: {
          guard: ({ context, event }) =>
            (DIGIT.test(event.key) || (event.key === '+' && context.secrets.mobile === '')) &&
            context.secrets.mobile.length < MAX_MOBILE_DIGITS,
          actions: assign({
            secrets: ({ context, event }) => ({
              ...context.secrets,
              mobile: context.secrets.mobile + event.key,
            }),
            sms: ({ context }) => ({ ...context.sms, notice: null }),
          }),
        },
        DELETE: {
          actions: assign({
            secrets: ({ context }) => ({
              ...context.secrets,
              mobile: context.secrets.mobile.slice(0, -1),
            }),
          }),
        },
        CLEAR: {
          actions: assign({ secrets: ({ context }) => ({ ...context.secrets, mobile: '' }) }),
        },
        SUBMIT: [
          {
            guard: ({ context }) => internationalMobile(context.secrets.mobile) === null,
            actions: assign({
              sms: ({ context }) => ({ ...context.sms, notice: 'invalid-mobile' }),
            }),
          },
          // A new number is a new challenge.
          { target: 'smsSending', actions: assign({ sms: () => noSms }) },
        ],
        BACK: { target: 'consent', actions: assign({ sms: () => noSms }) },
      },
    },
    smsSending: {
      entry: 'requestSmsCode',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_SMS_SENT: {
          target: 'smsCode',
          actions: assign(({ context, event }) =>
            smsWith(context, {
              notice: context.sms.challengeId ? 'resent' : null,
              challengeId: event.challengeId,
              expiresAt: event.expiresAt,
              resendsLeft: event.resendsLeft,
              attemptsLeft: null,
            }),
          ),
        },
        ANSWER_SMS_REFUSED: [
          {
            // "Send again" refused: the code screen says why (unless the challenge is gone).
            guard: ({ context, event }) =>
              context.sms.challengeId !== null && event.reason !== 'expired',
            target: 'smsCode',
            actions: assign(({ context, event }) =>
              smsWith(context, {
                notice: event.reason,
                ...(event.reason === 'resend-limit' && { resendsLeft: 0 }),
              }),
            ),
          },
          {
            target: 'phone',
            actions: assign(({ context, event }) => ({
              ...smsWith(context, { ...noSms, notice: event.reason }),
            })),
          },
        ],
        ANSWER_SMS_UNAVAILABLE: {
          target: 'unavailable',
          actions: [assign({ failure: 'sms-unavailable' }), 'forget'],
        },
      },
    },
    /** The code the citizen got by SMS; "send again"; "other number" (BACK). */
    smsCode: {
      entry: [{ type: 'reached', params: 'sms-code' }, assign({ focus: 'smsCode' })],
      on: {
        KEY: {
          guard: ({ context, event }) =>
            DIGIT.test(event.key) && context.secrets.smsCode.length < SMS_CODE_LENGTH,
          actions: assign({
            secrets: ({ context, event }) => ({
              ...context.secrets,
              smsCode: context.secrets.smsCode + event.key,
            }),
          }),
        },
        DELETE: {
          actions: assign({
            secrets: ({ context }) => ({
              ...context.secrets,
              smsCode: context.secrets.smsCode.slice(0, -1),
            }),
          }),
        },
        CLEAR: {
          actions: assign({ secrets: ({ context }) => ({ ...context.secrets, smsCode: '' }) }),
        },
        SUBMIT: [
          {
            guard: ({ context }) => context.secrets.smsCode.length !== SMS_CODE_LENGTH,
            actions: assign({
              sms: ({ context }) => ({ ...context.sms, notice: 'code-incomplete' }),
            }),
          },
          { target: 'smsVerifying' },
        ],
        RESEND: { guard: ({ context }) => context.sms.resendsLeft > 0, target: 'smsSending' },
        BACK: {
          target: 'phone',
          actions: assign(({ context }) => smsWith(context, noSms)),
        },
      },
    },
    smsVerifying: {
      entry: 'verifySmsCode',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_SMS_CHECKED: [
          {
            guard: ({ event }) => event.result === 'verified',
            target: 'submitting',
            actions: assign(({ context }) => ({
              ...smsWith(context, { notice: null, verified: true }),
            })),
          },
          {
            guard: ({ event }) => event.result === 'wrong',
            target: 'smsCode',
            actions: assign(({ context, event }) =>
              smsWith(context, { notice: 'wrong-code', attemptsLeft: event.attemptsLeft }),
            ),
          },
          {
            // The code's time ran out: "send again" gives a new one, if any are left.
            guard: ({ event, context }) =>
              event.result === 'expired' && context.sms.resendsLeft > 0,
            target: 'smsCode',
            actions: assign(({ context }) => smsWith(context, { notice: 'expired' })),
          },
          {
            // Three wrong codes (or expired with no resend left): start again with the number.
            target: 'phone',
            actions: assign(({ context, event }) =>
              smsWith(context, {
                ...noSms,
                notice: event.result === 'expired' ? 'expired' : 'exhausted',
              }),
            ),
          },
        ],
        ANSWER_SMS_UNAVAILABLE: {
          target: 'unavailable',
          actions: [assign({ failure: 'sms-unavailable' }), 'forget'],
        },
      },
    },
    submitting: {
      entry: 'requestSubmit',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_SUBMITTED: {
          target: 'receipt',
          actions: [
            assign({ caseNumber: ({ event }) => event.caseNumber }),
            { type: 'usage', params: { usage: 'submitted', step: 'submitted' } },
            'forget',
          ],
        },
        ANSWER_SUBMIT_FAILED: {
          target: 'unavailable',
          actions: [assign({ failure: ({ event }) => event.reason }), 'forget'],
        },
      },
    },
    receipt: {
      entry: { type: 'reached', params: 'receipt' },
      tags: JOB_DONE,
      on: {
        CONFIRM: 'done',
        CANCEL: 'done',
        ...PRINT_ON_RECEIPT,
      },
    },
    /** The destination's key failed at the last moment: nothing was sent. */
    unavailable: {
      entry: { type: 'reached', params: 'unavailable' },
      on: { CONFIRM: 'failed', BACK: 'failed' },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
    abandoned: { type: 'final' },
  },
});
