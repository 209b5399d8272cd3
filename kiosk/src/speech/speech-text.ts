/**
 * What the terminal says for a view, in the session's language, from the same translation
 * files and keys as the screen (kiosk/ui/src/locales): step, title, instructions, error,
 * what the screen adds (doors still to open, a receipt), then the choices. Entered codes,
 * PINs and dates of birth are not in a view at all, only their length, so speech can only
 * ever say how many characters were typed.
 */
import i18next, { type TFunction } from 'i18next';
import { formatDateTime, formatList } from '../../ui/src/components/date-time.ts';
import ar from '../../ui/src/locales/ar.json' with { type: 'json' };
import de from '../../ui/src/locales/de.json' with { type: 'json' };
import deEasy from '../../ui/src/locales/de-easy.json' with { type: 'json' };
import en from '../../ui/src/locales/en.json' with { type: 'json' };
import pl from '../../ui/src/locales/pl.json' with { type: 'json' };
import ru from '../../ui/src/locales/ru.json' with { type: 'json' };
import tr from '../../ui/src/locales/tr.json' with { type: 'json' };
import uk from '../../ui/src/locales/uk.json' with { type: 'json' };
import type { PropsOf, Screen, View } from '../contract/index.ts';
import { type Translate, type Wall, whereText } from '../contract/layout.ts';
import { LANGUAGES, type Language } from '../flows/session.machine.ts';
import {
  APPLICATION_CONTROLS,
  APPLICATION_SPEECH,
  applicationEntry,
  reviewChangeName,
} from './application-speech.ts';
import { printChange, printSpeech } from './print-speech.ts';

const RESOURCES = { de, 'de-easy': deEasy, en, tr, ar, uk, ru, pl };

// The page's settings (kiosk/ui/src/i18n.ts), in an instance of its own.
const i18n = i18next.createInstance();
void i18n.init({
  resources: Object.fromEntries(
    Object.entries(RESOURCES).map(([language, strings]) => [language, { translation: strings }]),
  ),
  lng: 'de',
  fallbackLng: 'de',
  lowerCaseLng: true,
  initAsync: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});

/**
 * The page's texts in `language` (German for one this terminal does not know): what a
 * printed receipt says comes from the same files as the screen and the voice.
 */
export const textsIn = (language: string): TFunction =>
  i18n.getFixedT((LANGUAGES as readonly string[]).includes(language) ? language : 'de');

/** The parts of a screen's speech, in the order they are read. */
export interface ScreenSpeech {
  title: string;
  intro?: string | null | undefined;
  error?: string | null | undefined;
  step?: { index: number; count: number | null } | null | undefined;
  /** What the screen adds (a receipt's number, doors still to open, what was typed). */
  extra?: (string | null | undefined)[];
  /** The choices the screen offers, by their button text. */
  options?: (string | null | undefined)[];
}

/** Words for a screen: the translation and the page's fallbacks (components/reasons.ts). */
export interface Words {
  t: TFunction;
  /** The session's language (texts of the form catalogue carry all eight). */
  language: string;
  /** `group.code`, or `group.unknown` for a code this terminal does not know. */
  reason(group: string, code: unknown): string | null;
  kind(kind: string | null | undefined): string;
  /** "n digits entered" (codes, PINs, dates: never the digits themselves). */
  entered(count: number | null | undefined, what?: 'digits' | 'characters'): string | null;
  /** "A1, A2 und B3": a list as the language writes it (the page's own formatList). */
  list(items: readonly string[]): string;
  /** The site's time zone: times are said as the screen shows them. */
  timeZone: string;
  /** Where each open compartment is on the wall (the door map's sentence); none without a wall. */
  where(labels: readonly (string | null | undefined)[]): string[];
}

