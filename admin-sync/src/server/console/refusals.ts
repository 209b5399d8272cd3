/** Why a terminal refused a feed change, in the clerk's words (codes from the protocol). */
import type { FeedRefusalCode } from '../../protocol/index.ts';
import type { SignedView } from './context.ts';

export const refusalText = (view: Pick<SignedView, 't'>, code: FeedRefusalCode): string =>
  view.t(`refusal.${code}`);
