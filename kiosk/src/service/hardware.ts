import type { Logger } from '@amtomat/basics';
import type { LockerConfig } from '@amtomat/locker-controller';
import type { CardReader, Scanner } from '@amtomat/locker-controller/devices';
import type { HeadphoneJack } from '../speech/headphones.ts';
import type { Store } from '../store/store.ts';
import type { SiteConfig } from './config.ts';
import type { HttpServerOptions } from './http-server.ts';
import { openInputDevices } from './input-devices.ts';

/**
 * The terminal's hardware as the service sees it: a port that the composition root fills
 * (`siteHardware` in production, `openDemoHardware` in demo.ts for `npm start`), so the
 * service never imports the simulator and the packaged kiosk carries none.
 */
export interface KioskHardware {
  /** For the log: `site` or `demo`. */
  readonly name: string;
  /** The locker to drive (the demo points the site's buses at its simulator). */
  locker: LockerConfig;
  devices: { cardReader?: CardReader; scanner?: Scanner };
  /** The headphone socket's jack detect; absent: the terminal has a headphone socket only. */
  headphones?: HeadphoneJack;
  /** Runs once the store is open (the demo seeds its people and items). */
  seed?(store: Store): void;
  /** Pages under `/demo`, reached through a one-time link of their own (the demo control). */
  controlRoutes?: HttpServerOptions['extraRoutes'];
  close(): Promise<void>;
}

/** Opens the hardware for a validated site file. */
export type OpenHardware<H extends KioskHardware = KioskHardware> = (
  site: SiteConfig,
  logger: Logger,
) => Promise<H>;

/** The site file's lock boards and its card reader and scanner (raw HID), as they are. */
export const siteHardware: OpenHardware = async (site, logger) => {
  const devices = await openInputDevices(site.devices, logger);
  return {
    name: 'site',
    locker: site.locker,
    devices,
    async close() {
      await devices.cardReader?.close();
      await devices.scanner?.close();
    },
  };
};
