import qrcode from 'qrcode-generator';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Busy } from '../../components/Busy.tsx';
import { SubmitButton } from '../../components/Keypad.tsx';
import { Screen } from '../../components/Screen.tsx';
import { joinSentences } from '../../components/sentences.ts';
import type { PropsOf } from '../../contract.ts';
import { useScreen } from '../../shell/screen-context.ts';

type Texts = NonNullable<PropsOf<'application.needs'>['form']>['title'];
type Question = NonNullable<PropsOf<'application.question'>['question']>;
type Field = Question['fields'][number];

/** A text of the form catalogue in the page's language (every form has all eight). */
function useFormText() {
  const { i18n } = useTranslation();
  return (texts: Texts) => texts[i18n.language as keyof Texts] ?? texts.de;
}

const fold = (text: string) =>
  text.toLocaleLowerCase('de').normalize('NFKD').replace(/\p{M}/gu, '');

export function ApplicationChecking() {
  const { t } = useTranslation();
  return <Busy title={t('application.checking.title')} />;
}

export function ApplicationChoose(props: PropsOf<'application.choose'>) {
  const { t } = useTranslation();
  const text = useFormText();
  const services = props.services ?? [];
  const categories = [...new Set(services.map((service) => service.category))];
  const query = fold(props.query.trim());
  const matches = services.filter(
    (service) =>
      (props.category === null || service.category === props.category) &&
      (query === '' ||
        [text(service.title), service.title.de, ...service.keywords].some((word) =>
          fold(word).includes(query),
        )),
  );
  return (
    <Screen
      title={t('application.choose.title')}
      intro={t('application.choose.intro')}
      className="application-choose"
      display={
        <p className="entry-display" data-testid="search">
          <span className="visually-hidden">{t('application.choose.search')}: </span>
          {props.query || <span aria-hidden="true">🔍</span>}
        </p>
      }
    >
      <fieldset className="choices categories">
        <legend className="visually-hidden">{t('application.choose.categories')}</legend>
        <Action
          event={{ type: 'CATEGORY', category: null }}
          testId="category-all"
          kind="choice"
          pressed={props.category === null}
        >
          {t('application.choose.all')}
        </Action>
        {categories.map((category) => (
          <Action
            key={category}
            event={{ type: 'CATEGORY', category }}
            testId={`category-${category}`}
            kind="choice"
            pressed={props.category === category}
          >
            {t(`application.choose.category.${category}`)}
          </Action>
        ))}
      </fieldset>
      <div className="choices services">
        {matches.map((service) => (
          <Action
            key={service.id}
            event={{ type: 'CHOOSE_FORM', form: service.id }}
            testId={`form-${service.id}`}
            kind="choice"
          >
            <span className="choice-name">{text(service.title)}</span>
            {!service.available && (
              <span className="choice-description">{t('application.choose.unavailable')}</span>
            )}
          </Action>
        ))}
        {matches.length === 0 && <p className="hint">{t('application.choose.none-found')}</p>}
      </div>
      <TextKeyboard />
    </Screen>
  );
}

/** Cents as the page's language writes euros. */
function useEuros() {
  const { i18n } = useTranslation();
  const language = i18n.language === 'de-easy' ? 'de' : i18n.language;
  return (cents: number) =>
    new Intl.NumberFormat(language, { style: 'currency', currency: 'EUR' }).format(cents / 100);
}

export function ApplicationNeeds(props: PropsOf<'application.needs'>) {
  const { t } = useTranslation();
  const text = useFormText();
  const euros = useEuros();
  const form = props.form;
  if (!form) return null;
  const fee = form.fee
    ? joinSentences([
        t('application.needs.fee', { amount: euros(form.fee.amountCents) }),
        t(`application.needs.payment.${form.fee.payment}`),
      ])
    : t('application.needs.fee-none');
  const papers = form.papers.map(text);
  return (
    <Screen
      title={text(form.title)}
      intro={text(form.needs)}
      error={props.unavailable ? t(`application.reason.${props.unavailable}`) : null}
    >
      <h2>{t('application.needs.title')}</h2>
      <p data-testid="fee">{fee}</p>
      {papers.length > 0 && (
        <>
          <p>{t('application.needs.papers')}</p>
          <ul>
            {papers.map((paper) => (
              <li key={paper}>{paper}</li>
            ))}
          </ul>
        </>
      )}
      {form.pickupAtTerminal && <p>{t('application.needs.pickup')}</p>}
      <div className="actions">
        {!props.unavailable && (
          <Action event={{ type: 'CONFIRM' }} testId="start">
            {t('application.needs.start')}
          </Action>
        )}
      </div>
    </Screen>
  );
}

