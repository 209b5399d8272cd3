/** What every console route shares: its dependencies, the request's view, roles. */
import type { Clock, Logger } from '@amtomat/basics';
import type { EvaluationConfig } from '../evaluation/config.ts';
import type { FleetStorage } from '../storage/storage.ts';
import type { Authenticator } from './auth.ts';
import type { ConsoleLanguage, Translate } from './i18n.ts';
import type { ConsoleStore, ConsoleUser, Role } from './store.ts';

export const CONSOLE_PREFIX = '/console';

export interface ConsoleEnv {
  storage: FleetStorage;
  store: ConsoleStore;
  auth: Authenticator;
  logger: Logger;
  clock: Pick<Clock, 'now'>;
  onlineWindowMs: number;
  timeZone: string;
  /** Sites, installation dates, parameters and the suppression threshold (evaluation page). */
  evaluation: EvaluationConfig;
}

/** The request as a page sees it: language, and the signed-in user if any. */
export interface View {
  lang: ConsoleLanguage;
  t: Translate;
  date: (ms: number | null | undefined) => string;
  /** The page's own GET path (the language switch links to it). */
  path: string;
  user: ConsoleUser | null;
  csrf: string | null;
}

export interface SignedView extends View {
  user: ConsoleUser;
  csrf: string;
}

/**
 * view: items, terminals, notices; act: announce, cancel, remote actions; admin: users and
 * audit log; evaluate: the evaluation's aggregates (an evaluator sees nothing else); account:
 * one's own password and signing out (every role).
 */
export type Permission = 'view' | 'act' | 'admin' | 'evaluate' | 'account';

const ALLOWED: Readonly<Record<Permission, readonly Role[]>> = {
  view: ['admin', 'clerk', 'viewer'],
  act: ['admin', 'clerk'],
  admin: ['admin'],
  evaluate: ['admin', 'evaluator'],
  account: ['admin', 'clerk', 'viewer', 'evaluator'],
};

export const EVALUATION_PATH = '/evaluation';

/** Where a user lands after signing in: an evaluator on the evaluation, others on the overview. */
export const homePath = (user: ConsoleUser): string =>
  consolePath(may(user, 'view') ? '/' : EVALUATION_PATH);

export const may = (user: ConsoleUser | null, permission: Permission): boolean =>
  user !== null && ALLOWED[permission].includes(user.role);

export const consolePath = (path: string): string => `${CONSOLE_PREFIX}${path}`;
export const itemPath = (id: string): string => consolePath(`/items/${encodeURIComponent(id)}`);
