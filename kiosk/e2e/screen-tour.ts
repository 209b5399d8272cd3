/**
 * A tour of every screen of the kiosk (ALL_SCREENS) in one kiosk, as people reach them:
 * citizens pick up and drop off, a courier deposits, staff log in, load, retrieve and
 * maintain. `visit(screen)` is called once per screen while it is on screen and stable
 * (the accessibility test runs axe there, the screenshot script takes a picture).
 *
 * Screens that only wait for the terminal (`*.checking`, `*.opening`) would be gone before
 * anyone could look at them. The tour holds them in the page: a wrapper around the page's
 * EventSource stops handing new views to the app at such a screen until the visit is done,
 * then hands them over in order. The service runs on meanwhile; nothing else changes.
 *
 * Every route starts and ends on the attract screen; the session (and its language) resets
 * there, so the tour applies `options.language` / `options.largeText` again at each start.
 * The tour changes the demo store and simulator as a test would (a jammed lock, defective
 * compartments, expired items) and undoes what later routes depend on.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trustTestKeys } from '../src/applications/keys.testing.ts';
import { destinationKeySetting } from '../src/applications/keys.ts';
import type { View } from '../src/core/views.ts';
import { FOUR_EYES_SETTING } from '../src/flows/staff.flow.ts';
import { DEMO } from '../src/service/demo.ts';
import { DAY_MS } from '../src/store/store.ts';
import type { KioskInBrowser } from './harness.ts';

export interface TourOptions {
  /** A language of the picker (`lang-<code>`), chosen at the start of every session. */
  language?: string;
  /** Large text, switched on at the start of every session. */
  largeText?: boolean;
}

const person = (id: string) => DEMO.staff.find((member) => member.id === id)!;
const STAFF = person('demo-staff');
/** Locked by five wrong PINs; nobody else needs this card in the tour. */
const COLLEAGUE = person('demo-colleague');
/** Maintenance, and the second person of the four-eyes rule. */
const SUPERVISOR = person('demo-supervisor');
const ID_CARD = DEMO.items.find((item) => item.reference === 'PA-2026-0042')!;
const CERTIFICATE = DEMO.items.find((item) => item.reference === 'URK-2026-0007')!;
const PARCEL_CODE = DEMO.items.find((item) => item.kind === 'parcel')!.code;
const ID_CARD_DATE_OF_BIRTH = '01021990';
const UNKNOWN_CARD = 'DEADBEEF';

export async function tourScreens(
  k: KioskInBrowser,
  visit: (screen: string) => Promise<void>,
  options: TourOptions = {},
): Promise<Set<string>> {
  const tour = new Tour(k, visit, options);
  await tour.begin();
  for (const route of ROUTES) await route(tour);
  return tour.reached;
}

const ROUTES: ((t: Tour) => Promise<void>)[] = [
  documentPickup,
  parcelPickup,
  dropOff,
  dropOffFull,
  application,
  applicationUnavailable,
  courierDeposit,
  staffUnknownCard,
  staffLocked,
  staffLoading,
  staffRetrieval,
  staffMaintenance,
];

// ── citizens ────────────────────────────────────────────────────────────────────────────

/** The ID card and a second document on the same code: date of birth, choose, PIN letter. */
async function documentPickup(t: Tour) {
  t.loadItem({ kind: 'document', reference: 'TOUR-DOC-1', code: ID_CARD.code }, 'A1');
  await t.choose('document-pickup');
  await t.see('pickup.code');
  await t.type(ID_CARD.code);
  await t.through(['pickup.checking'], () => t.click('submit'));
  await t.see('pickup.date-of-birth');
  await t.type(ID_CARD_DATE_OF_BIRTH);
  await t.click('submit');
  await t.see('pickup.choose');
  await t.click('take-all');
  await t.see('pickup.pin-letter');
  await t.click('confirm-pin-letter');
  await t.see('pickup.door');
  await t.until((view) => view.props.doorOpen === true, 'the door open');
  await t.closeEveryDoor('survey', { itemPresent: false });
  // Every question seen: a counter visit's mode asks how far that trip is.
  await t.click('alternative-counter-car');
  await t.page.getByTestId('distance-5-10').waitFor();
  await t.see('survey');
  await t.click('finish');
  await t.home();
}