/** How an answer reads on the page. */
function useShownValue() {
  const { t } = useTranslation();
  const text = useFormText();
  return (field: Field): string => {
    const { value } = field;
    if (value === null || value === '') return t('application.review.empty');
    if (typeof value === 'boolean')
      return t(value ? 'application.question.yes' : 'application.question.no');
    if (typeof value === 'object') {
      return `${value.street ?? ''} ${value.houseNumber ?? ''}, ${value.postcode ?? ''} ${value.town ?? ''}`.trim();
    }
    const option = field.options?.find((candidate) => candidate.value === value);
    return option ? text(option.label) : value;
  };
}

const ADDRESS_PARTS = ['street', 'houseNumber', 'postcode', 'town'] as const;

/** One typing slot: pressing it moves the keyboard there; its text is shown inside. */
function Slot({
  slot,
  label,
  value,
  focused,
  errorId,
}: {
  slot: string;
  label: string;
  value: string;
  focused: boolean;
  errorId: string | null;
}) {
  const { send } = useScreen();
  return (
    <button
      type="button"
      className={`slot${focused ? ' focused' : ''}`}
      data-testid={`slot-${slot}`}
      aria-pressed={focused}
      aria-describedby={errorId ?? undefined}
      aria-invalid={errorId ? true : undefined}
      onClick={() => send({ type: 'EDIT_SLOT', slot })}
    >
      <span className="slot-label">{label}</span>
      <span className="slot-value" dir="auto">
        {value}
        {focused && <span className="caret" aria-hidden="true" />}
      </span>
    </button>
  );
}

function FieldInput({ field, focus }: { field: Field; focus: string | null }) {
  const { t } = useTranslation();
  const text = useFormText();
  const label = field.required
    ? text(field.label)
    : t('application.question.label-optional', { label: text(field.label) });
  const errorId = field.error ? `error-${field.id}` : null;
  const error = field.error && (
    <p className="error field-error" id={errorId ?? undefined} data-testid={`error-${field.id}`}>
      <span aria-hidden="true">⚠ </span>
      {t(`application.error.${field.error}`)}
    </p>
  );
  if (field.type === 'yes-no' || field.type === 'choice') {
    const options =
      field.type === 'yes-no'
        ? [
            { value: true, name: t('application.question.yes') },
            { value: false, name: t('application.question.no') },
          ]
        : (field.options ?? []).map((option) => ({
            value: option.value,
            name: text(option.label),
          }));
    return (
      <fieldset className="field" data-testid={`field-${field.id}`}>
        <legend>{label}</legend>
        <div className="choices">
          {options.map((option) => (
            <Action
              key={String(option.value)}
              event={{ type: 'SET', field: field.id, value: option.value }}
              testId={`set-${field.id}-${String(option.value)}`}
              kind="choice"
              pressed={field.value === option.value}
            >
              {option.name}
            </Action>
          ))}
        </div>
        {error}
      </fieldset>
    );
  }
  if (field.type === 'address') {
    const value = typeof field.value === 'object' && field.value !== null ? field.value : {};
    return (
      <fieldset className="field" data-testid={`field-${field.id}`}>
        <legend>{label}</legend>
        {ADDRESS_PARTS.map((part) => (
          <Slot
            key={part}
            slot={`${field.id}.${part}`}
            label={t(`application.question.address.${part}`)}
            value={value[part] ?? ''}
            focused={focus === `${field.id}.${part}`}
            errorId={errorId}
          />
        ))}
        {error}
      </fieldset>
    );
  }
  const hint = field.type === 'date' ? t('application.question.date-format') : null;
  return (
    <div className="field" data-testid={`field-${field.id}`}>
      <Slot
        slot={field.id}
        label={hint ? `${label} – ${hint}` : label}
        value={typeof field.value === 'string' ? field.value : ''}
        focused={focus === field.id}
        errorId={errorId}
      />
      {error}
    </div>
  );
}

