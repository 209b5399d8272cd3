import type { ReactNode } from 'react';
import type { UiEvent } from '../contract.ts';
import { useScreen } from '../shell/screen-context.ts';

interface ActionProps {
  event: UiEvent;
  testId: string;
  children: ReactNode;
  kind?: 'primary' | 'secondary' | 'choice';
  pressed?: boolean;
  disabled?: boolean;
}

/**
 * A button that sends one event; shown only when the current screen takes that event. The
 * event is typed by the contract (`UiEvent`): a misspelt type, which the screen would never
 * take, so the button would never show, does not compile.
 */
export function Action({
  event,
  testId,
  children,
  kind = 'primary',
  pressed,
  disabled,
}: ActionProps) {
  const { can, send } = useScreen();
  if (!can(event.type)) return null;
  return (
    <button
      type="button"
      className={kind}
      data-testid={testId}
      aria-pressed={pressed}
      disabled={disabled}
      onClick={() => send(event)}
    >
      {children}
    </button>
  );
}
