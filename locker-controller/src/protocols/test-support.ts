import type {
  BoardAnswer,
  HostCommand,
  HostCommandKind,
  LockProtocol,
  ProtocolId,
  Reply,
} from './types.ts';

/**
 * Shared helpers for the protocol tests (codecs.test.ts, parser-fuzz.test.ts): a seeded PRNG,
 * random valid commands and replies for any protocol, and a hex dump for messages.
 */

// --- seeded randomness --------------------------------------------------------------------

/** mulberry32: a tiny seeded PRNG, so every run tests the same cases. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;

/** A random integer in `min..max`, both inclusive. */
export const int = (rng: Rng, min: number, max: number) =>
  min + Math.floor(rng() * (max - min + 1));
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, 0, items.length - 1)]!;
export const randomBits = (rng: Rng, count: number) =>
  Array.from({ length: count }, () => rng() < 0.5);

/** Bytes as space-separated lowercase hex, for assertion messages. */
export function show(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
}

// --- protocol facts -----------------------------------------------------------------------

/** Index of the checksum byte in a frame of this protocol. */
export function checksumIndex(id: ProtocolId, frame: Buffer): number {
  if (id === 'kerong-cu12') return 7;
  if (id === 'kerong-cu16' && frame[0] === 0xf5) return 5;
  return frame.length - 1;
}

// --- random valid values ------------------------------------------------------------------

export const ALL_KINDS: readonly HostCommandKind[] = [
  'status',
  'status-all',
  'unlock',
  'unlock-all',
  'query-pulse',
  'set-pulse',
  'delayed-unlock',
  'set-baud',
  'firmware-version',
  'query-lock',
];

/**
 * A random command of `kind` for protocol `p`, or of a random kind `p` supports when `kind` is
 * omitted (that kind is drawn first, before the command's fields). A given `kind` need not be
 * supported: the command is still well-formed, for tests that expect encoding to refuse it.
 */
export function randomCommand(rng: Rng, p: LockProtocol, kind?: HostCommandKind): HostCommand {
  const k =
    kind ??
    pick(
      rng,
      ALL_KINDS.filter((each) => p.supports(each)),
    );
  const board = int(rng, p.minBoard, p.maxBoard);
  const lock = int(rng, 1, p.locksPerBoard);
  switch (k) {
    case 'status-all':
      return { kind: k };
    case 'status':
    case 'unlock-all':
    case 'query-pulse':
    case 'firmware-version':
      return { kind: k, board };
    case 'unlock':
    case 'query-lock':
      return { kind: k, board, lock };
    case 'set-pulse':
      return { kind: k, board, pulseMs: int(rng, 1, 0xffff) * 10 };
    case 'delayed-unlock':
      return { kind: k, board, lock, delaySeconds: int(rng, 0, 250) };
    case 'set-baud':
      return { kind: k, board, baud: pick(rng, p.bauds) };
  }
}

export const NAK_ANSWERS: readonly BoardAnswer[] = [
  'failed',
  'timeout',
  'unknown-command',
  'checksum-error',
];

/** A random reply that protocol `p` sends. */
export function randomReply(rng: Rng, p: LockProtocol): Reply {
  const board = int(rng, p.minBoard, p.maxBoard);
  const lock = int(rng, 1, p.locksPerBoard);
  const hooks = randomBits(rng, p.locksPerBoard);
  switch (p.id) {
    case 'kerong-cu16': {
      const status: Reply = {
        kind: 'status',
        status: { board, hooks, items: randomBits(rng, p.locksPerBoard) },
      };
      return pick<() => Reply>(rng, [
        () => status,
        () => ({ ...status, broadcast: true }),
        () => ({ kind: 'pulse', board, pulseMs: int(rng, 0, 0xffff) * 10 }),
        () => ({ kind: 'delayed-unlock-ack', board, lock, delaySeconds: int(rng, 0, 250) }),
        () => ({ kind: 'baud-ack', board, baud: pick(rng, p.bauds) }),
        () => ({
          kind: 'firmware-version',
          board,
          version: Array.from({ length: int(rng, 1, 8) }, () => int(rng, 0, 255)).join('.'),
        }),
      ])();
    }
    case 'kerong-cu12':
      return pick<() => Reply>(rng, [
        () => ({ kind: 'status', status: { board, hooks } }),
        () => ({ kind: 'unlock-ack', board, lock, answer: pick(rng, [...NAK_ANSWERS, 'ok']) }),
        () => ({ kind: 'nak', board, answer: pick(rng, NAK_ANSWERS) }),
      ])();
    case 'kerong-cu48':
    case 'generic-8a':
      return { kind: 'status', status: { board, hooks } };
  }
}