/** An empty name or place: its first letter is a capital (not so an e-mail or an IBAN). */
function startsName(field: Field, slot: string | null): boolean {
  if (field.type === 'address') {
    const part = slot?.split('.')[1] as 'street' | 'town' | undefined;
    const value = typeof field.value === 'object' && field.value !== null ? field.value : {};
    return (part === 'street' || part === 'town') && !value[part];
  }
  return (field.type === 'text' || field.type === 'multiline') && !field.value;
}

export function ApplicationQuestion(props: PropsOf<'application.question'>) {
  const { t } = useTranslation();
  const text = useFormText();
  const question = props.question;
  if (!question) return null;
  const typing = question.fields.some((field) => field.slots.length > 0);
  const focused = question.fields.find((field) => field.slots.some((slot) => slot === props.focus));
  const capitalise = focused !== undefined && startsName(focused, props.focus);
  return (
    <Screen
      title={text(question.stepTitle)}
      intro={props.form ? text(props.form.title) : null}
      step={{ index: question.index, count: question.count }}
      className="application-question"
    >
      <div className="fields">
        {question.fields.map((field) => (
          <FieldInput key={field.id} field={field} focus={props.focus} />
        ))}
      </div>
      {typing ? (
        <TextKeyboard submit capitalise={capitalise} />
      ) : (
        <div className="actions">
          <SubmitButton />
        </div>
      )}
    </Screen>
  );
}

export function ApplicationReview(props: PropsOf<'application.review'>) {
  const { t } = useTranslation();
  const text = useFormText();
  const shownValue = useShownValue();
  return (
    <Screen title={t('application.review.title')} intro={t('application.review.intro')}>
      <div className="review" data-testid="review">
        {(props.review ?? []).map((section) => (
          <section key={section.stepId} aria-labelledby={`review-${section.stepId}`}>
            <h2 id={`review-${section.stepId}`}>{text(section.title)}</h2>
            <dl>
              {section.fields.map((field) => (
                <div key={field.id}>
                  <dt>{text(field.label)}</dt>
                  <dd dir="auto" data-testid={`review-${field.id}`}>
                    {shownValue(field)}
                  </dd>
                </div>
              ))}
            </dl>
            <Action
              event={{ type: 'CHANGE', step: section.stepId }}
              testId={`change-${section.stepId}`}
              kind="secondary"
            >
              {t('application.review.change')}
              <span className="visually-hidden">: {text(section.title)}</span>
            </Action>
          </section>
        ))}
      </div>
      <div className="actions">
        <Action event={{ type: 'CONFIRM' }} testId="confirm">
          {t('application.review.continue')}
        </Action>
      </div>
    </Screen>
  );
}

export function ApplicationConsent(props: PropsOf<'application.consent'>) {
  const { t } = useTranslation();
  return (
    <Screen
      title={t('application.consent.title')}
      intro={t('application.consent.intro', { days: props.form?.retentionDays ?? 0 })}
    >
      <div className="actions">
        <Action event={{ type: 'CONFIRM' }} testId="agree">
          {t('application.consent.agree')}
        </Action>
      </div>
    </Screen>
  );
}

/** The case number as a QR code (inline SVG, dark squares on a white quiet zone). */
function CaseQr({ number }: { number: string }) {
  const { t } = useTranslation();
  const qr = qrcode(0, 'M');
  qr.addData(number, 'Byte');
  qr.make();
  const count = qr.getModuleCount();
  const quiet = 4;
  const size = count + 2 * quiet;
  let path = '';
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (qr.isDark(row, col)) path += `M${col + quiet} ${row + quiet}h1v1h-1z`;
    }
  }
  return (
    <svg
      className="qr"
      role="img"
      aria-label={t('application.receipt.qr-label', { number })}
      viewBox={`0 0 ${size} ${size}`}
      width={size * 6}
      height={size * 6}
      shapeRendering="crispEdges"
      data-testid="case-qr"
    >
      <rect width={size} height={size} fill="#fff" />
      <path fill="#000" d={path} />
    </svg>
  );
}

