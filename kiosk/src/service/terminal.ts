import { join } from 'node:path';
import type { SmsCodeClient } from '@amtomat/admin-sync/agent';
import type { Clock, Logger } from '@amtomat/basics';
import { createLocker, type Locker, type LockerConfig } from '@amtomat/locker-controller';
import type { CardReader, Scanner } from '@amtomat/locker-controller/devices';
import { createKioskCore, type KioskCore } from '../core/kiosk-core.ts';
import type { SyncStatusView } from '../core/views.ts';
import { NEAREST_STATION_SETTING } from '../flows/courier-deposit.flow.ts';
import { openPrinter } from '../receipts/open-printer.ts';
import type { Printer } from '../receipts/printer.ts';
import { createReceipts } from '../receipts/receipts.ts';
import { openDb } from '../store/db.ts';
import { createHasher, loadOrCreateDeviceSecret } from '../store/secret.ts';
import { createStore, type Store } from '../store/store.ts';
import { type SiteConfig, terminalLayout } from './config.ts';

/** The parts of one terminal, wired: store, locker, input devices, kiosk core. */
export interface Terminal {
  store: Store;
  /** The key of pickup codes and second factors, shared with the fleet server at enrolment. */
  codeKey: Buffer;
  locker: Locker;
  core: KioskCore;
  close(): Promise<void>;
}

export async function openTerminal(options: {
  dataDir: string;
  site: SiteConfig;
  /** The locker's buses, after any substitution (the demo points them at the simulator). */
  locker: LockerConfig;
  devices: { cardReader?: CardReader; scanner?: Scanner };
  clock: Clock;
  logger: Logger;
  /** The fleet sync's state for the staff menu (the sync starts after the terminal). */
  syncStatus?: () => SyncStatusView | null;
  /** The fleet's SMS codes (the sync starts after the terminal). */
  smsCodes?: () => SmsCodeClient | null;
  /** Test seam: another receipt printer than the site file's `devices.printer`. */
  printer?: Printer;
}): Promise<Terminal> {
  const { dataDir, site, clock, logger } = options;
  const db = openDb(join(dataDir, 'kiosk.sqlite'));
  const hasher = createHasher(loadOrCreateDeviceSecret(dataDir));
  const store = createStore({
    db,
    hasher,
    now: () => clock.now(),
    logger,
  });
  store.upsertCompartments(
    options.locker.compartments.map((compartment) => ({
      label: compartment.label,
      size: compartment.size,
      bus: compartment.bus,
      board: compartment.board,
      lock: compartment.lock,
      heightCm: site.compartments[compartment.label]?.heightCm ?? 100,
      accessible: site.compartments[compartment.label]?.accessible ?? false,
      purpose: site.compartments[compartment.label]?.purpose ?? 'pickup',
    })),
  );
  if (site.site.nearestOtherStation) {
    store.setSetting(NEAREST_STATION_SETTING, site.site.nearestOtherStation, { audit: false });
  }
  const locker = createLocker(options.locker, { logger, clock });
  const failures = await locker.start();
  for (const failure of failures) {
    logger.log('error', 'service.bus_unavailable', { bus: failure.bus, error: failure.error.kind });
  }
  const printer = options.printer ?? openPrinter(site.devices.printer, dataDir, () => clock.now());
  const receipts =
    printer &&
    createReceipts({
      printer,
      terminal: site.site.name,
      timeZone: site.site.timeZone,
      now: () => clock.now(),
      logger,
    });
  const core = createKioskCore({
    store,
    locker,
    clock,
    logger,
    timers: site.timers,
    timeZone: site.site.timeZone,
    layout: terminalLayout(site),
    ...(options.syncStatus && { syncStatus: options.syncStatus }),
    ...(options.smsCodes && { smsCodes: options.smsCodes }),
    ...(receipts && { receipts }),
  });
  const { cardReader, scanner } = options.devices;
  // The core logs what it refuses (a malformed reading); the device has no one to tell.
  const offCard = cardReader?.onCard(({ uid }) => void core.deviceInput({ type: 'CARD', uid }));
  const offScan = scanner?.onScan(
    ({ text, symbology }) => void core.deviceInput({ type: 'SCAN', text, symbology }),
  );
  await core.start();
  return {
    store,
    codeKey: hasher.codeKey(),
    locker,
    core,
    async close() {
      offCard?.();
      offScan?.();
      await core.stop();
      await locker.stop();
      db.close();
    },
  };
}
