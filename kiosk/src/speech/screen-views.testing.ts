/**
 * A view of every screen there is (ALL_SCREENS), for tests of what is said on each: each
 * flow's own `props()` over its machine's initial context (and once more with an error and
 * something typed), the session's screens as the core projects them. Test support only.
 */
import { createActor } from 'xstate';
import type { View } from '../contract/index.ts';
import { DEFAULT_LAYOUT } from '../contract/layout.ts';
import { allowedEvents, startScreenProps } from '../core/views.ts';
import { FLOWS } from '../flows/registry.ts';
import { DEFAULT_SPEECH, type Language } from '../flows/session.machine.ts';

const session = (language: Language): View['session'] => ({
  language,
  accessibility: { largeText: false, highContrast: false, speech: true },
  speech: DEFAULT_SPEECH,
  focus: null,
  warning: null,
  doorAlerts: [],
  timeZone: 'Europe/Berlin',
  layout: DEFAULT_LAYOUT,
});

/** What a person may have done before the screen shows: a wrong entry, three keys typed. */
const TOUCHED = { error: 'wrong-code', entry: '123' };

export function screenViews(language: Language): View[] {
  const view = (screen: string, props: object) =>
    ({ screen, props, allowed: allowedEvents(screen), session: session(language) }) as View;
  const views: View[] = [
    view('attract', startScreenProps()),
    ...(['completed', 'failed', 'abandoned'] as const).map((outcome) =>
      view('survey', {
        service: 'document-pickup',
        outcome,
        reason: outcome === 'failed' ? 'door-jammed' : null,
        answered: { satisfaction: null, alternative: null },
        reopenUntil: null,
        doorOpen: false,
      }),
    ),
  ];
  for (const flow of FLOWS) {
    const initial = createActor(flow.machine, { input: {} }).getSnapshot().context as object;
    for (const context of [initial, { ...initial, ...TOUCHED }]) {
      for (const [state, screen] of Object.entries(flow.screens)) {
        if (screen) views.push(view(screen, flow.props(state, context)));
      }
    }
  }
  return views;
}
