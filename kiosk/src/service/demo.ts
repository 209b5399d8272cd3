import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createFakeCardReader,
  createFakeScanner,
  type FakeCardReader,
  type FakeScanner,
  LockBoardSimulator,
} from '@amtomat/hardware-mocks';
import type { LockerConfig } from '@amtomat/locker-controller';
import { z } from 'zod';
import { simulatedHeadphoneJack } from '../speech/headphones.ts';
import type { Store } from '../store/store.ts';
import type { KioskHardware, OpenHardware } from './hardware.ts';
import { readBody } from './http-server.ts';

/** The people and codes of the demo terminal, printed on start so a person can try it. */
export const DEMO = {
  staff: [
    { id: 'demo-staff', role: 'staff', card: '04A1B2C3', pin: '2468', name: 'Staff' },
    { id: 'demo-colleague', role: 'staff', card: '04B2C3D4', pin: '1357', name: 'Colleague' },
    {
      id: 'demo-supervisor',
      role: 'supervisor',
      card: '04C3D4E5',
      pin: '8642',
      name: 'Supervisor',
    },
  ],
  /** Couriers log in by card (or code) alone, without a PIN: see README, "Couriers". */
  courier: { id: 'demo-courier', card: '04E5F6A7', name: 'Courier' },
  items: [
    {
      kind: 'id-document',
      reference: 'PA-2026-0042',
      code: '483921',
      secondFactor: '1990-02-01',
      compartment: 'A2',
      label: 'ID card (date of birth 01.02.1990, PIN letter)',
    },
    {
      kind: 'document',
      reference: 'URK-2026-0007',
      code: '550713',
      secondFactor: '1972-06-17',
      compartment: 'A3',
      label: 'Certificate (date of birth 17.06.1972)',
    },
    {
      kind: 'parcel',
      reference: 'PKG-1001',
      code: '736251',
      compartment: 'A5',
      label: 'Parcel 1 of 2',
    },
    {
      kind: 'parcel',
      reference: 'PKG-1002',
      code: '736251',
      compartment: 'A6',
      label: 'Parcel 2 of 2',
    },
  ],
  /** A parcel a courier may deposit (scan this label). */
  courierParcel: 'PKG-2002',
  /** Courier code login. */
  courierCode: '90817263',
} as const;

export interface DemoHardware extends KioskHardware {
  sim: LockBoardSimulator;
  cardReader: FakeCardReader;
  scanner: FakeScanner;
  /** The headphone socket (plugged and unplugged on the demo control page). */
  headphones: ReturnType<typeof simulatedHeadphoneJack>;
  /** Where a compartment's lock is wired (board, lock), if the site has it. */
  lockOf(label: string): LockerConfig['compartments'][number] | undefined;
}

/**
 * The demo's hardware port (the demo root: `npm start`, the tests): the site's lock boards
 * simulated on a pty, fake HID devices through the real decoders, the demo people and
 * items, and the demo control page.
 */
export const openDemoHardware: OpenHardware<DemoHardware> = async (site) => {
  const { locker } = site;
  const boards = [...new Set(locker.compartments.map((compartment) => compartment.board))];
  const sim = await LockBoardSimulator.start({ protocol: locker.buses[0]!.protocol, boards });
  const cardReader = createFakeCardReader();
  const scanner = createFakeScanner();
  const hardware: DemoHardware = {
    name: 'demo',
    sim,
    cardReader,
    scanner,
    devices: { cardReader: cardReader.reader, scanner: scanner.scanner },
    headphones: simulatedHeadphoneJack(),
    lockOf: (label) => locker.compartments.find((compartment) => compartment.label === label),
    locker: {
      ...locker,
      buses: locker.buses.map((bus) => ({
        ...bus,
        transport: { kind: 'serial' as const, path: sim.hostPath },
      })),
    },
    seed: (store) => seedDemoData(store, hardware),
    controlRoutes: undefined,
    async close() {
      await cardReader.reader.close();
      await scanner.scanner.close();
      await sim.stop();
    },
  };
  hardware.controlRoutes = demoRoutes(hardware);
  return hardware;
};

/** Demo people and items, once per data folder (a restarted demo keeps its state). */
function seedDemoData(store: Store, hardware: DemoHardware) {
  if (store.setting('demo.seeded') === 'yes') return;
  for (const person of DEMO.staff) {
    seeded(
      `staff ${person.id}`,
      store.addStaff({ id: person.id, role: person.role, card: person.card, pin: person.pin }),
    );
  }
  seeded(
    'the courier card',
    store.addStaff({ id: DEMO.courier.id, role: 'courier', card: DEMO.courier.card }),
  );
  seeded(
    'the courier code',
    store.addStaff({ id: 'demo-courier-code', role: 'courier', code: DEMO.courierCode }),
  );
  for (const item of DEMO.items) {
    const announced = store.announceItem({
      kind: item.kind,
      reference: item.reference,
      code: item.code,
      ...('secondFactor' in item && { secondFactor: item.secondFactor }),
      needsPinLetterConfirmation: item.kind === 'id-document',
    });
    seeded(item.reference, store.markLoaded(announced.id, item.compartment, 'demo-staff'));
    const lock = hardware.lockOf(item.compartment);
    if (lock) hardware.sim.setItem(lock.board, lock.lock, true);
  }
  store.announceItem({ kind: 'parcel', reference: DEMO.courierParcel, recipientRef: 'R-77' });
  store.setSetting('demo.seeded', 'yes', { audit: false });
}

