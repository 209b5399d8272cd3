/**
 * Speaks the kiosk's views: the whole screen when it changes (interrupting what was being
 * said), when the person asks for it again (`SPEECH repeat`) and when volume or rate
 * change; on the same screen only what changed (an error, how many characters are typed,
 * the inactivity warning, a door alert). Only while the session has speech switched on —
 * and it switches on when headphones are plugged in. With a jack that reports no headphones
 * the loudspeaker says nothing but the request to plug them in: nothing of the screen, so
 * nothing private. A terminal without jack detection has only a headphone socket.
 */
import type { Logger } from '@amtomat/basics';
import type { View } from '../contract/index.ts';
import type { KioskCore } from '../core/kiosk-core.ts';
import type { Language } from '../flows/session.machine.ts';
import type { HeadphoneJack } from './headphones.ts';
import { type Speaking, type Speech, utterance } from './speech.ts';
import { changeSpeech, headphonesPrompt, keysHelp, screenSpeech } from './speech-text.ts';

export interface NarratorDeps {
  core: Pick<KioskCore, 'subscribe' | 'send'>;
  speech: Speech;
  headphones?: HeadphoneJack | undefined;
  logger: Logger;
  /** Each utterance with the time its view arrived (`performance.now()`): the benchmark. */
  onSay?: (speaking: Speaking, viewAt: number) => void;
}

export interface Narrator {
  close(): void;
}

export function startNarrator(deps: NarratorDeps): Narrator {
  const { speech, headphones } = deps;
  let last: View | undefined;
  const private_ = () => headphones?.plugged() ?? true;

  function say(view: View, text: string, viewAt: number) {
    const language = view.session.language as Language;
    const speaking = speech.say(utterance(text, language, view.session.speech));
    deps.onSay?.(speaking, viewAt);
  }

  /** What to say for `view` after `before`; null: nothing. */
  function textFor(view: View, before: View | undefined): string | null {
    const on = view.session.accessibility.speech;
    if (!on) return null;
    const settings = (v: View) => v.session.speech;
    const fresh =
      !before?.session.accessibility.speech ||
      before.screen !== view.screen ||
      // A door screen that changes: "opening", then "take your document" once it is open.
      before.props.doorOpen !== view.props.doorOpen ||
      // A form's next question: the same screen, a new page to read.
      questionOf(before) !== questionOf(view) ||
      before.session.language !== view.session.language ||
      settings(before).repeat !== settings(view).repeat ||
      settings(before).volume !== settings(view).volume ||
      settings(before).rate !== settings(view).rate;
    if (!private_()) return fresh ? headphonesPrompt(view.session.language) : null;
    if (!fresh) return changeSpeech(before, view);
    // Speech just switched on (help key held, headphones in): the screen, then the keys.
    const justOn = !before?.session.accessibility.speech;
    return justOn ? `${screenSpeech(view)} ${keysHelp(view.session.language)}` : screenSpeech(view);
  }

  const unsubscribe = deps.core.subscribe((view) => {
    const viewAt = performance.now();
    const before = last;
    last = view;
    if (!view.session.accessibility.speech) {
      if (before?.session.accessibility.speech) speech.stop();
      return;
    }
    const text = textFor(view, before);
    if (text) say(view, text, viewAt);
  });

  const unplug = headphones?.onChange((plugged) => {
    const view = last;
    if (!view) return;
    if (plugged && !view.session.accessibility.speech) {
      // Plugging in headphones is how a blind person asks for speech (EN 301 549).
      const switched = deps.core.send({ type: 'SET_ACCESSIBILITY', settings: { speech: true } });
      if (!switched.ok)
        deps.logger.log('warn', 'speech.switch_on_refused', { screen: view.screen });
      return;
    }
    if (!view.session.accessibility.speech) return;
    const now = performance.now();
    // The first thing heard in private: the screen, then how the keys work.
    if (plugged) say(view, `${screenSpeech(view)} ${keysHelp(view.session.language)}`, now);
    else say(view, headphonesPrompt(view.session.language), now);
  });

  return {
    close() {
      unsubscribe();
      unplug?.();
      speech.stop();
    },
  };
}

/** The application question a view shows (its step's id), or undefined. */
const questionOf = (view: View) =>
  (view.props as { question?: { stepId?: unknown } | null }).question?.stepId;