function wordsFor(language: string, wall?: Wall | null, timeZone = 'Europe/Berlin'): Words {
  const t = i18n.getFixedT(language);
  const reason = (group: string, code: unknown) => {
    if (typeof code !== 'string' || code === '') return null;
    const key = `${group}.${code}`;
    return i18n.exists(key, { lng: language }) ? t(key) : t(`${group}.unknown`);
  };
  return {
    t,
    language,
    timeZone,
    reason,
    kind: (kind) => reason('kind', kind ?? 'unknown') ?? '',
    entered: (count, what = 'digits') => (count ? t(`speech.${what}-entered`, { count }) : null),
    list: (items) => formatList(items, language),
    where: (labels) => {
      if (!wall) return [];
      const translate: Translate = (key, values) => t(key, values ?? {});
      return labels.flatMap((label) => (label ? (whereText(translate, wall, label) ?? []) : []));
    },
  };
}

export type Build<S extends Screen> = (props: PropsOf<S>, w: Words) => ScreenSpeech;

const busy = (title: string, w: Words): ScreenSpeech => ({
  title,
  intro: w.t('common.please-wait'),
});

const codeEntry = (
  prefix: 'pickup.code' | 'pickup.date-of-birth' | 'parcel.code' | 'courier.login',
  props: { entered?: number | null; error?: string | null; step?: ScreenSpeech['step'] },
  w: Words,
): ScreenSpeech => ({
  title: w.t(`${prefix}.title`),
  intro: w.t(`${prefix}.intro`),
  step: props.step,
  error: w.reason('errors', props.error),
  extra: [w.entered(props.entered)],
  options: [w.t('keypad.submit')],
});