/** A demo that cannot seed its data is broken (e.g. a site file without A2): say what. */
function seeded(what: string, result: { ok: true } | { ok: false; error: unknown }): void {
  if (!result.ok) {
    throw new Error(`the demo data cannot be set up (${what}: ${String(result.error)})`);
  }
}

/** What a person can read in the console to try the demo. */
export function demoInstructions(url: string, controlUrl: string): string {
  const lines = [
    `Kiosk: ${url}`,
    `Demo control (tap a card, scan, close a door): ${controlUrl}`,
    'Codes waiting at this terminal:',
    ...DEMO.items.map((item) => `  ${item.code}  ${item.label} in ${item.compartment}`),
    'Staff cards (tap on the demo control), PINs:',
    ...DEMO.staff.map((person) => `  ${person.name}: card ${person.card}, PIN ${person.pin}`),
    `Courier (no PIN): card ${DEMO.courier.card} or code ${DEMO.courierCode}, parcel label ${DEMO.courierParcel}`,
  ];
  return lines.join('\n');
}

const demoActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('card'), uid: z.string().regex(/^[0-9A-F]{4,32}$/) }),
  z.object({ action: z.literal('scan'), text: z.string().min(1).max(200) }),
  z.object({ action: z.literal('close'), compartment: z.string().min(1).max(16) }),
  z.object({ action: z.literal('take'), compartment: z.string().min(1).max(16) }),
  z.object({ action: z.literal('put'), compartment: z.string().min(1).max(16) }),
  z.object({ action: z.literal('headphones'), plugged: z.boolean() }),
]);

/**
 * The demo control: a small page at /demo (and POST /demo/action) to do what hands do at
 * a real terminal — tap a card, scan a label, take or put an item, shut a door.
 */
function demoRoutes(hardware: DemoHardware) {
  return (request: IncomingMessage, response: ServerResponse, url: URL): boolean => {
    if (url.pathname === '/demo' && request.method === 'GET') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(controlPage(hardware.locker));
      return true;
    }
    if (url.pathname === '/demo/control.js' && request.method === 'GET') {
      response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      response.end(CONTROL_SCRIPT);
      return true;
    }
    if (url.pathname !== '/demo/action' || request.method !== 'POST') return false;
    void readBody(request).then((body) => {
      if (!body.ok) return json(response, 413, { ok: false, error: 'the request is too large' });
      const parsed = demoActionSchema.safeParse(parseJson(body.text));
      if (!parsed.success) return json(response, 400, { ok: false, error: 'invalid action' });
      const action = parsed.data;
      if (action.action === 'card') hardware.cardReader.tap(action.uid);
      else if (action.action === 'scan') hardware.scanner.scan(action.text, ']C0');
      else if (action.action === 'headphones') hardware.headphones.set(action.plugged);
      else {
        const lock = hardware.lockOf(action.compartment);
        if (!lock) return json(response, 404, { ok: false, error: 'no such compartment' });
        if (action.action === 'close') hardware.sim.closeDoor(lock.board, lock.lock);
        else hardware.sim.setItem(lock.board, lock.lock, action.action === 'put');
      }
      return json(response, 200, { ok: true });
    });
    return true;
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function json(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** A developer's tool, English only, not a citizen screen. */
function controlPage(locker: LockerConfig): string {
  const button = (action: object, text: string) =>
    `<button type="button" data-action='${JSON.stringify(action)}'>${text}</button>`;
  const doors = locker.compartments
    .map(
      (c) =>
        `<li>${c.label}: ${button({ action: 'close', compartment: c.label }, 'close door')} ${button({ action: 'take', compartment: c.label }, 'take item')} ${button({ action: 'put', compartment: c.label }, 'put item')}</li>`,
    )
    .join('');
  const cards = [...DEMO.staff, DEMO.courier]
    .map(
      (person) =>
        `<li>${button({ action: 'card', uid: person.card }, `tap ${person.name} card`)}</li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo control</title>
</head>
<body><main><h1>Demo control</h1>
<h2>Cards</h2><ul>${cards}</ul>
<h2>Scanner</h2><ul><li>${button({ action: 'scan', text: DEMO.courierParcel }, `scan parcel label ${DEMO.courierParcel}`)}</li>
<li><label>Text <input id="scan-text"></label> <button type="button" id="scan-free">scan</button></li></ul>
<h2>Headphones</h2><ul><li>${button({ action: 'headphones', plugged: true }, 'plug in headphones')} ${button({ action: 'headphones', plugged: false }, 'unplug headphones')}</li></ul>
<h2>Doors</h2><ul>${doors}</ul><p role="status" id="status"></p></main>
<script src="/demo/control.js"></script></body></html>`;
}

const CONTROL_SCRIPT = `
const status = document.getElementById('status');
async function send(action) {
  const response = await fetch('/demo/action', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(action) });
  status.textContent = response.ok ? 'done: ' + action.action : 'refused';
}
for (const button of document.querySelectorAll('[data-action]')) {
  button.addEventListener('click', () => send(JSON.parse(button.dataset.action)));
}
document.getElementById('scan-free').addEventListener('click', () =>
  send({ action: 'scan', text: document.getElementById('scan-text').value }));
`;
