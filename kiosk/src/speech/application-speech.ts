/**
 * Speech of the application screens (issue #12). Labels, steps, errors and choices are read;
 * what a person typed is not read aloud at a public terminal: only how many characters a
 * field holds (as for codes). The case number on the receipt is read, as a receipt's number is.
 */
import type { PropsOf, Screen, View } from '../contract/index.ts';
import { printSpeech } from './print-speech.ts';
import type { Build, Naming, Words } from './speech-text.ts';

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

type Question = NonNullable<PropsOf<'application.question'>['question']>;
type QuestionField = Question['fields'][number];

/** The props of the application screens, read loosely (the focus names any of them). */
const applicationProps = (view: View) => view.props as Partial<PropsOf<'application.question'>>;

/** A field's label as its button shows it ("optional" where it is). */
function fieldLabel(field: QuestionField, w: Words): string {
  const label = inLanguage(field.label, w.language);
  return field.required ? label : w.t('application.question.label-optional', { label });
}

/** A slot of the step (a field's own, or a part of an address: "address.street"), with its text. */
function slotOf(
  slot: string,
  view: View,
): { field: QuestionField; part?: string; text: string } | null {
  const [fieldId, part] = slot.split('.');
  const field = applicationProps(view).question?.fields.find((f) => f.id === fieldId);
  if (!field) return null;
  const value = part
    ? typeof field.value === 'object' && field.value !== null
      ? (field.value as Record<string, string | undefined>)[part]
      : undefined
    : field.value;
  return { field, part, text: typeof value === 'string' ? value : '' };
}

function slotName(slot: string, view: View, w: Words): string | null {
  const found = slotOf(slot, view);
  if (!found) return null;
  const { field, part, text } = found;
  const label = part ? w.t(`application.question.address.${part}`) : fieldLabel(field, w);
  // How much it holds, never what: the words typed are not said aloud.
  const held = text !== '' ? w.entered([...text].length, 'characters') : null;
  return [label, field.type === 'date' ? w.t('application.question.date-format') : null, held]
    .filter(Boolean)
    .join(', ');
}

/**
 * What the keyboard types into on an application screen, and how many characters it holds:
 * the field with the keyboard, or the search. Null where nothing is typed.
 */
export function applicationEntry(view: View): { at: string; count: number } | null {
  const props = applicationProps(view) as Partial<PropsOf<'application.choose'>> &
    Partial<PropsOf<'application.question'>>;
  if (view.screen === 'application.choose' && typeof props.query === 'string') {
    return { at: 'search', count: [...props.query].length };
  }
  if (view.screen !== 'application.question' || !props.focus) return null;
  const found = slotOf(props.focus, view);
  return found ? { at: props.focus, count: [...found.text].length } : null;
}

/** "set-listedDog-false": the answer and the question it answers. */
function answerName(control: string, view: View, w: Words): string | null {
  const field = applicationProps(view).question?.fields.find((f) => control.startsWith(`${f.id}-`));
  if (!field) return null;
  const value = control.slice(field.id.length + 1);
  const answer =
    field.type === 'yes-no'
      ? w.t(value === 'true' ? 'application.question.yes' : 'application.question.no')
      : field.options?.find((option) => String(option.value) === value);
  if (!answer) return null;
  const words = typeof answer === 'string' ? answer : inLanguage(answer.label, w.language);
  return `${fieldLabel(field, w)}: ${words}`;
}

function serviceName(id: string, view: View, w: Words): string | null {
  const service = applicationProps(view).services?.find((candidate) => candidate.id === id);
  if (!service) return null;
  const title = inLanguage(service.title, w.language);
  return service.available ? title : `${title}: ${w.t('application.choose.unavailable')}`;
}

/** A review's "change" button ("change-<step>"): which answers it changes. */
export function reviewChangeName(stepId: string, view: View, w: Words): string | null {
  const section = applicationProps(view).review?.find((candidate) => candidate.stepId === stepId);
  return section
    ? `${w.t('application.review.change')}: ${inLanguage(section.title, w.language)}`
    : null;
}

/** The application screens' controls, by the page's ids for them (see speech-text's CONTROLS). */
export const APPLICATION_CONTROLS: [RegExp, Naming][] = [
  [/^category-all$/, (_, __, w) => w.t('application.choose.all')],
  [/^category-(.+)$/, (category, _, w) => w.t(`application.choose.category.${category}`)],
  [/^form-(.+)$/, serviceName],
  [/^search-open$/, (_, __, w) => w.t('application.choose.search-open')],
  [/^search-close$/, (_, __, w) => w.t('application.choose.show-list')],
  [/^page-(next|previous)$/, (direction, _, w) => w.t(`application.choose.${direction}`)],
  [/^start$/, (_, __, w) => w.t('application.needs.start')],
  [/^slot-(.+)$/, slotName],
  [/^shift$/, (_, __, w) => w.t('application.question.shift')],
  [/^set-(.+)$/, answerName],
  [/^agree$/, (_, __, w) => w.t('application.consent.agree')],
  [/^resend$/, (_, __, w) => w.t('application.sms-code.resend')],
];