/** Every screen, checked by the compiler: a new screen without speech does not build. */
const SCREENS: { [S in Screen]: Build<S> } = {
  ...APPLICATION_SPEECH,
  attract: (props, w) => ({
    title: w.t('attract.title'),
    intro: w.t('attract.intro'),
    extra: [w.t('attract.staff-hint')],
    options: [...props.services, ...props.courierServices].map((service) =>
      serviceName(service, w),
    ),
  }),
  survey: (props, w) => {
    const asks = props.outcome !== 'abandoned';
    return {
      title:
        props.outcome === 'failed'
          ? w.t('survey.title-failed')
          : props.outcome === 'abandoned'
            ? w.t('survey.title-abandoned')
            : w.t('survey.title'),
      intro: props.outcome === 'failed' ? w.reason('failure', props.reason ?? 'unknown') : null,
      extra: [
        props.doorOpen ? w.t('survey.close-door') : null,
        asks ? w.t('survey.question-satisfaction') : null,
      ],
      options: [props.reopenUntil !== null ? w.t('survey.open-again') : null, w.t('survey.finish')],
    };
  },
  'pickup.code': (props, w) => codeEntry('pickup.code', props, w),
  'pickup.checking': (_, w) => busy(w.t('pickup.checking.title'), w),
  'pickup.date-of-birth': (props, w) => codeEntry('pickup.date-of-birth', props, w),
  'pickup.choose': (props, w) => ({
    title: w.t('pickup.choose.title'),
    intro: w.t('pickup.choose.intro'),
    step: props.step,
    options: [
      w.t('pickup.choose.take-all', { count: props.items.length }),
      ...props.items.map((item, index) =>
        w.t('pickup.choose.item', { number: index + 1, kind: w.kind(item.kind) }),
      ),
      w.t('pickup.choose.confirm', { count: props.selected.length }),
    ],
  }),
  'pickup.pin-letter': (props, w) => ({
    title: w.t('pickup.pin-letter.title'),
    intro: w.t('pickup.pin-letter.intro'),
    step: props.step,
    extra: [w.t('pickup.pin-letter.no-letter')],
    options: [w.t('pickup.pin-letter.confirm')],
  }),
  // One screen that changes: the door opening, then what to take (the narrator says both).
  'pickup.door': (props, w) => ({
    title: props.doorOpen
      ? w.t('pickup.take-and-close.title', {
          compartment: props.compartment,
          count: props.inCompartment,
        })
      : w.t('pickup.door.title', { compartment: props.compartment }),
    intro: props.doorOpen ? w.t('pickup.take-and-close.intro') : w.t('common.please-wait'),
    step: props.step,
    extra: [...w.where([props.compartment]), moreDoors(props.remainingDoors, w)],
  }),
  'courier.login': (props, w) => codeEntry('courier.login', props, w),
  'courier.checking': (_, w) => busy(w.t('courier.checking.title'), w),
  'courier.scan': (props, w) => ({
    title: w.t('courier.scan.title'),
    intro: w.t('courier.scan.intro'),
    step: props.step,
    error: w.reason('errors', props.error),
    extra: [
      props.last ? w.t(`courier.scan.last.${props.last}`) : null,
      w.t('courier.deposited-count', { n: props.deposited }),
      w.entered(props.typed?.length, 'characters'),
    ],
    options: [w.t('courier.finish')],
  }),
  'courier.size': (props, w) => ({
    title: w.t('courier.size.title'),
    intro: props.announcedSize
      ? w.t('courier.size.announced', { size: w.t(`size.${props.announcedSize}`) })
      : null,
    step: props.step,
    options: (props.sizes ?? [])
      .filter(({ available }) => available)
      .map(({ size, free }) => `${w.t(`size.${size}`)}: ${w.t('courier.size.free', { n: free })}`),
  }),
  'courier.size-full': (props, w) => ({
    title: w.t('courier.size-full.title', { size: w.t(`size.${props.requested ?? 'unknown'}`) }),
    intro: props.offer ? w.t('courier.size-full.offer-intro') : w.t('courier.size-full.no-offer'),
    step: props.step,
    options: [
      props.offer
        ? w.t('courier.size-full.take-offer', { size: w.t(`size.${props.offer}`) })
        : null,
    ],
  }),
  'courier.full': (props, w) => ({
    title: w.t('courier.full.title'),
    intro: props.nearest
      ? w.t('courier.full.nearest', { station: props.nearest })
      : w.t('courier.full.no-nearest'),
    options: [w.t('courier.finish')],
  }),
  'courier.opening': (props, w) =>
    busy(w.t('courier.opening.title', { compartment: props.compartment }), w),
  'courier.deposit-and-close': (props, w) => ({
    title: w.t('courier.deposit-and-close.title', { compartment: props.compartment }),
    intro: w.t('courier.deposit-and-close.intro'),
    step: props.step,
    extra: w.where([props.compartment]),
  }),
  'courier.not-seen': (props, w) => ({
    title: w.t('courier.not-seen.title'),
    intro: w.t('courier.not-seen.intro', { compartment: props.compartment }),
    options: [w.t('courier.not-seen.open-again', { compartment: props.compartment })],
  }),
  'courier.door-failed': (props, w) => ({
    title: w.t('courier.door-failed.title', { compartment: props.compartment }),
    intro: w.reason('failure', `door-${props.reason ?? 'unknown'}`),
    extra: [w.t('courier.door-failed.next')],
    options: [w.t('courier.next-parcel'), w.t('courier.finish')],
  }),
  'courier.deposited': (props, w) => ({
    title: w.t('courier.deposited.title', { compartment: props.compartment }),
    intro: w.t('courier.deposited-count', { n: props.deposited }),
    options: [w.t('courier.next-parcel'), w.t('courier.finish')],
  }),
  'parcel.code': (props, w) => codeEntry('parcel.code', props, w),
  'parcel.checking': (_, w) => busy(w.t('parcel.checking.title'), w),
  'parcel.opening': (props, w) =>
    busy(
      w.t('parcel.opening.title', {
        count: props.compartments.length,
        compartment: w.list(props.compartments),
      }),
      w,
    ),
  'parcel.take-and-close': (props, w) => ({
    title: w.t('parcel.take-and-close.title', {
      count: props.compartments.length,
      compartment: w.list(props.compartments),
    }),
    intro: w.t('parcel.take-and-close.intro', { count: props.parcels }),
    step: props.step,
    extra: [...w.where(props.compartments), moreDoors(props.remainingDoors, w)],
  }),
  'drop-off.reference': (props, w) => ({
    title: w.t('drop-off.reference.title'),
    intro: w.t('drop-off.reference.intro'),
    step: props.step,
    error: w.reason('errors', props.error),
    extra: [w.entered(props.entered, 'characters')],
    options: [w.t('keypad.submit')],
  }),
  'drop-off.checking': (_, w) => busy(w.t('drop-off.checking.title'), w),
  'drop-off.full': (props, w) => ({
    title: w.t('drop-off.full.title'),
    intro: w.t('drop-off.full.intro'),
    extra: (props.advice ?? []).map((advice) => w.reason('drop-off.full.advice', advice)),
    options: [w.t('common.ok')],
  }),
  'drop-off.opening': (props, w) =>
    busy(w.t('drop-off.opening.title', { compartment: props.compartment }), w),
  'drop-off.put-in-and-close': (props, w) => ({
    title: w.t('drop-off.put-in-and-close.title', { compartment: props.compartment }),
    intro: w.t('drop-off.put-in-and-close.intro'),
    step: props.step,
    extra: w.where([props.compartment]),
  }),
  'drop-off.receipt': (props, w) => {
    const printing = printSpeech(props, w);
    return {
      title: w.t('drop-off.receipt.title'),
      intro: w.t('drop-off.receipt.intro'),
      step: props.step,
      error: printing.error,
      extra: [
        w.t('drop-off.receipt.number', { number: props.receiptNumber }),
        // The page said the time too (its own speech text, now gone): the service says it.
        props.droppedOffAt
          ? w.t('drop-off.receipt.time', {
              time: formatDateTime(props.droppedOffAt, w.language, w.timeZone, 'medium'),
            })
          : null,
        printing.status,
      ],
      options: [printing.option, w.t('common.done')],
    };
  },
  'staff.checking': (_, w) => busy(w.t('staff.checking.title'), w),
  'staff.unknown-card': (props, w) => ({
    title: w.t('staff.unknown-card.title'),
    error: w.reason('errors', props.refusal ?? 'unknown-card'),
  }),
  'staff.locked': (_, w) => ({
    title: w.t('staff.locked.title'),
    intro: w.t('staff.locked.intro'),
  }),
  'staff.pin': (props, w) => ({
    title: w.t('staff.pin.title'),
    intro: w.t('staff.pin.intro'),
    error: w.reason('errors', props.error),
    extra: [w.entered(props.entered)],
    options: [w.t('keypad.submit')],
  }),
  'staff.menu': (props, w) => ({
    title: w.t('staff.menu.title'),
    intro: w.t(`staff.role.${props.role ?? 'staff'}`),
    options: [
      ...(['load', 'retrieve', 'maintenance'] as const)
        .filter((task) => props.tasks.includes(task))
        .map((task) => w.t(`staff.menu.${task}`)),
      w.t('staff.menu.logout'),
    ],
  }),
  'staff.load.scan': (props, w) => ({
    title: w.t('staff.load.scan.title'),
    intro: w.t('staff.load.scan.intro'),
    error: w.reason('errors', props.error),
    extra: [
      props.lastLoad
        ? w.t(`staff.load.scan.last.${props.lastLoad.outcome}`, {
            compartment: props.lastLoad.compartment,
          })
        : null,
      w.entered(props.entered, 'characters'),
    ],
  }),
  'staff.load.describe': (props, w) => ({
    title: w.t('staff.load.describe.title'),
    error: w.reason('errors', props.error),
    extra: [
      props.load?.created
        ? w.t('staff.load.describe.kind')
        : w.t('staff.load.describe.known-kind', { kind: w.kind(props.load?.kind) }),
    ],
    options: [
      ...(props.load?.created ? props.choices.kinds.map((kind) => w.kind(kind)) : []),
      ...props.choices.sizes.map((size) => w.t(`size.${size}`)),
      w.t('staff.load.describe.confirm'),
    ],
  }),
  'staff.load.no-compartment': (props, w) => ({
    title: w.t('staff.load.no-compartment.title', {
      size: w.t(`size.${props.noCompartmentSize ?? 'unknown'}`),
    }),
    intro: w.t('staff.load.no-compartment.intro'),
  }),
  'staff.load.second-card': (props, w) => ({
    title: w.t('staff.load.second-card.title'),
    intro: w.t('staff.load.second-card.intro'),
    error: w.reason('errors', props.error),
  }),
  'staff.load.second-pin': (props, w) => ({
    title: w.t('staff.load.second-pin.title'),
    intro: w.t('staff.load.second-pin.intro'),
    error: w.reason('errors', props.error),
    extra: [w.entered(props.entered)],
    options: [w.t('keypad.submit')],
  }),
  'staff.opening': (props, w) =>
    busy(w.t('staff.opening.title', { compartment: props.door?.compartment }), w),
  'staff.door-open': (props, w) => {
    const door = props.door;
    const purpose = door?.purpose ?? 'maintenance';
    return {
      title: w.t('staff.door-open.title', { compartment: door?.compartment }),
      intro: w.t(`staff.door-open.purpose.${purpose}`),
      extra: [
        ...w.where([door?.compartment]),
        door?.item
          ? w.t('staff.door-open.item', {
              kind: w.kind(door.item.kind),
              reference: door.item.reference ?? '',
            })
          : null,
        door && door.remaining > 0 ? w.t('staff.door-open.remaining', { n: door.remaining }) : null,
      ],
      options: [
        purpose === 'retrieve'
          ? door?.taken
            ? w.t('staff.door-open.taken')
            : w.t('staff.door-open.confirm-taken')
          : null,
      ],
    };
  },
  'staff.door-failed': (props, w) => ({
    title: w.t('staff.door-failed.title', { compartment: props.lastDoor?.compartment }),
    intro: w.reason('failure', `door-${props.lastDoor?.reason ?? 'unknown'}`),
    extra: [props.defectMarked ? w.t('staff.door-failed.marked') : null],
    options: [
      props.defectMarked ? null : w.t('staff.door-failed.mark-defective'),
      w.t('common.continue'),
    ],
  }),
  'staff.retrieve.list': (props, w) => {
    const inside = props.expired.filter((item) => item.compartment);
    return {
      title: w.t('staff.retrieve.list.title'),
      intro: w.t('staff.retrieve.list.intro', { n: inside.length }),
      extra: [
        props.lastDoor?.purpose === 'retrieve'
          ? w.t(`staff.last-door.${props.lastDoor.outcome}`, {
              compartment: props.lastDoor.compartment,
            })
          : null,
      ],
      options: [
        ...inside.map((item) =>
          w.t('staff.retrieve.list.item', {
            compartment: item.compartment,
            kind: w.kind(item.kind),
          }),
        ),
        inside.length > 0 ? w.t('staff.retrieve.list.all', { n: inside.length }) : null,
      ],
    };
  },
  'staff.retrieve.confirm': (props, w) => ({
    title: w.t('staff.retrieve.confirm.title', { compartment: props.door?.compartment }),
    intro: w.t('staff.retrieve.confirm.intro'),
    options: [w.t('staff.retrieve.confirm.taken'), w.t('staff.retrieve.confirm.not-taken')],
  }),
  'staff.maintenance': (props, w) => ({
    title: w.t('staff.maintenance.title'),
    intro: w.t('staff.maintenance.intro'),
    extra: [
      props.lastDoor
        ? [
            w.t(`staff.last-door.${props.lastDoor.outcome}`, {
              compartment: props.lastDoor.compartment,
            }),
            w.reason('failure', props.lastDoor.reason ? `door-${props.lastDoor.reason}` : null),
          ]
            .filter(Boolean)
            .join(' ')
        : null,
    ],
  }),
};