/** Two parcels on one code, one door after the other. */
async function parcelPickup(t: Tour) {
  await t.choose('parcel-pickup');
  await t.see('parcel.code');
  await t.type(PARCEL_CODE);
  await t.through(['parcel.checking', 'parcel.opening'], () => t.click('submit'));
  await t.see('parcel.take-and-close');
  await t.closeEveryDoor('survey', { itemPresent: false });
  await t.finishSurvey();
}

async function dropOff(t: Tour) {
  await t.choose('drop-off');
  await t.see('drop-off.reference');
  await t.type('40404040');
  await t.through(['drop-off.checking', 'drop-off.opening'], () => t.click('submit'));
  await t.see('drop-off.put-in-and-close');
  await t.closeEveryDoor('drop-off.receipt', { itemPresent: true });
  await t.see('drop-off.receipt');
  // "Print receipt" while the printer is gone: the fault on screen, the citizen can finish.
  await t.printerGone(async () => {
    await t.click('print');
    await t.until((view) => view.props.print === 'missing', 'the printer fault');
  });
  await t.page.getByTestId('error').waitFor();
  await t.look('drop-off.receipt', 'print-failed');
  await t.click('confirm');
  await t.finishSurvey();
}

/** The drop-off compartment is out of order: the person is told where else to go. */
async function dropOffFull(t: Tour) {
  const dropOffBoxes = t.store.compartments().filter((c) => c.purpose === 'drop-off');
  await t.defective(dropOffBoxes, async () => {
    await t.choose('drop-off');
    await t.see('drop-off.reference');
    await t.type('50505050');
    await t.click('submit');
    await t.see('drop-off.full');
    await t.click('confirm');
    await t.finishSurvey();
  });
}

/** Registering a dog (issue #12): every application screen, the questions with their errors. */
async function application(t: Tour) {
  await trustTestKeys(t.store);
  await fillDogForm(t);
  await t.click('agree');
  await t.see('application.receipt');
  await t.click('print');
  await t.until((view) => view.props.print === 'printed', 'the receipt printed');
  await t.page.locator('[data-testid="print-status"][data-print="printed"]').waitFor();
  await t.look('application.receipt', 'printed');
  await t.click('confirm');
  await t.finishSurvey();
}

/** The destination's key goes between review and consent: nothing is sent, the person is told. */
async function applicationUnavailable(t: Tour) {
  await fillDogForm(t);
  t.store.setSetting(destinationKeySetting('steueramt'), '{}');
  await t.click('agree');
  await t.see('application.unavailable');
  await t.click('confirm');
  await t.finishSurvey();
}

async function fillDogForm(t: Tour) {
  await t.through(['application.checking'], () => t.choose('application'));
  await t.see('application.choose');
  // Four services a page: the second page; the search (its keyboard instead of the list).
  await t.click('page-next');
  await t.click('search-open');
  await t.type('HUND');
  await t.page.getByTestId('form-hund-anmelden').waitFor();
  await t.look('application.choose', 'search');
  await t.click('search-close');
  await t.click('category-animals');
  await t.click('form-hund-anmelden');
  await t.see('application.needs');
  await t.click('start');
  await t.page.getByTestId('slot-surname').waitFor();
  await t.click('submit'); // nothing typed: the inline errors are part of the screen
  await t.page.getByTestId('error-surname').waitFor();
  await t.see('application.question');
  const answer = async (slots: Record<string, string>) => {
    for (const [slot, text] of Object.entries(slots)) {
      await t.click(`slot-${slot}`);
      for (const key of text) await t.click(`key-${key}`);
    }
    await t.click('submit');
  };
  await answer({ surname: 'AB', firstNames: 'C' });
  await t.page.getByTestId('slot-address.street').waitFor();
  await t.look('application.question', 'address'); // four slots, the tallest step
  await answer({ 'address.street': 'D', 'address.postcode': '56743', 'address.town': 'E' });
  await t.page.getByTestId('slot-dogName').waitFor();
  await answer({ dogName: 'F', breed: 'G', dogBirthDate: '01012020' });
  await t.page.getByTestId('slot-keptSince').waitFor();
  await t.click('set-listedDog-false');
  await answer({ keptSince: '01012021' });
  await t.page.getByTestId('slot-iban').waitFor();
  await t.click('submit');
  await t.page.getByTestId('slot-email').waitFor();
  await t.click('submit');
  await t.see('application.review');
  await t.click('confirm');
  await t.see('application.consent');
}

