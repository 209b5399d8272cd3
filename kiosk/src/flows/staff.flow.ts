import { z } from 'zod';
import { PIN_LOCK_MS } from '../store/store.ts';
import type { ItemStatus, JsonValue } from '../store/types.ts';
import { recordCourierLogin } from './courier-deposit.flow.ts';
import { defineFlow, type EffectHandler, type HandlerOf } from './flow.ts';
import { ENTRY_EVENTS, openDoorEffect } from './shared-effects.ts';
import {
  DEFECT_REASONS,
  LOAD_KINDS,
  MAINTENANCE_REASONS,
  PERMISSIONS,
  type RefusalReason,
  SIZES,
  type Size,
  type StaffEffect,
  staffMachine,
} from './staff.machine.ts';

/** A handler of one of this flow's effects, answering what the machine takes. */
type Handler<Kind extends StaffEffect['kind']> = HandlerOf<StaffEffect, typeof staffMachine, Kind>;

export const STAFF_SERVICE = 'staff';
/** Store setting: `'true'` makes ID documents need a second staff card before their door opens. */
export const FOUR_EYES_SETTING = 'loading.four-eyes-id';
/**
 * Usage events carry no staff id and no session: one record per loaded item, by kind, and
 * one per retrieval round.
 */
export const STAFF_USAGE_SESSION = 'staff';

/** Items that are gone from the terminal: their reference may be loaded again as a new item. */
const GONE: readonly ItemStatus[] = ['picked_up', 'retrieved', 'cancelled'];

