/**
 * An item's states and the moves between them, defined once for both sides: the terminal
 * (kiosk store) moves an item and reports each move as an event; the fleet applies the
 * reports onto its own record, on which the console may have cancelled the item meanwhile.
 * A cancellation and a load at the terminal can cross (issue #16): the fleet then must not
 * take the load as a plain `loaded` (nobody is to be notified), but as `withdrawn` — the
 * item lies in a compartment, cancelled, and staff have to take it out.
 */
export const TERMINAL_ITEM_STATUSES = [
  'announced',
  'loaded',
  'picked_up',
  'expired',
  'retrieved',
  'dropped_off',
  'cancelled',
] as const;
export type TerminalItemStatus = (typeof TERMINAL_ITEM_STATUSES)[number];

/** The fleet knows one state more: cancelled while it lay in a compartment, to be taken out. */
export const FLEET_ITEM_STATUSES = [...TERMINAL_ITEM_STATUSES, 'withdrawn'] as const;
export type FleetItemStatus = (typeof FLEET_ITEM_STATUSES)[number];

export const isFleetItemStatus = (status: string): status is FleetItemStatus =>
  (FLEET_ITEM_STATUSES as readonly string[]).includes(status);

/**
 * The terminal's moves. A withdrawal (a cancellation of a loaded item) is loaded → expired:
 * the code stops opening and staff take it out with the expired items.
 */
export const TERMINAL_TRANSITIONS: Readonly<
  Record<TerminalItemStatus, readonly TerminalItemStatus[]>
> = {
  announced: ['loaded', 'dropped_off', 'cancelled'],
  loaded: ['picked_up', 'expired', 'retrieved'],
  expired: ['retrieved'],
  dropped_off: ['retrieved'],
  picked_up: [],
  retrieved: [],
  cancelled: [],
};

export const terminalMayMove = (from: TerminalItemStatus, to: TerminalItemStatus): boolean =>
  TERMINAL_TRANSITIONS[from].includes(to);

/** What a terminal reports (one event type each), as the status it stands for. */
export const REPORTED_STATUS = {
  'item-ready': 'loaded',
  'item-picked-up': 'picked_up',
  'item-dropped-off': 'dropped_off',
  'item-retrieved': 'retrieved',
  'item-expired': 'expired',
  'item-withdrawn': 'withdrawn',
} as const satisfies Record<string, FleetItemStatus>;
export type ReportedStatus = (typeof REPORTED_STATUS)[keyof typeof REPORTED_STATUS];

/** Cancelled on the fleet: a report that the item lies in a compartment means "take it out". */
const WHILE_CANCELLED: Readonly<Partial<Record<ReportedStatus, FleetItemStatus>>> = {
  loaded: 'withdrawn',
  expired: 'withdrawn',
  withdrawn: 'withdrawn',
  // The citizen was quicker than the cancellation, or staff took it out: that is the truth.
  picked_up: 'picked_up',
  retrieved: 'retrieved',
};

/**
 * The fleet's status after a terminal's report, or `undefined` when the report changes
 * nothing (e.g. an expiry of an item already withdrawn). `current` is undefined for an item
 * the fleet never announced (a drop-off, an item staff created at the terminal).
 */
export function fleetStatusAfter(
  current: FleetItemStatus | undefined,
  reported: ReportedStatus,
): FleetItemStatus | undefined {
  if (current === 'cancelled' || current === 'withdrawn') {
    const next = WHILE_CANCELLED[reported];
    return next === current ? undefined : next;
  }
  // A withdrawal report on an item the fleet does not hold cancelled: still to be taken out.
  return reported;
}

/**
 * The terminal's status that matches the fleet's once both have heard everything: the
 * fleet's `withdrawn` is the terminal's `expired` (set aside, to be taken out).
 */
export function terminalStatusFor(fleet: FleetItemStatus): TerminalItemStatus {
  return fleet === 'withdrawn' ? 'expired' : fleet;
}

/** Why a terminal refused a feed change (`feed-change-refused`): codes, never free text. */
export const FEED_REFUSAL_CODES = [
  'unknown-item',
  'wrong-status',
  'reference-active',
  'unknown-compartment',
  'unknown-setting',
  'invalid-setting',
  'invalid-change',
  // A destination key that does not check out (issue #12); the terminal keeps its last good one.
  'key-invalid',
  'key-chain-invalid',
  'key-expired',
] as const;
export type FeedRefusalCode = (typeof FEED_REFUSAL_CODES)[number];