// ── courier ─────────────────────────────────────────────────────────────────────────────

/**
 * Size taken meanwhile (size-full, the larger one offered) → that door jams (door-failed)
 * → next parcel, closed without it (not-seen), opened again, deposited → next parcel with
 * the station full.
 */
async function courierDeposit(t: Tour) {
  await t.choose('courier-deposit');
  await t.see('courier.login');
  await t.type(DEMO.courierCode);
  await t.through(['courier.checking'], () => t.click('submit'));
  await t.see('courier.scan');
  t.scan(DEMO.courierParcel);
  await t.see('courier.size');
  // Another courier takes the last M compartments while this one looks at the sizes.
  const medium = t.store.freeCompartments({ purpose: 'pickup', size: 'M' });
  await t.defective(medium, async () => {
    await t.click('size-M');
    await t.see('courier.size-full');
  });
  await t.jammed(async () => {
    await t.through(['courier.opening'], () => t.click('take-offer'));
    await t.see('courier.door-failed', 15_000);
  });
  await t.click('next-parcel');
  await t.see('courier.scan');
  t.scan('PKG-3003');
  await t.see('courier.size');
  await t.click('size-M');
  await t.see('courier.deposit-and-close');
  await t.closeEveryDoor('courier.not-seen', { itemPresent: false });
  await t.see('courier.not-seen');
  await t.click('open-again');
  await t.see('courier.deposit-and-close');
  await t.closeEveryDoor('courier.deposited', { itemPresent: true });
  await t.see('courier.deposited');
  await t.defective(t.store.freeCompartments({ purpose: 'pickup' }), async () => {
    await t.click('next-parcel');
    await t.see('courier.scan');
    t.scan('PKG-4004');
    await t.see('courier.full');
    await t.click('finish');
    await t.home();
  });
}

// ── staff ───────────────────────────────────────────────────────────────────────────────

async function staffUnknownCard(t: Tour) {
  await t.through(['staff.checking'], async () => t.tap(UNKNOWN_CARD));
  await t.see('staff.unknown-card');
  await t.click('back');
  await t.home();
}

/** The fifth wrong PIN in a row locks the card. */
async function staffLocked(t: Tour) {
  t.tap(COLLEAGUE.card);
  await t.see('staff.pin');
  for (let attempt = 1; attempt <= 5; attempt++) {
    await t.type('0000');
    await t.click('submit');
    await t.until(
      (view) =>
        view.screen === 'staff.locked' ||
        (view.screen === 'staff.pin' &&
          view.props.error === 'wrong-pin' &&
          view.props.entered === 0),
      `wrong PIN ${attempt} answered`,
    );
  }
  await t.see('staff.locked');
  await t.click('back');
  await t.home();
}

/**
 * A new ID document (describe it; the four-eyes rule asks for a second card and PIN), then
 * an item of a size no compartment has.
 */
