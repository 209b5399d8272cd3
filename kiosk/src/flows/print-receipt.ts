import { assign, type EventObject } from 'xstate';
import type { PrintFaultShown, PrintStatus, ReceiptContent } from '../receipts/types.ts';
import type { EffectHandler } from './flow.ts';

/**
 * "Print receipt" on a receipt screen (application, drop-off), the same in every flow that
 * has one: the UI event `PRINT`, the effect `print-receipt` and its two answers. Printing
 * changes nothing of what was done; its outcome is only shown and spoken.
 */
export type PrintReceiptEffect = { kind: 'print-receipt'; receipt: ReceiptContent };

export type PrintAnswer =
  | { type: 'ANSWER_PRINTED' }
  | { type: 'ANSWER_PRINT_FAILED'; fault: PrintFaultShown };

export type { PrintStatus };

/**
 * A print under way is persisted as not asked: after a restart its answer is gone with the
 * process, and "print receipt" is offered again rather than "printing …" for ever (the
 * snapshot's JSON replacer, `kiosk-core.ts`).
 */
export const persistedPrint = (key: string, value: unknown): unknown =>
  key === 'print' && value === 'printing' ? null : value;

/** Once per receipt screen: a second page would not say more, a fault is told at once. */
export const mayPrint = (status: PrintStatus | null) => status === null;

/** The status a print answer leaves. */
export const printedStatus = (answer: PrintAnswer): PrintStatus =>
  answer.type === 'ANSWER_PRINTED' ? 'printed' : answer.fault;

/**
 * What a flow's `setup` takes for its receipt screen's printing: `actions: { ...print.actions,
 * requestPrint }` (the flow's own effect), `guards: { ...print.guards }`, and on the receipt
 * state `on: { ...PRINT_ON_RECEIPT, … }`.
 */
export function printParts<
  Context extends { print: PrintStatus | null },
  Event extends EventObject,
>() {
  return {
    actions: {
      printAsked: assign<Context, Event, undefined, Event, never>(
        () => ({ print: 'printing' }) as Partial<Context>,
      ),
      printAnswered: assign<Context, Event, undefined, Event, never>(
        ({ event }) =>
          ({ print: printedStatus(event as unknown as PrintAnswer) }) as Partial<Context>,
      ),
    },
    guards: { mayPrint: ({ context }: { context: Context }) => mayPrint(context.print) },
  };
}

/** The receipt state's transitions for printing (with `printParts` and `requestPrint`). */
export const PRINT_ON_RECEIPT = {
  PRINT: { guard: 'mayPrint', actions: ['printAsked', 'requestPrint'] },
  ANSWER_PRINTED: { actions: 'printAnswered' },
  ANSWER_PRINT_FAILED: { actions: 'printAnswered' },
} as const;

/** Without a printer (none configured) the answer is "missing", as from a printer gone. */
export const printReceiptEffect: EffectHandler<PrintReceiptEffect, PrintAnswer> = async (
  effect,
  { printReceipt, answer },
) => {
  const printed = printReceipt
    ? await printReceipt(effect.receipt)
    : ({ ok: false, error: 'missing' } as const);
  answer(
    printed.ok ? { type: 'ANSWER_PRINTED' } : { type: 'ANSWER_PRINT_FAILED', fault: printed.error },
  );
};
