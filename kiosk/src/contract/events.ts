/**
 * The events the page may send, inferred from the zod schemas that validate them at the
 * boundary (the session's in core/ui-events.ts, each flow's in its definition). Types only.
 */
import type { z } from 'zod';
import type { sessionUiEvents } from '../core/ui-events.ts';
import type { Flow } from './flows.ts';

/** Every event the UI may send. */
export type UiEvent = z.infer<(typeof sessionUiEvents)[number]> | z.infer<Flow['uiEvents'][number]>;
export type UiEventType = UiEvent['type'];
/** Types of the events that carry nothing but their type (`{ type: 'CANCEL' }`). */
export type BareEventType = UiEvent extends infer E
  ? E extends UiEvent
    ? Exclude<keyof E, 'type'> extends never
      ? E['type']
      : never
    : never
  : never;

/** The UI event of one type, e.g. `UiEventOf<'KEY'>` is `{ type: 'KEY'; key: string }`. */
export type UiEventOf<T extends UiEventType> = Extract<UiEvent, { type: T }>;
