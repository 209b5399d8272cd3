/**
 * The shipped catalogue, embedded: the bundled kiosk (rolldown) and the .deb carry these
 * JSON files inside the code, so no folder has to be found at run time. A form file added to
 * this folder must be listed here; `forms.test.ts` fails when the list and the folder differ.
 */
import briefwahl from './briefwahl-beantragen.json' with { type: 'json' };
import fundsache from './fundsache-abgeben.json' with { type: 'json' };
import grabmal from './grabmalgenehmigung.json' with { type: 'json' };
import hundAbmelden from './hund-abmelden.json' with { type: 'json' };
import hundAnmelden from './hund-anmelden.json' with { type: 'json' };
import meldebescheinigung from './meldebescheinigung.json' with { type: 'json' };
import schaden from './schaden-melden.json' with { type: 'json' };
import sperrmuell from './sperrmuell-anmelden.json' with { type: 'json' };

export const SHIPPED_FORM_FILES: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['briefwahl-beantragen.json', briefwahl],
  ['fundsache-abgeben.json', fundsache],
  ['grabmalgenehmigung.json', grabmal],
  ['hund-abmelden.json', hundAbmelden],
  ['hund-anmelden.json', hundAnmelden],
  ['meldebescheinigung.json', meldebescheinigung],
  ['schaden-melden.json', schaden],
  ['sperrmuell-anmelden.json', sperrmuell],
]);
