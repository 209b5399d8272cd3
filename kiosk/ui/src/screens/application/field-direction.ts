import type { PropsOf } from '../../contract.ts';

type FieldType = NonNullable<PropsOf<'application.question'>['question']>['fields'][number]['type'];

/**
 * Field types whose text is written left to right in every language: numbers, codes and
 * addresses of the machine world. In Arabic they would otherwise be laid out right to left
 * ("+49 176 1234" shown as "1234 176 +49", the caret on the wrong side of an e-mail).
 */
const LEFT_TO_RIGHT: ReadonlySet<FieldType> = new Set<FieldType>([
  'number',
  'date',
  'phone',
  'email',
  'iban',
  'postcode',
]);

/** The address parts that are numbers; street and town are names. */
const LEFT_TO_RIGHT_PARTS: ReadonlySet<string> = new Set(['houseNumber', 'postcode']);

/**
 * The direction a typing slot's text runs in: 'ltr' whatever the page's language, or
 * 'page' (names, towns, free text) to follow the page. `slot` is the slot id, `field` or
 * `field.part` for an address.
 */
export function slotDirection(type: FieldType, slot: string): 'ltr' | 'page' {
  if (type === 'address') {
    const part = slot.split('.')[1] ?? '';
    return LEFT_TO_RIGHT_PARTS.has(part) ? 'ltr' : 'page';
  }
  return LEFT_TO_RIGHT.has(type) ? 'ltr' : 'page';
}