export function ApplicationReceipt(props: PropsOf<'application.receipt'>) {
  const { t } = useTranslation();
  const number = props.caseNumber ?? '';
  return (
    <Screen title={t('application.receipt.title')} intro={t('application.receipt.intro')}>
      <dl className="receipt" data-testid="receipt">
        <div>
          <dt>{t('application.receipt.case-label')}</dt>
          <dd dir="ltr" data-testid="case-number">
            {number}
          </dd>
        </div>
      </dl>
      {number && <CaseQr number={number} />}
      <div className="actions">
        <Action event={{ type: 'CONFIRM' }} testId="confirm">
          {t('common.done')}
        </Action>
      </div>
    </Screen>
  );
}

export function ApplicationUnavailable(props: PropsOf<'application.unavailable'>) {
  const { t } = useTranslation();
  return (
    <Screen
      title={t('application.unavailable.title')}
      intro={t('application.unavailable.intro')}
      error={t(`application.reason.${props.unavailable ?? 'unknown'}`)}
    >
      <div className="actions">
        <Action event={{ type: 'CONFIRM' }} testId="confirm">
          {t('common.ok')}
        </Action>
      </div>
    </Screen>
  );
}

const DIGITS = '1234567890'.split('');
const LETTERS_DE = ['QWERTZUIOPÜ', 'ASDFGHJKLÖÄ', 'YXCVBNMß'];
const LETTERS = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM', 'ÄÖÜß'];
const SIGNS = ['@', '.', ',', '-', '/', '+'];

/**
 * The keyboard for form answers: digits, letters with the German umlauts and ß, @ and the
 * signs addresses and e-mail addresses need, a space and a shift for capitals. (The
 * reference keyboard, `Keyboard`, types capitals and digits only.)
 */
function TextKeyboard({
  submit = false,
  capitalise = false,
}: {
  submit?: boolean;
  /** At the start of a name or a place: the first letter a capital (shift undoes it). */
  capitalise?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { send } = useScreen();
  // The shift key for the next letter; unset, the keyboard follows `capitalise`.
  const [shift, setShift] = useState<boolean | null>(null);
  const capitals = shift ?? capitalise;
  const rows = i18n.language.startsWith('de') ? LETTERS_DE : LETTERS;
  const type = (character: string) => {
    send({ type: 'KEY', key: character });
    if (/\p{L}/u.test(character)) setShift(null);
  };
  const key = (character: string) => {
    const shown = capitals || character === 'ß' ? character : character.toLocaleLowerCase('de');
    return (
      <button
        key={character}
        type="button"
        className="key"
        data-testid={`key-${character}`}
        onClick={() => type(shown)}
      >
        {shown}
      </button>
    );
  };
  return (
    <div className="keyboard-area">
      <fieldset className="keyboard" dir="ltr">
        <legend className="visually-hidden">{t('keypad.keyboard')}</legend>
        <div className="keyboard-row">{DIGITS.map(key)}</div>
        {rows.map((row) => (
          <div className="keyboard-row" key={row}>
            {[...row].map(key)}
          </div>
        ))}
        <div className="keyboard-row">
          <button
            type="button"
            className="key command"
            data-testid="shift"
            aria-pressed={capitals}
            onClick={() => setShift(!capitals)}
          >
            {t('application.question.shift')}
          </button>
          {SIGNS.map(key)}
          <button
            type="button"
            className="key command wide"
            data-testid="key-space"
            onClick={() => send({ type: 'KEY', key: ' ' })}
          >
            {t('application.question.space')}
          </button>
        </div>
        <div className="keyboard-row">
          <button
            type="button"
            className="key command"
            data-testid="clear"
            onClick={() => send({ type: 'CLEAR' })}
          >
            {t('keypad.clear')}
          </button>
          <button
            type="button"
            className="key command wide"
            data-testid="delete"
            onClick={() => send({ type: 'DELETE' })}
          >
            <span aria-hidden="true">⌫ </span>
            {t('keypad.delete')}
          </button>
        </div>
      </fieldset>
      {submit && (
        <div className="keyboard-actions">
          <SubmitButton />
        </div>
      )}
    </div>
  );
}
