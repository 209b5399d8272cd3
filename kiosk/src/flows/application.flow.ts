import {
  type Answer,
  FORM_LANGUAGES,
  type FormField,
  type FormLanguage,
  isShown,
} from '@amtomat/admin-sync/protocol';
import { z } from 'zod';
import { activeCatalogue, submitApplication, usableKey } from '../applications/applications.ts';
import {
  type ApplicationContext,
  type ApplicationEffect,
  applicationMachine,
  MAX_TYPED_TEXT,
  slotsOf,
  type Unavailable,
} from './application.machine.ts';
import { type AnswerOf, defineFlow, type EffectHandler, screenOf } from './flow.ts';
import { printReceiptEffect } from './print-receipt.ts';

type Handler<Kind extends ApplicationEffect['kind']> = EffectHandler<
  Extract<ApplicationEffect, { kind: Kind }>,
  AnswerOf<typeof applicationMachine>
>;

/**
 * The catalogue in force, each service with whether it can be used now: its destination's
 * key valid (else an alarm for staff), and, where it asks for an SMS-confirmed number, the
 * fleet within reach (offline such a service says so rather than taking data).
 */
const services: Handler<'application-services'> = async (
  _effect,
  { store, answer, logger, now, smsCodes },
) => {
  const catalogue = activeCatalogue(store, logger);
  const unavailable: Record<string, Unavailable> = {};
  const fleetReachable = smsCodes?.() != null;
  for (const form of catalogue.forms) {
    if (form.smsVerifiedMobile && !fleetReachable) {
      unavailable[form.id] = 'sms-unavailable';
      continue;
    }
    const key = await usableKey(store, form, now(), logger);
    if (!key.ok) unavailable[form.id] = key.error;
  }
  answer({
    type: 'ANSWER_SERVICES',
    version: catalogue.version,
    forms: catalogue.forms,
    unavailable,
  });
};

const submit: Handler<'submit-application'> = async (effect, { store, answer, logger, now }) => {
  const result = await submitApplication({
    store,
    logger,
    form: effect.form,
    answers: effect.secrets,
    now: now(),
  });
  answer(
    result.ok
      ? { type: 'ANSWER_SUBMITTED', caseNumber: result.value.caseNumber }
      : { type: 'ANSWER_SUBMIT_FAILED', reason: result.error },
  );
};

const smsLanguage = (language: string | undefined): FormLanguage =>
  (FORM_LANGUAGES as readonly string[]).includes(language ?? '')
    ? (language as FormLanguage)
    : 'de';

/**
 * Asks the fleet to send a code. Neither number nor code is logged: only the outcome. Any
 * failure to reach it (or no gateway there) is `unavailable`: the flow erases what was typed.
 */
const requestSmsCode: Handler<'request-sms-code'> = async (
  effect,
  { answer, logger, smsCodes, language },
) => {
  const client = smsCodes?.();
  if (!client) return answer({ type: 'ANSWER_SMS_UNAVAILABLE' });
  const input = { mobile: effect.mobile, language: smsLanguage(language) };
  const sent = effect.challengeId
    ? await client.resend(effect.challengeId, input)
    : await client.request(input);
  if (sent.ok) {
    logger.log('info', 'applications.sms_code_sent', { resend: effect.challengeId !== null });
    return answer({ type: 'ANSWER_SMS_SENT', ...sent.value });
  }
  const failure = sent.error;
  logger.log('warn', 'applications.sms_code_refused', {
    kind: failure.kind,
    ...(failure.kind === 'refused' ? { refused: failure.refused } : { error: failure.message }),
  });
  if (failure.kind === 'refused' && failure.refused !== 'unavailable') {
    return answer({ type: 'ANSWER_SMS_REFUSED', reason: failure.refused });
  }
  answer({ type: 'ANSWER_SMS_UNAVAILABLE' });
};

const verifySmsCode: Handler<'verify-sms-code'> = async (effect, { answer, logger, smsCodes }) => {
  const client = smsCodes?.();
  const checked = client ? await client.verify(effect.challengeId, effect.code) : null;
  if (!checked?.ok) {
    logger.log('warn', 'applications.sms_code_unchecked', {
      error: checked ? checked.error.kind : 'offline',
    });
    return answer({ type: 'ANSWER_SMS_UNAVAILABLE' });
  }
  logger.log('info', 'applications.sms_code_checked', { result: checked.value.result });
  answer({ type: 'ANSWER_SMS_CHECKED', ...checked.value });
};

/** Kept in the terminal's usage facts (issue #13): form, version, step, duration. */
const usage: Handler<'application-usage'> = (effect, { store, sessionId }) => {
  if (!sessionId || effect.form === 'none') return;
  store.recordUsage({
    sessionId,
    type: `application-${effect.usage}`,
    service: effect.form,
    data: { formVersion: effect.formVersion, step: effect.step, durationMs: effect.durationMs },
  });
};

const SCREENS = {
  loading: 'application.checking',
  choose: 'application.choose',
  needs: 'application.needs',
  question: 'application.question',
  review: 'application.review',
  consent: 'application.consent',
  phone: 'application.phone',
  smsSending: 'application.checking',
  smsCode: 'application.sms-code',
  smsVerifying: 'application.checking',
  // Waits for the terminal like a check: the tour and the layout test hold it the same way.
  submitting: 'application.checking',
  receipt: 'application.receipt',
  unavailable: 'application.unavailable',
} as const;

/** An answer as the page shows it (a date as typed digits, DD.MM.YYYY). */
export type ShownAnswer = string | boolean | Record<string, string> | null;

function shown(field: FormField, value: Answer | undefined): ShownAnswer {
  if (value === undefined) return null;
  if (field.type === 'date' && typeof value === 'string' && /^\d{0,8}$/.test(value)) {
    const digits = value;
    return [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4)].filter(Boolean).join('.');
  }
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? { ...value } : value;
}

