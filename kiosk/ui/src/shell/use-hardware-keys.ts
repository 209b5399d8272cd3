import { useEffect, useRef } from 'react';
import type { BareEventType } from '../contract.ts';
import type { ScreenApi } from './screen-context.ts';

/**
 * The tactile keypad (EN 301 549) arrives as keyboard keys: digits type, Enter activates
 * (with no control focused: submits an entry, else takes the screen's main action), Escape
 * cancels, goes back or skips the survey, Backspace deletes, Delete clears, arrows move focus.
 */
export function useHardwareKeys(api: ScreenApi | null): void {
  const current = useRef(api);
  current.current = api;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const screen = current.current;
      if (!screen || event.altKey || event.ctrlKey || event.metaKey) return;
      const handled = handleKey(event.key, screen);
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

const COMMANDS: Partial<Record<string, BareEventType>> = { Backspace: 'DELETE', Delete: 'CLEAR' };

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
  if (key === 'Escape') return sendFirst(screen, ['CANCEL', 'BACK', 'FINISH']);
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

/** Roving focus over every enabled button, in reading order (mirrored in RTL). */
function moveFocus(key: string): boolean {
  const controls = [...document.querySelectorAll<HTMLElement>('button:not([disabled])')].filter(
    (control) => !control.closest('[inert], [hidden]'),
  );
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
