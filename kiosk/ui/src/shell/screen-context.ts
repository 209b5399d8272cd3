import { createContext, useContext } from 'react';
import type { UiEvent, View } from '../rpc.ts';

export interface ScreenApi {
  view: View;
  /** Sends the event if the current screen takes it; anything else is dropped here. */
  send(event: UiEvent): void;
  can(type: string): boolean;
}

export const ScreenContext = createContext<ScreenApi | null>(null);

export function useScreen(): ScreenApi {
  const api = useContext(ScreenContext);
  if (!api) throw new Error('useScreen outside a ScreenContext');
  return api;
}

/** The current screen's props, as the flow's props() made them. */
export function useProps<T>(): T {
  return useScreen().view.props as T;
}
