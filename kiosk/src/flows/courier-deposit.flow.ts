import { z } from 'zod';
import type { Store } from '../store/store.ts';
import type { Compartment, CompartmentSize, Item } from '../store/types.ts';
import {
  type CourierEffect,
  courierDepositMachine,
  type FreeCounts,
  LABEL_KEY,
  NO_FREE,
  SIZES,
} from './courier-deposit.machine.ts';
import { defineFlow, type EffectContext, type HandlerOf, screenOf, stepOf } from './flow.ts';
import { ENTRY_EVENTS, openDoorEffect } from './shared-effects.ts';

/** A handler of one of this flow's effects, answering what the machine takes. */
type Handler<Kind extends CourierEffect['kind']> = HandlerOf<
  CourierEffect,
  typeof courierDepositMachine,
  Kind
>;

export const SERVICE = 'courier-deposit';
/** Store setting: the name of the nearest other station, shown when this one is full. */
export const NEAREST_STATION_SETTING = 'station.nearest';

/**
 * Compartments a courier may fill now: free (no item, no door under way, not defective),
 * for pickup, and with the door shut: a door that stands open (forced, or left open) is
 * for staff to look at first. A door that failed to open in this session is not offered
 * again: staff have the alarm, and the courier gets another compartment.
 */
function depositable(context: EffectContext<never>, size?: CompartmentSize): Compartment[] {
  const { store, sessionId } = context;
  const failed = new Set(
    (sessionId === null ? [] : store.intentsOfSession(sessionId))
      .filter((intent) => intent.state === 'failed')
      .map((intent) => intent.compartment),
  );
  return store
    .freeCompartments({ purpose: 'pickup', ...(size && { size }) })
    .filter((compartment) => compartment.door !== 'open' && !failed.has(compartment.label));
}

function freeCounts(context: EffectContext<never>): FreeCounts {
  const counts = { ...NO_FREE };
  for (const compartment of depositable(context)) counts[compartment.size]++;
  return counts;
}