async function staffLoading(t: Tour) {
  t.store.setSetting(FOUR_EYES_SETTING, 'true', { audit: false });
  try {
    await t.logIn(STAFF);
    await t.click('task-load');
    await t.see('staff.load.scan');
    t.scan('NEU-2026-0001');
    await t.see('staff.load.describe');
    await t.describeItem('id-document', 'S');
    await t.see('staff.load.second-card');
    t.tap(SUPERVISOR.card);
    await t.see('staff.load.second-pin');
    await t.type(SUPERVISOR.pin);
    await t.through(['staff.opening'], () => t.click('submit'));
    await t.see('staff.door-open');
    await t.closeEveryDoor('staff.load.scan', { itemPresent: true });
    t.scan('NEU-2026-0002');
    await t.see('staff.load.describe');
    await t.describeItem('object', 'XL');
    await t.see('staff.load.no-compartment');
    await t.click('back');
    await t.see('staff.load.scan');
    await t.click('back');
    await t.logOut();
  } finally {
    t.store.setSetting(FOUR_EYES_SETTING, 'false', { audit: false });
  }
}

/** Items past their holding time: list, open, closed without confirming, confirm. */
async function staffRetrieval(t: Tour) {
  t.store.expireDue(Date.now() + 30 * DAY_MS);
  const certificate = t.store.itemByReference(CERTIFICATE.reference)!;
  await t.logIn(STAFF);
  await t.click('task-retrieve');
  await t.page.getByTestId(`retrieve-${certificate.id}`).waitFor();
  await t.see('staff.retrieve.list');
  await t.click(`retrieve-${certificate.id}`);
  await t.see('staff.door-open');
  await t.closeEveryDoor('staff.retrieve.confirm', { itemPresent: false });
  await t.see('staff.retrieve.confirm');
  await t.click('confirm-taken');
  await t.until(
    (view) => view.screen === 'staff.retrieve.list' && !hasItem(view, certificate.id),
    'the certificate is off the list',
  );
  await t.see('staff.retrieve.list');
  await t.click('back');
  await t.logOut();
}

/** A compartment chosen with its actions open; its door test fails on a jammed lock. */
async function staffMaintenance(t: Tour) {
  await t.logIn(SUPERVISOR);
  await t.click('task-maintenance');
  await t.click('compartment-A1');
  await t.click('open-door');
  await t.page.getByTestId('reason-inspection').waitFor();
  await t.see('staff.maintenance');
  await t.jammed(async () => {
    await t.click('door-test');
    await t.see('staff.door-failed', 15_000);
  });
  await t.click('continue');
  await t.see('staff.maintenance');
  await t.click('back');
  await t.logOut();
}

const hasItem = (view: View, id: string) =>
  (view.props.expired as { id: string }[]).some((item) => item.id === id);

// ── the tour's hands ────────────────────────────────────────────────────────────────────

class Tour {
  readonly reached = new Set<string>();
  private readonly looked = new Set<string>();
  readonly page: KioskInBrowser['page'];
  readonly store: KioskInBrowser['service']['terminal']['store'];
  private readonly k: KioskInBrowser;
  private readonly visit: (screen: string) => Promise<void>;
  private readonly options: TourOptions;

  constructor(k: KioskInBrowser, visit: (screen: string) => Promise<void>, options: TourOptions) {
    this.k = k;
    this.visit = visit;
    this.options = options;
    this.page = k.page;
    this.store = k.service.terminal.store;
  }

  private get demo() {
    return this.k.service.hardware;
  }

  view(): View {
    return this.k.service.terminal.core.view();
  }

  /** Reloads the page with the view holder, then greets on the attract screen. */
  async begin() {
    await this.page.addInitScript(VIEW_HOLDER);
    await this.page.reload();
    await this.home();
  }

  /** Back on the attract screen: a new session, so language and large text again. */
  async home() {
    await this.k.screen('attract');
    await this.until((view) => view.screen === 'attract', 'the attract screen');
    const { language, largeText } = this.options;
    if (language && this.view().session.language !== language) {
      await this.click(`lang-${language}`);
      await this.until((view) => view.session.language === language, `language ${language}`);
      await this.page.locator(`[data-testid="lang-${language}"][aria-pressed="true"]`).waitFor();
    }
    if (largeText && !this.view().session.accessibility.largeText) {
      await this.click('toggle-large-text');
      await this.until((view) => view.session.accessibility.largeText, 'large text');
      await this.page.locator('html.large-text').waitFor({ state: 'attached' });
    }
    await this.see('attract');
  }

