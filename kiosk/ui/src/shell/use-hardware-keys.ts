import { useEffect, useRef } from 'react';
import { type BareEventType, CONTROL_ID } from '../contract.ts';
import type { ScreenApi } from './screen-context.ts';

/**
 * The tactile keypad (EN 301 549, like an ATM's) arrives as keyboard keys: digits type,
 * Enter activates (with no control focused: submits an entry, else takes the screen's main
 * action), Escape cancels, goes back or skips the survey, Backspace corrects (deletes one), Delete clears,
 * arrows move the focus among the controls, + and − make speech louder and quieter. The help
 * key (F1, or a keyboard's Help key) held switches speech on (no accessibility feature needed
 * to switch it on); pressed briefly it reads the screen again. Wherever the focus lands,
 * the page tells the service (FOCUS), which speaks that control's words.
 */
export function useHardwareKeys(api: ScreenApi | null): void {
  const current = useRef(api);
  current.current = api;
  useEffect(() => {
    let helpDown: number | null = null;
    const onKey = (event: KeyboardEvent) => {
      const screen = current.current;
      if (!screen || event.altKey || event.ctrlKey || event.metaKey) return;
      if (HELP_KEYS.includes(event.key)) {
        event.preventDefault();
        if (helpDown === null) helpDown = window.setTimeout(() => switchSpeechOn(), HELP_HOLD_MS);
        return;
      }
      const handled = handleKey(event.key, screen);
      if (handled) event.preventDefault();
    };
    const switchSpeechOn = () => {
      helpDown = -1; // held: the key's release does not also repeat
      const screen = current.current;
      if (screen && !screen.view.session.accessibility.speech)
        screen.send({ type: 'SET_ACCESSIBILITY', settings: { speech: true } });
    };
    const onKeyUp = (event: KeyboardEvent) => {
      if (!HELP_KEYS.includes(event.key) || helpDown === null) return;
      const held = helpDown === -1;
      if (!held) window.clearTimeout(helpDown);
      helpDown = null;
      const screen = current.current;
      if (!held && screen?.view.session.accessibility.speech)
        screen.send({ type: 'SPEECH', action: 'repeat' });
    };
    // Wherever the focus lands (arrows, Tab), speech names the control.
    const onFocus = (event: FocusEvent) => {
      const screen = current.current;
      const control = (event.target as HTMLElement | null)?.dataset?.testid;
      if (screen?.view.session.accessibility.speech && control && CONTROL_ID.test(control))
        screen.send({ type: 'FOCUS', control });
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKeyUp);
    document.addEventListener('focusin', onFocus);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKeyUp);
      document.removeEventListener('focusin', onFocus);
      if (helpDown !== null && helpDown !== -1) window.clearTimeout(helpDown);
    };
  }, []);
}

const HELP_KEYS = ['F1', 'Help'];
/** How long the help key is held to switch speech on. */
const HELP_HOLD_MS = 1000;

const COMMANDS: Partial<Record<string, BareEventType>> = { Backspace: 'DELETE', Delete: 'CLEAR' };
const SPEECH_KEYS: Partial<Record<string, 'louder' | 'quieter'>> = {
  '+': 'louder',
  '-': 'quieter',
};

function handleKey(key: string, screen: ScreenApi): boolean {
  if (key.startsWith('Arrow')) return moveFocus(key);
  if (/^[0-9a-zA-Z]$/.test(key) && screen.can('KEY')) {
    screen.send({ type: 'KEY', key: key.toUpperCase() });
    return true;
  }
  const command = COMMANDS[key];
  if (command && screen.can(command)) {
    screen.send({ type: command });
    return true;
  }
  const speech = SPEECH_KEYS[key];
  if (speech && screen.view.session.accessibility.speech) {
    screen.send({ type: 'SPEECH', action: speech });
    return true;
  }
  // The staff menu has no Cancel: there the cancel key logs out, as its one way out.
  if (key === 'Escape') return sendFirst(screen, ['CANCEL', 'BACK', 'FINISH', 'LOGOUT']);
  if (key === 'Enter' && !isControl(document.activeElement)) {
    return sendFirst(screen, ['SUBMIT']) || clickPrimary();
  }
  return false;
}

/** Enter with nothing focused takes the screen's main action (e.g. "Start"). */
function clickPrimary(): boolean {
  const primary = document.querySelector<HTMLButtonElement>('main button.primary:not([disabled])');
  primary?.click();
  return primary !== null;
}

function sendFirst(screen: ScreenApi, types: BareEventType[]): boolean {
  const type = types.find((candidate) => screen.can(candidate));
  if (type) screen.send({ type });
  return type !== undefined;
}

const isControl = (element: Element | null) =>
  element instanceof HTMLButtonElement || element instanceof HTMLInputElement;

/**
 * Where the arrows go first: the screen's own choices, then Back / Cancel, then languages
 * and settings (a blind person reaches "Dokument abholen" in one press, not after eleven
 * language and setting buttons). The on-screen keypad's keys are left out: the keypad's own
 * digits type them.
 */
const FOCUS_ORDER = ['main .content', 'main .screen-nav', 'main .top-bar'];
const rank = (control: HTMLElement) => {
  const index = FOCUS_ORDER.findIndex((area) => control.closest(area) !== null);
  return index < 0 ? FOCUS_ORDER.length : index;
};

/** Roving focus over every enabled button, in that order (mirrored in RTL). */
function moveFocus(key: string): boolean {
  const controls = [...document.querySelectorAll<HTMLElement>('button:not([disabled])')]
    .filter((control) => !control.closest('[inert], [hidden]'))
    .filter((control) => !control.dataset.testid?.startsWith('key-'))
    .map((control, index) => ({ control, index, rank: rank(control) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ control }) => control);
  if (controls.length === 0) return false;
  const rtl = document.documentElement.dir === 'rtl';
  const forward = key === 'ArrowDown' || key === (rtl ? 'ArrowLeft' : 'ArrowRight') ? 1 : -1;
  const index = controls.indexOf(document.activeElement as HTMLElement);
  const next =
    index < 0
      ? forward > 0
        ? 0
        : controls.length - 1
      : (index + forward + controls.length) % controls.length;
  controls[next]!.focus();
  return true;
}