function fieldView(field: FormField, context: ApplicationContext) {
  return {
    id: field.id,
    type: field.type,
    label: field.label,
    hint: field.hint ?? null,
    required: field.required,
    options: field.options ?? null,
    maxLength: field.maxLength ?? null,
    slots: slotsOf(field),
    value: shown(field, context.secrets.answers[field.id]),
    error: context.errors[field.id] ?? null,
  };
}
export type FieldView = ReturnType<typeof fieldView>;

function questionProps(context: ApplicationContext) {
  const form = context.form;
  if (!form) return null;
  const answers = context.secrets.answers;
  const shownSteps = form.steps.filter((step) => step.fields.some((f) => isShown(f, answers)));
  const step = form.steps[context.stepIndex]!;
  return {
    stepId: step.id,
    stepTitle: step.title,
    index: shownSteps.indexOf(step) + 1,
    count: shownSteps.length,
    fields: step.fields
      .filter((field) => isShown(field, answers))
      .map((f) => fieldView(f, context)),
  };
}

function reviewProps(context: ApplicationContext) {
  const form = context.form;
  if (!form) return null;
  const answers = context.secrets.answers;
  return form.steps
    .filter((step) => step.fields.some((field) => isShown(field, answers)))
    .map((step) => ({
      stepId: step.id,
      title: step.title,
      fields: step.fields
        .filter((field) => isShown(field, answers))
        .map((f) => fieldView(f, context)),
    }));
}

export const applicationFlow = defineFlow<ApplicationEffect>()({
  service: 'application',
  machine: applicationMachine,
  audience: 'citizen',
  screens: SCREENS,
  props(state, context) {
    const screen = screenOf(SCREENS, state);
    const form = context.form;
    return {
      services:
        screen === 'application.choose'
          ? context.forms.map((candidate) => ({
              id: candidate.id,
              category: candidate.category,
              title: candidate.title,
              keywords: candidate.keywords,
              available: context.unavailable[candidate.id] === undefined,
            }))
          : null,
      category: context.category,
      query: context.secrets.query,
      form: form && {
        id: form.id,
        version: form.version,
        title: form.title,
        needs: form.needs,
        fee: form.fee,
        papers: form.paperAttachments.map((paper) => paper.label),
        pickupAtTerminal: form.pickupAtTerminal,
        retentionDays: form.retentionDays,
      },
      unavailable: form ? (context.unavailable[form.id] ?? context.failure) : context.failure,
      question: screen === 'application.question' ? questionProps(context) : null,
      review: screen === 'application.review' ? reviewProps(context) : null,
      focus: context.focus,
      caseNumber: context.caseNumber,
      print: screen === 'application.receipt' ? context.print : null,
      // Digits typed on the SMS screens (what speech says as "n digits entered").
      entered:
        screen === 'application.phone'
          ? context.secrets.mobile.length
          : screen === 'application.sms-code'
            ? context.secrets.smsCode.length
            : null,
      sms:
        screen === 'application.phone' || screen === 'application.sms-code'
          ? {
              // The citizen's own number, shown back as typed (never read aloud); of the
              // code only its length, as for every code (the page shows its own keys).
              mobile: context.secrets.mobile,
              notice: context.sms.notice,
              attemptsLeft: context.sms.attemptsLeft,
              resendsLeft: context.sms.resendsLeft,
              expiresAt: context.sms.expiresAt,
            }
          : null,
    };
  },
  allowedEvents: {
    'application.checking': [],
    'application.choose': ['KEY', 'DELETE', 'CLEAR', 'CATEGORY', 'CHOOSE_FORM', 'BACK', 'CANCEL'],
    'application.needs': ['CONFIRM', 'BACK', 'CANCEL'],
    'application.question': [
      'KEY',
      'TYPE',
      'DELETE',
      'CLEAR',
      'EDIT_SLOT',
      'SET',
      'SUBMIT',
      'BACK',
      'CANCEL',
    ],
    'application.review': ['CHANGE', 'CONFIRM', 'BACK', 'CANCEL'],
    'application.consent': ['CONFIRM', 'BACK', 'CANCEL'],
    'application.phone': ['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL'],
    'application.sms-code': ['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'RESEND', 'BACK', 'CANCEL'],
    'application.receipt': ['PRINT', 'CONFIRM', 'CANCEL'],
    'application.unavailable': ['CONFIRM', 'BACK', 'CANCEL'],
  },
  uiEvents: [
    z.object({ type: z.literal('KEY'), key: z.string().min(1).max(2) }),
    z.object({ type: z.literal('TYPE'), text: z.string().min(1).max(MAX_TYPED_TEXT) }),
    z.object({ type: z.literal('EDIT_SLOT'), slot: z.string().regex(/^[a-zA-Z0-9.]{1,60}$/) }),
    z.object({
      type: z.literal('SET'),
      field: z.string().regex(/^[a-zA-Z0-9]{1,40}$/),
      value: z.union([z.string().max(40), z.boolean()]),
    }),
    z.object({ type: z.literal('CATEGORY'), category: z.string().max(40).nullable() }),
    z.object({ type: z.literal('CHOOSE_FORM'), form: z.string().max(64) }),
    z.object({ type: z.literal('CHANGE'), step: z.string().max(40) }),
    z.object({
      type: z.enum(['DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL', 'CONFIRM', 'RESEND', 'PRINT']),
    }),
  ],
  effects: {
    'application-services': services,
    'submit-application': submit,
    'application-usage': usage,
    'request-sms-code': requestSmsCode,
    'verify-sms-code': verifySmsCode,
    'print-receipt': printReceiptEffect,
  },
});