  /** Waits for `screen`; the first time, lets it settle and visits it. */
  async see(screen: string, timeoutMs?: number) {
    await this.k.screen(screen, timeoutMs);
    if (this.reached.has(screen)) return;
    await this.settle();
    await this.visit(screen);
    this.reached.add(screen);
  }

  /**
   * Visits a state of a screen seen before (e.g. its search instead of its list) as
   * `screen#state`, once per tour; it does not count as a screen reached.
   */
  async look(screen: string, state: string) {
    const name = `${screen}#${state}`;
    await this.k.screen(screen);
    if (this.looked.has(name)) return;
    await this.settle();
    await this.visit(name);
    this.looked.add(name);
  }

  /**
   * `action` leads through screens that only wait for the terminal: the page holds each
   * not yet visited one of `screens` (in this order) until it has been visited.
   */
  async through(screens: string[], action: () => Promise<void> | void) {
    const held = screens.filter((screen) => !this.reached.has(screen));
    await this.page.evaluate(`window.__tour.holdAt(${JSON.stringify(held)})`);
    try {
      await action();
      for (const screen of held) {
        await this.see(screen);
        await this.page.evaluate('window.__tour.release()');
      }
    } finally {
      await this.page.evaluate('window.__tour.releaseAll()');
    }
  }

  /** No new view for a moment, and the page has painted it. */
  async settle() {
    // Polled from here: the page's CSP forbids the string evaluation of waitForFunction.
    const quietFor = () => this.page.evaluate('performance.now() - window.__tour.lastViewAt()');
    while (((await quietFor()) as number) < 150) await sleep(50);
    await this.page.evaluate(
      'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
    );
  }

  async until(condition: (view: View) => boolean, what: string, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this.view())) {
      if (Date.now() > deadline) {
        throw new Error(`tour: ${what}: not within ${timeoutMs} ms (on ${this.view().screen})`);
      }
      await sleep(20);
    }
  }

  async click(testId: string) {
    await this.page.getByTestId(testId).click();
  }

  /** Taps keys of the on-screen keypad or keyboard; waits until the terminal has them all. */
  async type(text: string) {
    const before = this.view().props.entered;
    for (const key of text) await this.click(`key-${key}`);
    if (typeof before === 'number') {
      await this.until(
        (view) => view.props.entered === before + text.length,
        `typed ${text.length} characters`,
      );
    }
  }

  tap(uid: string) {
    this.demo.cardReader.tap(uid);
  }

  scan(text: string) {
    this.demo.scanner.scan(text, ']C0');
  }

  /** The start screen offers the services at once. */
  async choose(service: string) {
    await this.click(`service-${service}`);
  }

  async finishSurvey() {
    await this.see('survey');
    await this.click('finish');
    await this.home();
  }

  async logIn(member: { card: string; pin: string }) {
    this.tap(member.card);
    await this.see('staff.pin');
    await this.type(member.pin);
    await this.click('submit');
    await this.see('staff.menu');
  }

  async logOut() {
    await this.see('staff.menu');
    await this.click('logout');
    await this.home();
  }

  async describeItem(kind: string, size: string) {
    await this.click(`kind-${kind}`);
    await this.click(`size-${size}`);
    await this.until((view) => {
      const load = view.props.load as { kind: string | null; size: string | null } | null;
      return load?.kind === kind && load.size === size;
    }, `described as ${kind} ${size}`);
    await this.click('confirm');
  }

  /** Announces an item and puts it into `label` (as staff loading it would). */
  loadItem(item: { kind: 'document'; reference: string; code: string }, label: string) {
    const announced = this.store.announceItem(item);
    const result = this.store.markLoaded(announced.id, label, STAFF.id);
    if (!result.ok) throw new Error(`tour: cannot load ${item.reference} into ${label}`);
    const lock = this.lock(label);
    this.demo.sim.setItem(lock.board, lock.lock, true);
  }

  /**
   * Closes each door the current screen asks to close (one after another), until the
   * terminal shows `next`.
   */
  async closeEveryDoor(next: string, { itemPresent }: { itemPresent: boolean }) {
    for (;;) {
      await this.until(
        (view) => view.screen === next || openDoorOf(view) !== null,
        `a door to close or ${next}`,
      );
      const label = openDoorOf(this.view());
      if (label === null) return;
      await this.until(
        () => this.store.compartment(label)?.door === 'open',
        `the terminal sees ${label} open`,
      );
      this.k.closeDoor(label, { itemPresent });
      await this.until((view) => openDoorOf(view) !== label, `${label} closed`);
    }
  }

  /** Compartments out of order while `during` runs (e.g. to fill a size or the station). */
  async defective(compartments: { label: string }[], during: () => Promise<void>) {
    for (const { label } of compartments) this.store.setDefective(label, 'other', 'tour');
    try {
      await during();
    } finally {
      for (const { label } of compartments) this.store.setDefective(label, null, 'tour');
    }
  }

  /** The demo's receipt printer (a folder) gone while `during` runs. */
  async printerGone(during: () => Promise<void>) {
    const folder = join(this.k.dataDir, 'receipts');
    renameSync(folder, `${folder}-away`);
    try {
      await during();
    } finally {
      renameSync(`${folder}-away`, folder);
    }
  }

  /** Every lock jammed while `during` runs: the next door does not open. */
  async jammed(during: () => Promise<void>) {
    const locks = this.demo.locker.compartments;
    for (const lock of locks) this.demo.sim.jam(lock.board, lock.lock, true);
    try {
      await during();
    } finally {
      for (const lock of locks) this.demo.sim.jam(lock.board, lock.lock, false);
    }
  }

  private lock(label: string) {
    const lock = this.demo.locker.compartments.find((c) => c.label === label);
    if (!lock) throw new Error(`tour: no compartment ${label}`);
    return lock;
  }
}

