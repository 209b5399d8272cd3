/**
 * Speech names every control the keypad reaches: a blind person moves the focus with the
 * arrows and hears where it is (EN 301 549 5.1.3). Lists the buttons of the page as drawn
 * whose id the service cannot name in the session's language.
 */
import type { View } from '../src/contract/view.ts';
import { focusSpeech } from '../src/speech/speech-text.ts';
import type { KioskInBrowser } from './harness.ts';
import { SHOWN_BUTTONS } from './layout-checks.ts';

/** The buttons the arrows move among (as use-hardware-keys' moveFocus picks them), by id. */
const REACHABLE = `${SHOWN_BUTTONS}.map((el) => el.dataset.testid ?? '#' + el.textContent.trim().slice(0, 30))`;

export async function unnamedControls(k: KioskInBrowser): Promise<string[]> {
  const controls = (await k.page.evaluate(REACHABLE)) as string[];
  const view = k.service.terminal.core.view();
  return controls.filter((control) => {
    const focused: View = { ...view, session: { ...view.session, focus: { control, moves: 1 } } };
    return !focusSpeech(focused);
  });
}
