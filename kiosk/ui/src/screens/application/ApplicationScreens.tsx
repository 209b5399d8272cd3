import qrcode from 'qrcode-generator';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Busy } from '../../components/Busy.tsx';
import { Keyboard, type KeyboardLayout } from '../../components/Keyboard.tsx';
import { SubmitButton } from '../../components/Keypad.tsx';
import { PrintButton, printFault, printStatus } from '../../components/ReceiptPrint.tsx';
import { Screen } from '../../components/Screen.tsx';
import { joinSentences } from '../../components/sentences.ts';
import type { PropsOf } from '../../contract.ts';
import { useScreen } from '../../shell/screen-context.ts';
import { slotDirection } from './field-direction.ts';

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

/** Services per page of the list: two rows of two keep the list within the reach band. */
const SERVICES_PER_PAGE = 4;
/** Matches shown above the search keyboard (one row); the list shows them all. */
const SEARCH_MATCHES = 2;

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
  // The search keyboard or the list (paged): both together are taller than the reach band.
  const [searching, setSearching] = useState(false);
  // A new category or search word starts the list at its first page.
  const filter = `${props.category}|${query}`;
  const [paging, setPaging] = useState({ filter, page: 0 });
  const pages = Math.max(1, Math.ceil(matches.length / SERVICES_PER_PAGE));
  const page = paging.filter === filter ? Math.min(paging.page, pages - 1) : 0;
  const turn = (by: number) => setPaging({ filter, page: page + by });
  const shown = searching
    ? matches.slice(0, SEARCH_MATCHES)
    : matches.slice(page * SERVICES_PER_PAGE, (page + 1) * SERVICES_PER_PAGE);
  return (
    <Screen
      title={t('application.choose.title')}
      intro={t('application.choose.intro')}
      className="application-choose"
      display={
        (searching || props.query) && (
          <p className="entry-display search-display" data-testid="search">
            <span className="visually-hidden">{t('application.choose.search')}: </span>
            {props.query}
            {searching && <span className="caret" aria-hidden="true" />}
          </p>
        )
      }
    >
      {!searching && (
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
      )}
      <div className="choices services forms">
        {shown.map((service) => (
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
      {searching ? (
        <Keyboard
          layout="search"
          submit={false}
          side={
            <button
              type="button"
              className="secondary"
              data-testid="search-close"
              onClick={() => setSearching(false)}
            >
              {t('application.choose.show-list', { count: matches.length })}
            </button>
          }
        />
      ) : (
        <div className="list-paging">
          <button
            type="button"
            className="secondary"
            data-testid="search-open"
            onClick={() => setSearching(true)}
          >
            {t('application.choose.search-open')}
          </button>
          {pages > 1 && (
            <>
              <button
                type="button"
                className="secondary"
                data-testid="page-previous"
                disabled={page === 0}
                onClick={() => turn(-1)}
              >
                <span aria-hidden="true" className="icon flip-rtl">
                  ◀
                </span>{' '}
                {t('application.choose.previous')}
              </button>
              <p className="page-of" aria-live="polite">
                {t('application.choose.page', { page: page + 1, pages })}
              </p>
              <button
                type="button"
                className="secondary"
                data-testid="page-next"
                disabled={page === pages - 1}
                onClick={() => turn(1)}
              >
                {t('application.choose.next')}{' '}
                <span aria-hidden="true" className="icon flip-rtl">
                  ▶
                </span>
              </button>
            </>
          )}
        </div>
      )}
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

/** One typing slot of a step: its id (`field` or `field.part`), label, what is typed. */
interface SlotView {
  slot: string;
  field: Field;
  label: string;
  value: string;
  /** The id of the field's inline error, if it has one. */
  errorId: string | null;
}

/** A field's label, "(optional)" added where it may stay empty. */
function useFieldLabel() {
  const { t } = useTranslation();
  const text = useFormText();
  return (field: Field) =>
    field.required
      ? text(field.label)
      : t('application.question.label-optional', { label: text(field.label) });
}

/** The slots of a step, in order: a field's own, or the four parts of an address. */
function useSlots(fields: Field[]): SlotView[] {
  const { t } = useTranslation();
  const label = useFieldLabel();
  return fields.flatMap((field): SlotView[] => {
    const errorId = field.error ? `error-${field.id}` : null;
    if (field.type === 'address') {
      const value = typeof field.value === 'object' && field.value !== null ? field.value : {};
      return ADDRESS_PARTS.map((part) => ({
        slot: `${field.id}.${part}`,
        field,
        label: t(`application.question.address.${part}`),
        value: value[part] ?? '',
        errorId,
      }));
    }
    if (field.slots.length === 0) return [];
    const hint = field.type === 'date' ? t('application.question.date-format') : null;
    return [
      {
        slot: field.id,
        field,
        label: hint ? `${label(field)} – ${hint}` : label(field),
        value: typeof field.value === 'string' ? field.value : '',
        errorId,
      },
    ];
  });
}

const boxId = (slot: string) => `box-${slot.replace('.', '-')}`;

function FieldError({ field }: { field: Field }) {
  const { t } = useTranslation();
  if (!field.error) return null;
  return (
    <p className="error field-error" id={`error-${field.id}`} data-testid={`error-${field.id}`}>
      <span aria-hidden="true">⚠ </span>
      {t(`application.error.${field.error}`)}
    </p>
  );
}

/**
 * What is typed, shown as a text field (above the reach band, where it is read): the label
 * above a framed box with the text and, in the slot the keyboard types into, a caret.
 */
function TextField({ view, focused }: { view: SlotView; focused: boolean }) {
  // Fixed, not "auto": an empty or digits-only box would take the page's direction and the
  // caret would jump sides with the first letter.
  const ltr = slotDirection(view.field.type, view.slot) === 'ltr';
  return (
    <div
      className={`text-field${focused ? ' focused' : ''}${view.errorId ? ' invalid' : ''}`}
      data-testid={`box-${view.slot}`}
    >
      <span className="text-field-label">{view.label}</span>
      <span className="text-field-box" id={boxId(view.slot)} dir={ltr ? 'ltr' : undefined}>
        {view.value}
        {focused && <span className="caret" aria-hidden="true" />}
      </span>
    </div>
  );
}

/** The typed fields of a step, grouped as the form groups them (an address in one frame). */
function TypedFields({
  fields,
  slots,
  focus,
}: {
  fields: Field[];
  slots: SlotView[];
  focus: string | null;
}) {
  const label = useFieldLabel();
  return (
    <div className="text-fields">
      {fields
        .filter((field) => slots.some((view) => view.field === field))
        .map((field) => {
          const own = slots.filter((view) => view.field === field);
          const boxes = own.map((view) => (
            <TextField key={view.slot} view={view} focused={focus === view.slot} />
          ));
          return field.type === 'address' ? (
            <div key={field.id} className="text-field-group" data-testid={`field-${field.id}`}>
              <p className="text-field-group-label">{label(field)}</p>
              <div className="address-boxes">{boxes}</div>
              <FieldError field={field} />
            </div>
          ) : (
            <div key={field.id} data-testid={`field-${field.id}`}>
              {boxes}
              <FieldError field={field} />
            </div>
          );
        })}
    </div>
  );
}

/**
 * The buttons that move the keyboard to a slot (in the reach band; the slot itself is shown
 * above it): each named by its label, the current one pressed.
 */
function SlotChooser({ slots, focus }: { slots: SlotView[]; focus: string | null }) {
  const { t } = useTranslation();
  const { send } = useScreen();
  return (
    <fieldset className="slots">
      <legend className="visually-hidden">{t('application.question.slots')}</legend>
      {slots.map((view) => (
        <button
          key={view.slot}
          type="button"
          className="slot"
          data-testid={`slot-${view.slot}`}
          aria-pressed={focus === view.slot}
          // What is typed in it, and its error (ids, not text).
          aria-describedby={view.errorId ? `${boxId(view.slot)} ${view.errorId}` : boxId(view.slot)}
          aria-invalid={view.errorId ? true : undefined}
          onClick={() => send({ type: 'EDIT_SLOT', slot: view.slot })}
        >
          <span aria-hidden="true">✎ </span>
          {view.label}
        </button>
      ))}
    </fieldset>
  );
}

/** Choices and yes/no questions: touched, so in the reach band, with their error. */
function ChoiceField({ field }: { field: Field }) {
  const { t } = useTranslation();
  const text = useFormText();
  const label = useFieldLabel();
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
      <legend>{label(field)}</legend>
      <div className="choices answers">
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
      <FieldError field={field} />
    </fieldset>
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

/** Dates, numbers, postcodes and phone numbers take digits only: a short keyboard. */
function layoutFor(field: Field | undefined, slot: string | null): KeyboardLayout {
  if (!field) return 'text';
  if (field.type === 'address') return slot?.endsWith('.postcode') ? 'digits' : 'text';
  return ['date', 'number', 'postcode', 'phone'].includes(field.type) ? 'digits' : 'text';
}

export function ApplicationQuestion(props: PropsOf<'application.question'>) {
  const text = useFormText();
  const question = props.question;
  const slots = useSlots(question?.fields ?? []);
  if (!question) return null;
  const focused = slots.find((view) => view.slot === props.focus)?.field;
  const layout = layoutFor(focused, props.focus);
  const choices = question.fields.filter(
    (field) => field.type === 'yes-no' || field.type === 'choice',
  );
  return (
    <Screen
      title={text(question.stepTitle)}
      intro={props.form ? text(props.form.title) : null}
      step={{ index: question.index, count: question.count }}
      className="application-question"
      display={
        slots.length > 0 && (
          <TypedFields fields={question.fields} slots={slots} focus={props.focus} />
        )
      }
    >
      {choices.map((field) => (
        <ChoiceField key={field.id} field={field} />
      ))}
      {slots.length > 0 ? (
        <>
          <SlotChooser slots={slots} focus={props.focus} />
          <Keyboard
            layout={layout}
            extra={focused?.type === 'phone' ? ['+'] : []}
            capitalise={focused !== undefined && startsName(focused, props.focus)}
          />
        </>
      ) : (
        <div className="actions">
          <SubmitButton />
        </div>
      )}
    </Screen>
  );
}

/**
 * The review: every answer, read above the reach band (two columns of sections); in the
 * band one "Change" button per section and the confirmation, lowest.
 */
export function ApplicationReview(props: PropsOf<'application.review'>) {
  const { t } = useTranslation();
  const text = useFormText();
  const shownValue = useShownValue();
  const sections = props.review ?? [];
  return (
    <Screen
      title={t('application.review.title')}
      intro={t('application.review.intro')}
      className="application-review"
      display={
        <div className="review" data-testid="review">
          {sections.map((section) => (
            <section key={section.stepId} aria-labelledby={`review-${section.stepId}`}>
              <h2 id={`review-${section.stepId}`}>{text(section.title)}</h2>
              <dl>
                {section.fields.map((field) => (
                  <div key={field.id}>
                    <dt>{text(field.label)}</dt>
                    <dd
                      dir={slotDirection(field.type, field.id) === 'ltr' ? 'ltr' : 'auto'}
                      data-testid={`review-${field.id}`}
                    >
                      {shownValue(field)}
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      }
    >
      <div className="changes">
        {sections.map((section) => (
          <Action
            key={section.stepId}
            event={{ type: 'CHANGE', step: section.stepId }}
            testId={`change-${section.stepId}`}
            kind="secondary"
          >
            <span className="change-verb">
              <span aria-hidden="true">✎ </span>
              {t('application.review.change')}
            </span>{' '}
            <span className="change-section">{text(section.title)}</span>
          </Action>
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
    <Screen
      title={t('application.receipt.title')}
      intro={t('application.receipt.intro')}
      error={printFault(t, props)}
      display={printStatus(t, props)}
    >
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
        <PrintButton printer={props.printer} print={props.print} />
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
