/**
 * The one transport between the kiosk page and the kiosk service (DESIGN.md §2): loopback
 * HTTP for events in, Server-Sent Events for views out. No imports but types, so the page
 * may import the paths as values without bundling anything of the service.
 */
import type { Screen } from './view.ts';

export const RPC_PATHS = {
  /** `POST` a UI event as JSON (`{ type, ...fields }`); answers `EventReply`. */
  event: '/api/event',
  /** `GET`: `text/event-stream`; every message is `event: view` with a `View` as JSON data. */
  views: '/api/views',
  /** `GET ?token=…`: trades a one-time secret for an HttpOnly cookie, then redirects to `/`. */
  auth: '/auth',
  /** `GET`: `Health` as JSON; no cookie needed, loopback only. */
  health: '/healthz',
} as const;

/** Name of the server-sent event that carries a view. */
export const VIEW_EVENT = 'view';

/**
 * A control's id as `FOCUS` names it: the page's data-testid, e.g. `slot-address.postcode`
 * or `distance-50+` (speech says the control's words, never its id).
 */
export const CONTROL_ID = /^[a-z0-9.+-]{1,64}$/i;

export type EventError =
  | { kind: 'invalid'; issues: string }
  | { kind: 'not-allowed'; screen: string; event: string }
  | { kind: 'unauthorized' }
  | { kind: 'forbidden-origin' }
  | { kind: 'too-many'; reason: string };

/**
 * Status 200 `{ ok: true }`; 400 invalid (`issues`: one short line), 409 not allowed now,
 * 401 no cookie, 403 origin, 413 body too large, 415 not JSON, 429 over the rate limit.
 */
export type EventReply = { ok: true } | { ok: false; error: EventError };

/** The fleet sync as the staff menu shows it; null where the site has no sync. */
export interface SyncStatusView {
  online: boolean;
  /** Epoch ms of the last successful sync; null: never. */
  lastSync: number | null;
  queueLength: number;
  /** Technical, English: for the health check and the log, never shown to staff. */
  lastError: string | null;
  /** What staff are told, in their language (`staff.menu.sync.problem.*`). */
  problem: SyncProblem | null;
}

/** Why the terminal is not in touch with the town hall (the agent's kinds and enrolment). */
export type SyncProblem =
  | 'not-enrolled'
  | 'enrolment-failed'
  | 'unreachable'
  | 'timeout'
  | 'not-accepted'
  | 'refused'
  | 'clock'
  | 'protocol'
  | 'internal';

export interface Health {
  version: string;
  store: { ok: boolean; auditOk: boolean };
  boards: { online: number; total: number };
  /** null when the store does not answer. */
  outboxLength: number | null;
  /** Epoch ms of the last successful sync with the backend; null: never (no sync yet). */
  lastSync: number | null;
  /** The fleet sync; null where the site configures none. */
  sync: Omit<SyncStatusView, 'lastSync'> | null;
  screen: Screen;
}