const serviceName = (service: string, w: Words) =>
  i18n.exists(`menu.service.${service}.name`)
    ? w.t(`menu.service.${service}.name`)
    : w.t('menu.service-unknown');

const moreDoors = (remaining: number, w: Words) =>
  remaining > 0 ? w.t('door.more-doors', { count: remaining }) : null;

const languageOf = (view: View): Language =>
  (LANGUAGES as readonly string[]).includes(view.session.language)
    ? (view.session.language as Language)
    : 'de';

/** The whole screen, read on arrival and on "repeat". */
export function screenSpeech(view: View): string {
  const language = languageOf(view);
  const w = wordsFor(language, view.session.layout?.wall, view.session.timeZone);
  // SCREENS pairs each screen with a builder of exactly its props; TypeScript cannot follow
  // that pairing through the union `View` (as the page's ScreenFor), hence this one widening.
  const build = SCREENS[view.screen] as ((props: object, w: Words) => ScreenSpeech) | undefined;
  const parts: ScreenSpeech = build
    ? build(view.props, w)
    : { title: w.t('common.unknown-screen'), intro: w.t('common.please-wait') };
  const step = !parts.step
    ? null
    : parts.step.count === null
      ? w.t('common.step-open', { index: parts.step.index })
      : w.t('common.step', { index: parts.step.index, total: parts.step.count });
  const options = [
    ...(parts.options ?? []),
    view.allowed.includes('BACK') ? w.t('common.back') : null,
    view.allowed.includes('CANCEL') ? w.t('common.cancel') : null,
  ].filter((option): option is string => Boolean(option));
  return sentences([
    step,
    parts.title,
    parts.intro,
    parts.error,
    ...(parts.extra ?? []),
    options.length > 0 ? w.t('speech.options', { options: listOf(language, options) }) : null,
  ]);
}