/** The compartment whose open door the screen waits for someone to close. */
function openDoorOf(view: View): string | null {
  const waiting = /\.(take-and-close|deposit-and-close|put-in-and-close|door-open)$/;
  // The pickup's door screen changes: a door to close once it shows the door open.
  const pickupDoorOpen = view.screen === 'pickup.door' && view.props.doorOpen === true;
  if (!waiting.test(view.screen) && !pickupDoorOpen) return null;
  const door = view.props.door as { compartment?: string } | null | undefined;
  const label = view.screen === 'staff.door-open' ? door?.compartment : view.props.compartment;
  return typeof label === 'string' ? label : null;
}

/**
 * Runs in the page before the app: views arrive as the app's EventSource `view` events;
 * at a screen named in `holdAt` the following views wait until `release`.
 */
const VIEW_HOLDER = `(() => {
  const Native = window.EventSource;
  const holds = new Set();
  const queue = [];
  let holding = false;
  let lastViewAt = performance.now();
  const deliver = (entry) => {
    entry.listener.call(entry.target, entry.event);
    lastViewAt = performance.now();
    let screen = null;
    try { screen = JSON.parse(entry.event.data).screen; } catch {}
    if (holds.delete(screen)) holding = true;
  };
  const release = () => {
    holding = false;
    while (!holding && queue.length > 0) deliver(queue.shift());
  };
  window.__tour = {
    holdAt: (screens) => { for (const screen of screens) holds.add(screen); },
    release,
    releaseAll: () => { holds.clear(); release(); },
    lastViewAt: () => lastViewAt,
  };
  window.EventSource = class extends Native {
    addEventListener(type, listener, options) {
      if (type !== 'view' || typeof listener !== 'function') {
        return super.addEventListener(type, listener, options);
      }
      return super.addEventListener(type, (event) => {
        const entry = { listener, target: this, event };
        if (holding) queue.push(entry); else deliver(entry);
      }, options);
    }
  };
})();`;
