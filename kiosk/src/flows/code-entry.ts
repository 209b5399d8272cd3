import { assign, type EventObject } from 'xstate';

/**
 * The one code-entry fragment: typing, deleting, clearing and submitting what a person enters
 * on the keypad (a pickup code, a date of birth, a PIN, a reference, a label). A flow spreads
 * `codeEntry<Context, Event>()`'s actions and guards into its `setup` and builds each entry
 * state's handlers with `entryKeys`; what is typed lives in the context key `entry` (secret:
 * never in a view, blanked before persisting), a refusal in `error`.
 */

/** The UI events of every screen that takes a code, a date, a PIN or a reference. */
export type EntryUiEvent =
  | { type: 'KEY'; key: string }
  | { type: 'DELETE' }
  | { type: 'CLEAR' }
  | { type: 'SUBMIT' }
  | { type: 'BACK' }
  | { type: 'CANCEL' };

/** What an entry state needs of its flow's context. */
export interface EntryContext {
  entry: string;
  error: unknown;
  /** Where a code is checked against the terminal-wide lock: until when it is locked. */
  lockedUntil?: number | null;
}

/** Which keys an entry takes, and how many at most. */
export interface KeyRule {
  keys: RegExp;
  maxLength: number;
}

/** The entry with a pressed key added, if the key belongs to the entry and there is room. */
export function typedKey(entry: string, event: EventObject, rule: KeyRule): string {
  const key = event.type === 'KEY' ? (event as { key?: unknown }).key : undefined;
  if (typeof key !== 'string' || !rule.keys.test(key)) return entry;
  return entry.length < rule.maxLength ? entry + key : entry;
}

/** The actions and guards every entry state uses, typed for one flow's context and events. */
export function codeEntry<Context extends EntryContext, Event extends EventObject>() {
  // A key pressed clears the refusal on show (and its detail, where the flow has one).
  const cleared = (context: Context) =>
    ('errorDetail' in context
      ? { error: null, errorDetail: null }
      : { error: null }) as Partial<Context>;
  return {
    actions: {
      typeKey: assign<Context, Event, KeyRule, Event, never>(({ context, event }, rule) => ({
        ...cleared(context),
        entry: typedKey(context.entry, event, rule),
      })),
      deleteLast: assign<Context, Event, undefined, Event, never>(
        ({ context }) => ({ entry: context.entry.slice(0, -1) }) as Partial<Context>,
      ),
      clearEntry: assign<Context, Event, undefined, Event, never>(
        () => ({ entry: '' }) as Partial<Context>,
      ),
      /** SUBMIT with enough typed: on, with no refusal left on show. */
      entryAccepted: assign<Context, Event, undefined, Event, never>(({ context }) =>
        cleared(context),
      ),
      /** What was typed was refused by the core: type again; while locked, say so instead. */
      entryRefused: assign<Context, Event, { wrong: Context['error'] }, Event, never>(
        ({ event }, { wrong }) => {
          const lockedUntil = (event as { lockedUntil?: number | null }).lockedUntil ?? null;
          return {
            entry: '',
            error: (lockedUntil !== null ? 'locked' : wrong) as Context['error'],
            lockedUntil,
          } as Partial<Context>;
        },
      ),
      /** SUBMIT with too little typed: say so, keep what was typed. */
      entryIncomplete: assign<Context, Event, { error: Context['error'] }, Event, never>(
        (_, { error }) => ({ error }) as Partial<Context>,
      ),
    },
    guards: {
      entryComplete: ({ context }: { context: Context }, { minLength }: { minLength: number }) =>
        context.entry.length >= minLength,
    },
  };
}

/**
 * The KEY / DELETE / CLEAR / SUBMIT handlers of an entry state. `submit` is the SUBMIT
 * transition; `submitWhenComplete` builds the usual one.
 */
export const entryKeys = <Submit>(rule: KeyRule, submit: Submit) => ({
  KEY: { actions: { type: 'typeKey' as const, params: rule } },
  DELETE: { actions: 'deleteLast' as const },
  CLEAR: { actions: 'clearEntry' as const },
  SUBMIT: submit,
});

/** SUBMIT: on to `target` once `minLength` characters are typed, else refused with `error`. */
export const submitWhenComplete = <Target extends string, Error>(
  minLength: number,
  target: Target,
  error: Error,
) => [
  {
    guard: { type: 'entryComplete' as const, params: { minLength } },
    target,
    actions: 'entryAccepted' as const,
  },
  { actions: { type: 'entryIncomplete' as const, params: { error } } },
];
