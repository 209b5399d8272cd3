import { DateEntry, MaskedEntry } from './Entry.tsx';
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
}: CodeEntryProps) {
  const errorText = useReason('errors');
  const locked = useLocked(lockedUntil);
  return (
    <Screen
      title={title}
      intro={intro}
      step={step}
      error={locked ? null : errorText(error)}
      className="entry-screen"
    >
      {date ? <DateEntry length={entered} /> : <MaskedEntry length={entered} />}
      <LockNotice until={lockedUntil} />
      <Keypad />
    </Screen>
  );
}