/** References show on staff screens only by their last characters. */
export function maskReference(reference: string): string {
  const shown = reference.length > 6 ? reference.slice(-4) : '';
  return '•'.repeat(Math.max(0, reference.length - shown.length)) + shown;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

const identifyCard: Handler<'identify-card'> = (effect, context) => {
  const { store, now, answer, logger } = context;
  const fourEyes = effect.purpose === 'four-eyes';
  const member = store.staffByCard(str(effect.uid));
  // A courier's card at the start screen logs the courier in: couriers need no PIN (README).
  if (!fourEyes && member?.role === 'courier') {
    recordCourierLogin(context, member.id, 'card');
    return answer({ type: 'ANSWER_COURIER_CARD', courierId: member.id });
  }
  let reason: RefusalReason | null = null;
  if (!member) reason = 'unknown-card';
  else if (member.role === 'courier') reason = 'courier-card';
  else if (fourEyes && member.id === effect.firstStaffId) reason = 'same-person';
  else if (fourEyes && !PERMISSIONS[member.role].includes('load')) reason = 'not-allowed';
  if (reason !== null || !member || member.role === 'courier') {
    store.audit({
      at: now(),
      actor: fourEyes ? str(effect.firstStaffId) || 'system' : 'system',
      action: 'staff-card-refused',
      details: { reason, purpose: fourEyes ? 'four-eyes' : 'login' },
    });
    logger.log('info', 'staff.card_refused', { reason, fourEyes });
    return answer({ type: 'ANSWER_STAFF_REFUSED', reason: reason ?? 'unknown-card' });
  }
  answer({
    type: 'ANSWER_STAFF_FOUND',
    staffId: member.id,
    role: member.role,
    lockedUntil: member.lockedUntil,
  });
};

const checkPin: Handler<'check-pin'> = (effect, { store, now, answer, logger }) => {
  const staffId = str(effect.staffId);
  const result = store.checkPin(staffId, str(effect.pin));
  if (!result.ok) {
    // The store counts and audits wrong PINs; the fifth locks (it answers `locked`).
    if (result.error === 'locked') {
      logger.log('warn', 'staff.pin_locked', { staff: staffId });
      return answer({ type: 'ANSWER_PIN_LOCKED', lockedUntil: now() + PIN_LOCK_MS });
    }
    return answer({ type: 'ANSWER_PIN_WRONG' });
  }
  if (effect.purpose === 'four-eyes') {
    store.audit({
      at: now(),
      actor: staffId,
      action: 'load-four-eyes-confirmed',
      subject: str(effect.itemId) || null,
      details: { firstStaffId: str(effect.firstStaffId) || null },
    });
  } else {
    store.audit({
      at: now(),
      actor: staffId,
      action: 'staff-login',
      details: { role: result.value.role },
    });
  }
  logger.log('info', 'staff.pin_ok', { staff: staffId, purpose: str(effect.purpose) });
  answer({ type: 'ANSWER_PIN_OK' });
};

const findItem: Handler<'find-item'> = (effect, { store, answer }) => {
  const item = store.itemByReference(str(effect.reference));
  if (!item || GONE.includes(item.status)) return answer({ type: 'ANSWER_ITEM_UNKNOWN' });
  if (item.status !== 'announced' || item.kind === 'drop-off') {
    return answer({
      type: 'ANSWER_ITEM_NOT_LOADABLE',
      status: item.kind === 'drop-off' ? 'drop-off' : item.status,
    });
  }
  answer({
    type: 'ANSWER_ITEM_FOUND',
    item: { id: item.id, kind: item.kind, size: item.size },
  });
};

const isSize = (value: unknown): value is Size => (SIZES as readonly unknown[]).includes(value);

/**
 * Chooses the compartment (size, then low ones for items flagged accessible, then least
 * used) and, for an item that was not announced, creates it now that it has a place.
 */
const prepareLoad: Handler<'prepare-load'> = (effect, { store, now, answer, logger }) => {
  const staffId = str(effect.staffId);
  const existing = effect.itemId ? store.item(str(effect.itemId)) : undefined;
  if (effect.itemId && existing?.status !== 'announced') {
    return answer({ type: 'ANSWER_ITEM_NOT_LOADABLE', status: existing?.status ?? 'unknown' });
  }
  const size: Size = isSize(effect.size) ? effect.size : (existing?.size ?? 'S');
  const kind = existing?.kind ?? str(effect.itemKind);
  const compartment = store.chooseCompartment({
    size,
    needsAccessible: existing?.needsAccessible ?? false,
  });
  if (!compartment) {
    logger.log('warn', 'staff.no_compartment', { size });
    return answer({ type: 'ANSWER_NO_COMPARTMENT', size });
  }
  let itemId = existing?.id;
  if (!itemId) {
    if (!(LOAD_KINDS as readonly string[]).includes(kind) || str(effect.reference) === '') {
      return answer({ type: 'ANSWER_ITEM_NOT_LOADABLE', status: 'undescribed' });
    }
    try {
      itemId = store.transaction(() => {
        const created = store.announceItem({
          kind: kind as (typeof LOAD_KINDS)[number],
          reference: str(effect.reference),
          size,
        });
        store.audit({
          at: now(),
          actor: staffId,
          action: 'item-created',
          subject: created.id,
          details: { kind, size },
        });
        return created.id;
      });
    } catch (error) {
      logger.log('warn', 'staff.item_create_failed', { error: String(error) });
      return answer({ type: 'ANSWER_ITEM_NOT_LOADABLE', status: 'conflict' });
    }
  }
  answer({
    type: 'ANSWER_LOAD_READY',
    itemId,
    compartment: compartment.label,
    fourEyes: kind === 'id-document' && store.setting(FOUR_EYES_SETTING) === 'true',
  });
};

/** After the door shut: was the item loaded (the door service decides), and how long it took. */
const finishLoad: Handler<'finish-load'> = (effect, { store, answer }) => {
  const item = store.item(str(effect.itemId));
  const loaded = item?.status === 'loaded';
  if (loaded && typeof effect.durationMs === 'number') {
    store.recordUsage({
      sessionId: STAFF_USAGE_SESSION,
      type: 'staff-load',
      service: STAFF_SERVICE,
      data: {
        durationMs: effect.durationMs,
        kind: item?.kind ?? null,
        created: effect.created === true,
        fourEyes: effect.fourEyes === true,
      },
    });
  }
  answer({ type: 'ANSWER_LOAD_FINISHED', loaded });
};

/** A retrieval round's staff time and items, like a loading's (no staff id, no session). */
const finishRetrieval: Handler<'finish-retrieval'> = (effect, { store }) => {
  // A look at the list that opened no door is no round.
  if (effect.doors === 0) return;
  store.recordUsage({
    sessionId: STAFF_USAGE_SESSION,
    type: 'staff-retrieve',
    service: STAFF_SERVICE,
    data: { durationMs: effect.durationMs, items: effect.items },
  });
};

const listExpired: Handler<'list-expired'> = (_effect, { store, answer }) => {
  answer({
    type: 'ANSWER_EXPIRED',
    items: store.itemsWithStatus('expired').map((item) => ({
      id: item.id,
      kind: item.kind,
      compartment: item.compartment,
      reference: maskReference(item.reference),
    })),
  });
};

const compartmentList = (store: Parameters<EffectHandler>[1]['store']) =>
  store.compartments().map((compartment) => ({
    label: compartment.label,
    size: compartment.size,
    defective: compartment.defective,
    defectReason: compartment.defectReason,
    door: compartment.door,
    occupied: store.itemsInCompartment(compartment.label).length > 0,
  }));

const listCompartments: Handler<'list-compartments'> = (_effect, { store, answer }) => {
  answer({ type: 'ANSWER_COMPARTMENTS', compartments: compartmentList(store) });
};

/** Defective (with a reason) or repaired (`reason: null`); the store audits it. */
const setDefective: Handler<'set-defective'> = (effect, { store, answer, logger }) => {
  const reason = effect.reason === null ? null : str(effect.reason) || 'other';
  const result = store.setDefective(str(effect.compartment), reason, str(effect.staffId));
  if (!result.ok) logger.log('warn', 'staff.set_defective_failed', { error: result.error });
  answer({ type: 'ANSWER_COMPARTMENTS', compartments: compartmentList(store) });
};

/** Staff actions the store does not audit itself (log-out, confirmations, door tests). */
const staffAudit: Handler<'staff-audit'> = (effect, { store, now }) => {
  store.audit({
    at: now(),
    actor: str(effect.staffId) || 'system',
    action: str(effect.action),
    subject: str(effect.subject) || null,
    ...(effect.details && typeof effect.details === 'object'
      ? { details: effect.details as Record<string, JsonValue> }
      : {}),
  });
};

/** Every staff door carries the staff id; a maintenance opening also its reason. */
const staffOpenDoor: Handler<'open-door'> = async (effect, context) => {
  if (effect.purpose === 'maintenance') {
    context.store.audit({
      at: context.now(),
      actor: str(effect.staffId) || 'system',
      action: 'maintenance-door-open',
      subject: str(effect.compartment),
      details: { reason: str(effect.reason) || 'other' },
    });
  }
  await openDoorEffect(effect, context);
};

const SCREENS = {
  identifying: 'staff.checking',
  refused: 'staff.unknown-card',
  locked: 'staff.locked',
  pin: 'staff.pin',
  checkingPin: 'staff.checking',
  menu: 'staff.menu',
  loadScan: 'staff.load.scan',
  findingItem: 'staff.checking',
  describeItem: 'staff.load.describe',
  preparingLoad: 'staff.checking',
  noCompartment: 'staff.load.no-compartment',
  secondCard: 'staff.load.second-card',
  identifyingSecond: 'staff.checking',
  secondPin: 'staff.load.second-pin',
  checkingSecondPin: 'staff.checking',
  finishingLoad: 'staff.checking',
  opening: 'staff.opening',
  takeAndClose: 'staff.door-open',
  doorFailed: 'staff.door-failed',
  listingExpired: 'staff.checking',
  retrieveList: 'staff.retrieve.list',
  retrieveConfirm: 'staff.retrieve.confirm',
  nextRetrieval: 'staff.checking',
  maintenance: 'staff.maintenance',
} as const;

export const staffFlow = defineFlow<StaffEffect>()({
  service: STAFF_SERVICE,
  machine: staffMachine,
  audience: 'staff',
  startsOn: 'CARD',
  inactivityTimer: 'staffTimeoutMs',
  survey: false,
  // A round cut off by the staff timeout (staff walked away from the list) still counts, up
  // to the last thing they did. (typeof: snapshots from before rounds were counted.)
  workCutShort(context, lastActivityAt) {
    const round = typeof context.round === 'object' ? context.round : null;
    if (!round || round.doors === 0) return undefined;
    return {
      sessionId: STAFF_USAGE_SESSION,
      usage: {
        type: 'staff-retrieve',
        service: STAFF_SERVICE,
        items: round.items,
        durationMs: round.startedAt === null ? null : Math.max(0, lastActivityAt - round.startedAt),
      },
    };
  },
  screens: SCREENS,
  props(state, context) {
    const staff = context;
    const current = staff.queue[0];
    return {
      role: staff.role,
      tasks: staff.role ? PERMISSIONS[staff.role] : [],
      error: staff.error,
      errorDetail: staff.errorDetail,
      refusal: staff.refusal,
      lockedUntil: staff.lockedUntil,
      // What was typed shows only as its length; a typed reference by its last characters.
      entered: staff.entry.length,
      typed: state === 'loadScan' ? maskReference(staff.entry) : null,
      load: staff.load && {
        kind: staff.load.kind,
        size: staff.load.size,
        created: staff.load.created,
        compartment: staff.load.compartment,
        fourEyes: staff.load.fourEyes,
        secondStaff: staff.load.secondStaffId !== null,
      },
      lastLoad: staff.lastLoad,
      noCompartmentSize: staff.noCompartmentSize,
      expired: staff.expired,
      door:
        staff.job && staff.doors[0]
          ? {
              compartment: staff.doors[0],
              purpose: staff.job.purpose,
              reason: staff.job.reason,
              openedAt: staff.openedAt,
              item:
                staff.job.purpose === 'retrieve' && current
                  ? { kind: current.kind, reference: current.reference }
                  : staff.job.purpose === 'load' && staff.load
                    ? { kind: staff.load.kind, reference: null }
                    : null,
              remaining: staff.job.purpose === 'retrieve' ? Math.max(0, staff.queue.length - 1) : 0,
              taken: staff.taken,
            }
          : null,
      lastDoor: staff.lastDoor,
      defectMarked: staff.defectMarked,
      compartments: staff.compartments,
      choices: {
        kinds: LOAD_KINDS,
        sizes: SIZES,
        maintenanceReasons: MAINTENANCE_REASONS,
        defectReasons: DEFECT_REASONS,
      },
    };
  },
  allowedEvents: {
    'staff.checking': [],
    'staff.unknown-card': ['BACK', 'CANCEL'],
    'staff.locked': ['BACK', 'CANCEL'],
    'staff.pin': ENTRY_EVENTS,
    // Log out is the one way out ("Abbrechen" beside "Abmelden" did the same).
    'staff.menu': ['START_LOADING', 'START_RETRIEVAL', 'START_MAINTENANCE', 'LOGOUT'],
    'staff.load.scan': ['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'BACK'],
    'staff.load.describe': ['CHOOSE_KIND', 'CHOOSE_SIZE', 'CONFIRM', 'BACK'],
    'staff.load.no-compartment': ['BACK'],
    'staff.load.second-card': ['BACK'],
    'staff.load.second-pin': ENTRY_EVENTS,
    'staff.opening': [],
    'staff.door-open': ['CONFIRM_TAKEN'],
    'staff.door-failed': ['MARK_DEFECTIVE', 'CONTINUE'],
    'staff.retrieve.list': ['RETRIEVE', 'RETRIEVE_ALL', 'BACK'],
    'staff.retrieve.confirm': ['CONFIRM_TAKEN', 'NOT_TAKEN'],
    'staff.maintenance': ['OPEN_DOOR', 'DOOR_TEST', 'SET_DEFECTIVE', 'SET_REPAIRED', 'BACK'],
  },
  uiEvents: [
    z.object({ type: z.literal('KEY'), key: z.string().regex(/^[0-9A-Z./-]$/) }),
    z.object({
      type: z.enum([
        'DELETE',
        'CLEAR',
        'SUBMIT',
        'BACK',
        'CANCEL',
        'START_LOADING',
        'START_RETRIEVAL',
        'START_MAINTENANCE',
        'LOGOUT',
        'CONFIRM',
        'RETRIEVE_ALL',
        'CONFIRM_TAKEN',
        'NOT_TAKEN',
        'MARK_DEFECTIVE',
        'CONTINUE',
      ]),
    }),
    z.object({ type: z.literal('CHOOSE_KIND'), kind: z.enum(LOAD_KINDS) }),
    z.object({ type: z.literal('CHOOSE_SIZE'), size: z.enum(SIZES) }),
    z.object({ type: z.literal('RETRIEVE'), itemId: z.string().min(1).max(64) }),
    z.object({
      type: z.literal('OPEN_DOOR'),
      compartment: z.string().min(1).max(16),
      reason: z.enum(MAINTENANCE_REASONS),
    }),
    z.object({ type: z.literal('DOOR_TEST'), compartment: z.string().min(1).max(16) }),
    z.object({
      type: z.literal('SET_DEFECTIVE'),
      compartment: z.string().min(1).max(16),
      reason: z.enum(DEFECT_REASONS),
    }),
    z.object({ type: z.literal('SET_REPAIRED'), compartment: z.string().min(1).max(16) }),
  ],
  effects: {
    'identify-card': identifyCard,
    'check-pin': checkPin,
    'find-item': findItem,
    'prepare-load': prepareLoad,
    'finish-load': finishLoad,
    'finish-retrieval': finishRetrieval,
    'list-expired': listExpired,
    'list-compartments': listCompartments,
    'set-defective': setDefective,
    'staff-audit': staffAudit,
    'open-door': staffOpenDoor,
  },
});