/**
 * What changed on the same screen, said without reading it all again: an error, how many
 * characters are typed now, the inactivity warning, a door alert. Null: nothing to say.
 */
export function changeSpeech(before: View, after: View): string | null {
  const language = languageOf(after);
  const w = wordsFor(language);
  const parts: (string | null)[] = [];
  const error = (view: View) => (view.props as { error?: unknown }).error;
  // The keypad moved the focus: its control first (the person waits for that answer).
  if (after.session.focus && after.session.focus.moves !== before.session.focus?.moves) {
    parts.push(focusSpeech(after));
  }
  if (error(after) && error(after) !== error(before)) parts.push(w.reason('errors', error(after)));
  // "Print receipt": what became of it (printed, or why not) is said as it happens.
  if (after.screen === before.screen) parts.push(printChange(before.props, after.props, w));
  const was = entryOf(before);
  const now = entryOf(after);
  // Another field of a form took the keyboard: not a change of what is typed.
  const sameEntry = !was || !now || was.at === now.at;
  if (sameEntry && (now?.count ?? null) !== (was?.count ?? null)) {
    parts.push(now?.count ? w.entered(now.count, enteredKind(after)) : w.t('speech.cleared'));
  }
  if (after.session.warning && !before.session.warning) {
    parts.push(w.t('warning.title'), w.t('speech.options', { options: w.t('warning.extend') }));
  }
  for (const alert of after.session.doorAlerts) {
    const known = before.session.doorAlerts.some(
      (old) => old.compartment === alert.compartment && old.kind === alert.kind,
    );
    if (!known) parts.push(w.t(`door-alert.${alert.kind}`, { compartment: alert.compartment }));
  }
  const said = sentences(parts);
  return said === '' ? null : said;
}