/** Of one size: high compartments before low ones (kept for those who need them), then least used. */
function bestOfSize(context: EffectContext<never>, size: CompartmentSize): Compartment | undefined {
  return depositable(context, size).sort(
    (a, b) =>
      Number(a.accessible) - Number(b.accessible) ||
      a.uses - b.uses ||
      (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
  )[0];
}

const courierLogin: Handler<'courier-login'> = (effect, context) => {
  const { store, codeLock, answer, now, logger } = context;
  const method = effect.method === 'card' ? 'card' : 'code';
  if (method === 'code') {
    const locked = codeLock.lockedUntil();
    if (locked !== null) {
      return answer({ type: 'ANSWER_COURIER_WRONG', error: 'wrong-code', lockedUntil: locked });
    }
  }
  const member =
    effect.method === 'card'
      ? store.staffByCard(String(effect.uid))
      : store.staffByCode(String(effect.code));
  if (member?.role !== 'courier') {
    // Wrong codes count toward the terminal's lockout; a wrong card cannot be guessed at a
    // keypad, so it only gets the message.
    const lockedUntil = method === 'code' ? codeLock.recordFailure() : null;
    store.audit({
      at: now(),
      actor: 'system',
      action: 'courier-login-refused',
      details: { method },
    });
    logger.log('info', 'courier.login_refused', { method });
    return answer({
      type: 'ANSWER_COURIER_WRONG',
      error: method === 'card' ? 'wrong-card' : 'wrong-code',
      lockedUntil,
    });
  }
  recordCourierLogin(context, member.id, method);
  answer({ type: 'ANSWER_COURIER_OK', courierId: member.id });
};

/** A courier logged in: audited (every deposit then names the courier), no card or code kept. */
export function recordCourierLogin(
  { store, now }: Pick<EffectContext, 'store' | 'now'>,
  courierId: string,
  method: 'card' | 'code',
): void {
  store.audit({ at: now(), actor: courierId, action: 'courier-login', details: { method } });
}

/** The parcel the backend announced under this reference, waiting for its courier. */
function announcedParcel(store: Store, reference: string): Item | undefined {
  const found = store.itemByReference(reference);
  return found?.kind === 'parcel' && found.status === 'announced' ? found : undefined;
}

const findParcel: Handler<'find-parcel'> = (effect, context) => {
  const { store, answer } = context;
  const reference = String(effect.reference);
  const found = store.itemByReference(reference);
  if (found?.kind === 'parcel' && (found.status === 'loaded' || found.status === 'expired')) {
    return answer({ type: 'ANSWER_PARCEL_REFUSED', reason: 'already-deposited' });
  }
  const announced = announcedParcel(store, reference);
  answer({
    type: 'ANSWER_PARCEL',
    itemId: announced?.id ?? null,
    announcedSize: announced?.size ?? null,
    free: freeCounts(context),
    nearest: store.setting(NEAREST_STATION_SETTING) ?? null,
  });
};

/**
 * A compartment of exactly the chosen size; a parcel the backend did not announce is
 * announced here (its pickup code comes later from the backend), only once a compartment
 * is there for it, so a full station or a cancelled choice leaves nothing behind.
 */
const reserveCompartment: Handler<'reserve-compartment'> = (effect, context) => {
  const { store, answer, logger } = context;
  const size = effect.size as CompartmentSize;
  const compartment = bestOfSize(context, size);
  if (!compartment) return answer({ type: 'ANSWER_SIZE_FULL', free: freeCounts(context) });
  const reference = String(effect.reference);
  // The parcel found at the scan, unless it changed meanwhile; a sync may also have
  // announced it since the scan: then the backend's item is used.
  const known = typeof effect.itemId === 'string' ? store.item(effect.itemId) : undefined;
  let item = known?.status === 'announced' ? known : announcedParcel(store, reference);
  if (!item) {
    try {
      item = store.announceItem({ kind: 'parcel', reference, recipientRef: reference, size });
    } catch {
      // A parcel with this reference went into a compartment since the scan: it is
      // not this courier's to deposit again.
      logger.log('warn', 'courier.announce_refused', { reason: 'reference-in-use' });
      return answer({ type: 'ANSWER_PARCEL_REFUSED', reason: 'reference-in-use' });
    }
  }
  answer({ type: 'ANSWER_COMPARTMENT', compartment: compartment.label, itemId: item.id });
};

/**
 * The door has closed: the door service has already marked the parcel loaded (and queued
 * `item-ready`) if the sensor saw it. Here only the outcome is read, and the usage fact
 * for the evaluation is recorded: duration and size, no ids.
 */
const confirmDeposit: Handler<'confirm-deposit'> = (effect, { store, answer, sessionId }) => {
  const item = store.item(String(effect.itemId));
  const loaded = item?.status === 'loaded' && item.compartment === String(effect.compartment);
  if (!loaded) return answer({ type: 'ANSWER_DEPOSIT_NOT_SEEN' });
  const size = store.compartment(item.compartment!)?.size ?? null;
  store.recordUsage({
    sessionId: sessionId ?? 'none',
    type: 'courier-deposit',
    service: SERVICE,
    data: {
      durationMs: typeof effect.durationMs === 'number' ? effect.durationMs : null,
      size,
    },
  });
  answer({ type: 'ANSWER_DEPOSIT_LOADED' });
};

/** Steps a courier sees as "step N of M" for one parcel. */
const STEPS = ['courier.scan', 'courier.size', 'courier.deposit-and-close'];

const SCREENS = {
  login: 'courier.login',
  verifyingCode: 'courier.checking',
  verifyingCard: 'courier.checking',
  scan: 'courier.scan',
  findingParcel: 'courier.checking',
  size: 'courier.size',
  sizeFull: 'courier.size-full',
  full: 'courier.full',
  reserving: 'courier.checking',
  opening: 'courier.opening',
  takeAndClose: 'courier.deposit-and-close',
  confirming: 'courier.checking',
  notSeen: 'courier.not-seen',
  doorFailed: 'courier.door-failed',
  deposited: 'courier.deposited',
} as const;

export const courierDepositFlow = defineFlow<CourierEffect>()({
  service: SERVICE,
  machine: courierDepositMachine,
  audience: 'courier',
  // Couriers work here: the citizens' survey is not for them (it would skew the
  // evaluation), and between parcels from the van they get the longer staff timer.
  survey: false,
  inactivityTimer: 'staffTimeoutMs',
  screens: SCREENS,
  props(state, context) {
    const courier = context;
    const screen = screenOf(SCREENS, state) ?? '';
    const base = {
      error: courier.error,
      deposited: courier.deposited,
      step: stepOf(STEPS, screen),
    };
    switch (screen) {
      case 'courier.login':
        // The code only as its length.
        return { ...base, entered: courier.entry.length, lockedUntil: courier.lockedUntil };
      case 'courier.scan':
        // A typed label is what the courier reads off the parcel, not a secret.
        return { ...base, typed: courier.entry, last: courier.last };
      case 'courier.size':
      case 'courier.size-full':
        return {
          ...base,
          sizes: SIZES.map((size) => ({
            size,
            free: courier.free[size],
            available: courier.free[size] > 0,
          })),
          announcedSize: courier.announcedSize,
          requested: courier.size,
          offer: courier.offer,
        };
      case 'courier.full':
        return { ...base, nearest: courier.nearest };
      case 'courier.opening':
      case 'courier.deposit-and-close':
      case 'courier.not-seen':
      case 'courier.deposited':
        return {
          ...base,
          compartment: courier.doors[0] ?? null,
          size: courier.size,
          // The UI shows a "please close the door" / staff hint once the door stands long.
          doorOpenedAt: courier.doorOpenedAt,
        };
      case 'courier.door-failed':
        return {
          ...base,
          compartment: courier.doors[0] ?? null,
          reason: courier.failure?.replace(/^door-/, '') ?? null,
        };
      default:
        return base;
    }
  },
  allowedEvents: {
    'courier.login': ENTRY_EVENTS,
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
  },
  uiEvents: [
    z.object({ type: z.literal('KEY'), key: z.string().regex(LABEL_KEY) }),
    z.object({ type: z.enum(['DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL', 'FINISH']) }),
    z.object({ type: z.literal('SELECT_SIZE'), size: z.enum(['S', 'M', 'L', 'XL']) }),
    z.object({ type: z.enum(['TAKE_OFFER', 'OPEN_AGAIN', 'NEXT_PARCEL']) }),
  ],
  effects: {
    'courier-login': courierLogin,
    'find-parcel': findParcel,
    'reserve-compartment': reserveCompartment,
    'open-door': openDoorEffect,
    'confirm-deposit': confirmDeposit,
  },
});
