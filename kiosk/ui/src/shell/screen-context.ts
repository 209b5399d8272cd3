import { createContext, useContext } from 'react';
import type { UiEvent, UiEventType, View } from '../contract.ts';

export interface ScreenApi {
  view: View;
  /** Sends the event if the current screen takes it; anything else is dropped here. */
  send(event: UiEvent): void;
  can(type: UiEventType): boolean;
  /** The current entry as this page typed it (`null`: a character it did not type). */
  typed(): (string | null)[];
}

export const ScreenContext = createContext<ScreenApi | null>(null);

export function useScreen(): ScreenApi {
  const api = useContext(ScreenContext);
  if (!api) throw new Error('useScreen outside a ScreenContext');
  return api;
}