/** How the keys work: said once when speech switches on (help key held, headphones in). */
export function keysHelp(language: string): string {
  return wordsFor(languageOf({ session: { language } } as View)).t('speech.keys-help');
}

/** The one thing said on the loudspeaker while speech is on and no headphones are in. */
export function headphonesPrompt(language: string): string {
  return wordsFor(languageOf({ session: { language } } as View)).t('speech.headphones');
}

/**
 * How many characters the screen has typed (codes, dates, PINs, references, a form's fields),
 * and where (`at`: a form has several fields), or null.
 */
function entryOf(view: View): { at: string; count: number } | null {
  const props = view.props as { entered?: unknown; typed?: unknown };
  if (typeof props.entered === 'number') return { at: view.screen, count: props.entered };
  if (typeof props.typed === 'string') return { at: view.screen, count: props.typed.length };
  return applicationEntry(view);
}

const DIGIT_SCREENS: readonly string[] = [
  'pickup.code',
  'pickup.date-of-birth',
  'parcel.code',
  'courier.login',
  'staff.pin',
  'staff.load.second-pin',
  'application.phone',
  'application.sms-code',
];
const enteredKind = (view: View) =>
  DIGIT_SCREENS.includes(view.screen) ? ('digits' as const) : ('characters' as const);

const listOf = (language: string, items: string[]) =>
  new Intl.ListFormat(language === 'de-easy' ? 'de' : language, {
    type: 'disjunction',
  }).format(items);

