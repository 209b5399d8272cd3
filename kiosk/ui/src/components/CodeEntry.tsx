import { useState } from 'react';
import { DateEntry, MaskedEntry, ShowToggle } from './Entry.tsx';
import { Keypad } from './Keypad.tsx';
import { LockNotice, useLocked } from './LockNotice.tsx';
import { useReason } from './reasons.ts';
import { Screen, type Step } from './Screen.tsx';

interface CodeEntryProps {
  title: string;
  intro: string;
  entered: number;
  error: string | null;
  lockedUntil?: number | null;
  step?: Step | null;
  date?: boolean;
  /**
   * Whether a person can check what was typed: `shown` (a date of birth: shown as typed,
   * with a hide toggle), `hidden` (a code: dots, with a show toggle), `never` (a PIN).
   */
  check?: 'shown' | 'hidden' | 'never';
}

/**
 * A masked code, date or PIN typed on the keypad; shared by every flow that asks one.
 * During a lockout the keypad stays usable (the service answers "locked" again) and the
 * lock notice replaces the error.
 */
export function CodeEntry({
  title,
  intro,
  entered,
  error,
  lockedUntil,
  step,
  date,
  check = 'hidden',
}: CodeEntryProps) {
  const errorText = useReason('errors');
  const locked = useLocked(lockedUntil);
  const [shown, setShown] = useState(check === 'shown');
  const toggle =
    check === 'never' ? null : <ShowToggle shown={shown} onToggle={() => setShown(!shown)} />;
  return (
    <Screen
      title={title}
      intro={intro}
      step={step}
      error={locked ? null : errorText(error)}
      className="entry-screen"
      display={
        <>
          {date ? (
            <DateEntry length={entered} shown={shown} />
          ) : (
            <MaskedEntry length={entered} shown={shown} />
          )}
          <LockNotice until={lockedUntil} />
        </>
      }
    >
      <Keypad side={toggle} />
    </Screen>
  );
}
