/**
 * The events each screen accepts, as the core's views.ts says (checked by allowed.test.ts).
 * The page imports no runtime code of the service, so it keeps this copy: buttons and
 * hardware keys send only what the current screen takes.
 */
const ENTRY = ['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL'];

export const ALWAYS = ['SET_LANGUAGE', 'SET_ACCESSIBILITY', 'EXTEND'];

export const SCREEN_EVENTS: Record<string, readonly string[]> = {
  attract: ['START'],
  menu: ['CHOOSE', 'CANCEL'],
  survey: ['ANSWER', 'FINISH', 'OPEN_AGAIN'],
  'pickup.code': ENTRY,
  'pickup.checking': [],
  'pickup.date-of-birth': ENTRY,
  'pickup.choose': ['TOGGLE_ITEM', 'TAKE_ALL', 'CONFIRM', 'BACK', 'CANCEL'],
  'pickup.pin-letter': ['CONFIRM_PIN_LETTER', 'BACK', 'CANCEL'],
  'pickup.opening': [],
  'pickup.take-and-close': [],
  'courier.login': ENTRY,
  'courier.checking': [],
  'courier.scan': ['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'CANCEL', 'FINISH'],
  'courier.size': ['SELECT_SIZE', 'BACK', 'CANCEL'],
  'courier.size-full': ['TAKE_OFFER', 'BACK', 'CANCEL'],
  'courier.full': ['FINISH'],
  'courier.opening': [],
  'courier.deposit-and-close': [],
  'courier.not-seen': ['OPEN_AGAIN', 'CANCEL'],
  'courier.door-failed': ['NEXT_PARCEL', 'FINISH'],
  'courier.deposited': ['NEXT_PARCEL', 'FINISH'],
  'parcel.code': ENTRY,
  'parcel.checking': [],
  'parcel.opening': [],
  'parcel.take-and-close': [],
  'drop-off.reference': ENTRY,
  'drop-off.checking': [],
  'drop-off.full': ['CONFIRM', 'BACK', 'CANCEL'],
  'drop-off.opening': [],
  'drop-off.put-in-and-close': [],
  'drop-off.receipt': ['CONFIRM', 'CANCEL'],
  'staff.checking': [],
  'staff.unknown-card': ['BACK', 'CANCEL'],
  'staff.locked': ['BACK', 'CANCEL'],
  'staff.pin': ENTRY,
  'staff.menu': ['START_LOADING', 'START_RETRIEVAL', 'START_MAINTENANCE', 'LOGOUT', 'CANCEL'],
  'staff.load.scan': ['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'BACK'],
  'staff.load.describe': ['CHOOSE_KIND', 'CHOOSE_SIZE', 'CONFIRM', 'BACK'],
  'staff.load.no-compartment': ['BACK'],
  'staff.load.second-card': ['BACK'],
  'staff.load.second-pin': ENTRY,
  'staff.opening': [],
  'staff.door-open': ['CONFIRM_TAKEN'],
  'staff.door-failed': ['MARK_DEFECTIVE', 'CONTINUE'],
  'staff.retrieve.list': ['RETRIEVE', 'RETRIEVE_ALL', 'BACK'],
  'staff.retrieve.confirm': ['CONFIRM_TAKEN', 'NOT_TAKEN'],
  'staff.maintenance': ['OPEN_DOOR', 'DOOR_TEST', 'SET_DEFECTIVE', 'SET_REPAIRED', 'BACK'],
};

export function allows(screen: string, type: string): boolean {
  return ALWAYS.includes(type) || (SCREEN_EVENTS[screen] ?? []).includes(type);
}

/** Staff and courier screens get the distinct staff look. */
export const isStaffScreen = (screen: string) =>
  screen.startsWith('staff.') || screen.startsWith('courier.');