/** Parts joined as sentences: each ends with a stop, so the voice pauses between them. */
function sentences(parts: readonly (string | null | undefined)[]): string {
  return parts
    .filter((part): part is string => Boolean(part?.trim()))
    .map((part) => part.trim())
    .map((part) => (/[.!?:;…؟。]$/.test(part) ? part : `${part}.`))
    .join(' ');
}

/** A control's words, from its id (the page's `data-testid`) and what it matched. */
export type Naming = (match: string, view: View, w: Words) => string | null | undefined;
const oneOf = (view: View, named: Partial<Record<string, string>>, w: Words) => {
  const key = named[view.screen] ?? named['*'];
  return key ? w.t(key) : null;
};
/** Props of any screen, read loosely: a control names itself from what its screen shows. */
const propsOf = (view: View) => view.props as Record<string, unknown>;

/**
 * Every control the keypad can focus, by the page's id for it, with the words its button
 * shows (the same keys). The keys of an on-screen keypad name the keypad, never their digit:
 * no digit of a code, PIN or date is ever spoken.
 */
const CONTROLS: [RegExp, Naming][] = [
  [/^service-(.+)$/, (service, _, w) => serviceName(service, w)],
  [/^lang-(.+)$/, (language, _, w) => w.t('language.self', { lng: language })],
  [/^key-/, (_, __, w) => w.t('speech.keypad-focus')],
  [/^(back|cancel)$/, (name, _, w) => w.t(`common.${name}`)],
  [/^print$/, (_, __, w) => w.t('receipt.print')],
  [/^(submit|delete|clear)$/, (name, _, w) => w.t(`keypad.${name}`)],
  [/^toggle-large-text$/, (_, __, w) => w.t('a11y.largeText')],
  [/^toggle-high-contrast$/, (_, __, w) => w.t('a11y.highContrast')],
  [/^toggle-speech$/, (_, __, w) => w.t('a11y.speech')],
  [/^extend$/, (_, __, w) => w.t('warning.extend')],
  [/^show-(code|entry)$/, (_, __, w) => w.t('entry.show')],
  [/^confirm-pin-letter$/, (_, __, w) => w.t('pickup.pin-letter.confirm')],
  [
    /^take-all$/,
    (_, view, w) =>
      w.t('pickup.choose.take-all', { count: (propsOf(view).items as unknown[]).length }),
  ],
  [
    /^item-(.+)$/,
    (id, view, w) => {
      const items = (propsOf(view).items ?? []) as { id: string; kind: string }[];
      const index = items.findIndex((item) => item.id === id);
      return index < 0
        ? null
        : w.t('pickup.choose.item', { number: index + 1, kind: w.kind(items[index]?.kind) });
    },
  ],
  [
    /^confirm$/,
    (_, view, w) =>
      view.screen === 'pickup.choose'
        ? w.t('pickup.choose.confirm', { count: (propsOf(view).selected as unknown[]).length })
        : oneOf(
            view,
            {
              'drop-off.full': 'common.ok',
              'drop-off.receipt': 'common.done',
              'application.review': 'application.review.continue',
              'application.receipt': 'common.done',
              'application.unavailable': 'common.ok',
              'staff.load.describe': 'staff.load.describe.confirm',
            },
            w,
          ),
  ],
  [/^finish$/, (_, view, w) => oneOf(view, { survey: 'survey.finish', '*': 'courier.finish' }, w)],
  [
    /^open-again$/,
    (_, view, w) =>
      view.screen === 'survey'
        ? w.t('survey.open-again')
        : w.t('courier.not-seen.open-again', { compartment: propsOf(view).compartment }),
  ],
  [/^satisfaction-([1-5])$/, (value, _, w) => w.t(`survey.satisfaction.${value}`)],
  [/^alternative-(.+)$/, (value, _, w) => w.t(`survey.alternative.${value}`)],
  [/^distance-(.+)$/, (value, _, w) => w.t(`survey.distance.${value}`)],
  [
    /^change-(.+)$/,
    (step, view, w) =>
      view.screen === 'survey' ? w.t('survey.change-answer') : reviewChangeName(step, view, w),
  ],
  [/^next-parcel$/, (_, __, w) => w.t('courier.next-parcel')],
  [
    /^take-offer$/,
    (_, view, w) =>
      w.t('courier.size-full.take-offer', { size: w.t(`size.${propsOf(view).offer}`) }),
  ],
  [/^size-(.+)$/, (size, _, w) => w.t(`size.${size}`)],
  [/^kind-(.+)$/, (kind, _, w) => w.kind(kind)],
  [/^task-(.+)$/, (task, _, w) => w.t(`staff.menu.${task}`)],
  [/^logout$/, (_, __, w) => w.t('staff.menu.logout')],
  [
    /^confirm-taken$/,
    (_, view, w) =>
      oneOf(
        view,
        {
          'staff.door-open': 'staff.door-open.confirm-taken',
          'staff.retrieve.confirm': 'staff.retrieve.confirm.taken',
        },
        w,
      ),
  ],
  [/^not-taken$/, (_, __, w) => w.t('staff.retrieve.confirm.not-taken')],
  [/^mark-defective$/, (_, __, w) => w.t('staff.door-failed.mark-defective')],
  [/^continue$/, (_, __, w) => w.t('common.continue')],
  [
    /^retrieve-all$/,
    (_, view, w) =>
      w.t('staff.retrieve.list.all', {
        n: ((propsOf(view).expired ?? []) as { compartment?: unknown }[]).filter(
          (item) => item.compartment,
        ).length,
      }),
  ],
  [
    /^retrieve-(.+)$/,
    (id, view, w) => {
      const expired = (propsOf(view).expired ?? []) as {
        id: string;
        compartment: string;
        kind: string;
      }[];
      const item = expired.find((candidate) => candidate.id === id);
      return item
        ? w.t('staff.retrieve.list.item', {
            compartment: item.compartment,
            kind: w.kind(item.kind),
          })
        : null;
    },
  ],
  [/^compartment-(.+)$/, (label, _, w) => w.t('staff.maintenance.chosen', { compartment: label })],
  [/^open-door$/, (_, __, w) => w.t('staff.maintenance.open')],
  [/^door-test$/, (_, __, w) => w.t('staff.maintenance.door-test')],
  [/^set-repaired$/, (_, __, w) => w.t('staff.maintenance.repaired')],
  [/^set-defective$/, (_, __, w) => w.t('staff.maintenance.defective')],
  [
    /^reason-(.+)$/,
    (reason, _, w) =>
      i18n.exists(`staff.defect.${reason}`)
        ? w.t(`staff.defect.${reason}`)
        : w.reason('staff.maintenance-reason', reason),
  ],
  // Last: their prefixes (`set-`, `start`) are wider than the staff screens' ids above.
  ...APPLICATION_CONTROLS,
];

/**
 * The control the keypad moved the focus to, in its button's words (null: no focus, or a
 * control this terminal does not know).
 */
export function focusSpeech(view: View): string | null {
  const control = view.session.focus?.control;
  if (!control) return null;
  const w = wordsFor(languageOf(view), view.session.layout?.wall);
  for (const [pattern, name] of CONTROLS) {
    const match = pattern.exec(control);
    if (match) {
      const words = name(match[1] ?? '', view, w);
      return words ? sentences([words]) : null;
    }
  }
  return null;
}
