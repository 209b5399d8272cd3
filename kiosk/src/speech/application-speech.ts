/**
 * Speech of the application screens (issue #12). Labels, steps, errors and choices are read;
 * what a person typed is not read aloud at a public terminal: only how many characters a
 * field holds (as for codes). The case number on the receipt is read, as a receipt's number is.
 */
import type { Screen } from '../contract/index.ts';
import { printSpeech } from './print-speech.ts';
import type { Build } from './speech-text.ts';

type ApplicationScreen = Extract<Screen, `application.${string}`>;
type Texts = Record<string, string>;

const inLanguage = (texts: Texts, language: string) => texts[language] ?? texts.de ?? '';

export const APPLICATION_SPEECH: { [S in ApplicationScreen]: Build<S> } = {
  'application.checking': (_, w) => ({
    title: w.t('application.checking.title'),
    intro: w.t('common.please-wait'),
  }),
  'application.choose': (props, w) => {
    return {
      title: w.t('application.choose.title'),
      intro: w.t('application.choose.intro'),
      options: (props.services ?? []).map((service) => inLanguage(service.title, w.language)),
    };
  },
  'application.needs': (props, w) => ({
    title: w.t('application.needs.title'),
    intro: props.form ? inLanguage(props.form.needs, w.language) : null,
    error: props.unavailable ? w.t(`application.reason.${props.unavailable}`) : null,
    options: props.unavailable ? [] : [w.t('application.needs.start')],
  }),
  'application.question': (props, w) => {
    const question = props.question;
    return {
      title: question
        ? inLanguage(question.stepTitle, w.language)
        : w.t('application.question.title'),
      step: question ? { index: question.index, count: question.count } : null,
      extra: (question?.fields ?? []).flatMap((field) => [
        inLanguage(field.label, w.language),
        typeof field.value === 'string' && field.value !== ''
          ? w.entered([...field.value].length, 'characters')
          : null,
        field.error ? w.t(`application.error.${field.error}`) : null,
      ]),
      options: [w.t('keypad.submit')],
    };
  },
  'application.review': (_, w) => ({
    title: w.t('application.review.title'),
    intro: w.t('application.review.intro'),
    options: [w.t('application.review.change'), w.t('application.review.continue')],
  }),
  'application.consent': (props, w) => ({
    title: w.t('application.consent.title'),
    intro: w.t('application.consent.intro', { days: props.form?.retentionDays ?? 0 }),
    options: [w.t('application.consent.agree')],
  }),
  'application.receipt': (props, w) => {
    const printing = printSpeech(props, w);
    return {
      title: w.t('application.receipt.title'),
      intro: w.t('application.receipt.intro'),
      error: printing.error,
      extra: [
        `${w.t('application.receipt.case-label')}: ${props.caseNumber ?? ''}`,
        printing.status,
      ],
      options: [printing.option, w.t('common.done')],
    };
  },
  // The number and the code are never read aloud: only how many digits are typed.
  'application.phone': (props, w) => ({
    title: w.t('application.phone.title'),
    intro: w.t('application.phone.intro'),
    error: props.sms?.notice ? w.t(`application.sms.notice.${props.sms.notice}`) : null,
    extra: [w.entered(props.entered)],
    options: [w.t('keypad.submit')],
  }),
  'application.sms-code': (props, w) => ({
    title: w.t('application.sms-code.title'),
    intro: w.t('application.sms-code.intro'),
    error: props.sms?.notice ? w.t(`application.sms.notice.${props.sms.notice}`) : null,
    extra: [
      w.entered(props.entered),
      props.sms?.attemptsLeft
        ? w.t('application.sms-code.attempts-left', { count: props.sms.attemptsLeft })
        : null,
    ],
    options: [
      w.t('keypad.submit'),
      ...(props.sms?.resendsLeft ? [w.t('application.sms-code.resend')] : []),
    ],
  }),
  'application.unavailable': (props, w) => ({
    title: w.t('application.unavailable.title'),
    intro: w.t('application.unavailable.intro'),
    error: w.t(`application.reason.${props.unavailable ?? 'unknown'}`),
    options: [w.t('common.ok')],
  }),
};
