/**
 * Where things are in the physical world: the terminal's screen (how high it hangs, so the
 * page can put every control within a wheelchair user's reach) and the locker wall (so a
 * door-open screen can draw it and say where the open compartment is). Shared by the core
 * (it puts the layout on every view), the page (it draws from it) and the speech output (it
 * says the same words). No imports: the page bundles this file as it is.
 */

/** Operating elements about 85–105 cm above the floor (DIN 18040-1), in cm. */
export const REACH_CM = { low: 85, high: 105 } as const;

/** The screen as the site file states it. */
export interface ScreenGeometry {
  orientation: 'portrait' | 'landscape';
  /** Physical height of the visible picture, in cm (from the diagonal if not given). */
  heightCm: number;
  /** Height of the picture's lower edge above the floor, in cm. */
  lowerEdgeCm: number;
}

/**
 * The reach band as fractions of the screen's height, measured from its top edge (0 = top,
 * 1 = bottom), clipped to the screen. Fractions, not pixels: the page knows its pixels.
 */
export interface ReachBand {
  top: number;
  bottom: number;
}

/** One compartment on the wall: column 1 is the leftmost as one faces the wall. */
export interface WallCompartment {
  label: string;
  column: number;
  /** Row 1 is the top row of its column. */
  row: number;
  /** Height of its floor above the ground, in cm. */
  bottomCm: number;
  /** Height of its top edge above the ground, in cm. */
  topCm: number;
}

/** The locker wall; null where the site file gives no columns and rows. */
export interface Wall {
  columns: number;
  compartments: WallCompartment[];
}

export interface TerminalLayout {
  reach: ReachBand;
  orientation: ScreenGeometry['orientation'];
  wall: Wall | null;
}

/** The visible height of a 16:9 screen of this diagonal (inches), in cm. */
export function screenHeightCm(diagonalInch: number, orientation: ScreenGeometry['orientation']) {
  const long = 16 / Math.hypot(16, 9);
  const short = 9 / Math.hypot(16, 9);
  return diagonalInch * 2.54 * (orientation === 'portrait' ? long : short);
}

function clamp(value: number, low: number, high: number) {
  return Math.min(high, Math.max(low, value));
}

export function reachBand(screen: ScreenGeometry): ReachBand {
  const topCm = screen.lowerEdgeCm + screen.heightCm;
  const fromTop = (cm: number) => clamp((topCm - cm) / screen.heightCm, 0, 1);
  return { top: fromTop(REACH_CM.high), bottom: fromTop(REACH_CM.low) };
}

/** The part of the reach band the screen covers, in cm (0: none). */
export function reachOverlapCm(screen: ScreenGeometry): number {
  const low = Math.max(screen.lowerEdgeCm, REACH_CM.low);
  const high = Math.min(screen.lowerEdgeCm + screen.heightCm, REACH_CM.high);
  return Math.max(0, high - low);
}

/** A 21.5-inch portrait screen with its lower edge at 80 cm: the usual Amt-O-Mat. */
export const DEFAULT_SCREEN: ScreenGeometry = {
  orientation: 'portrait',
  heightCm: screenHeightCm(21.5, 'portrait'),
  lowerEdgeCm: 80,
};

export const DEFAULT_LAYOUT: TerminalLayout = {
  reach: reachBand(DEFAULT_SCREEN),
  orientation: DEFAULT_SCREEN.orientation,
  wall: null,
};

// ── where a compartment is, in words ───────────────────────────────────────────────────

/** Body heights a person can picture, by the height of the compartment's middle (cm). */
const HEIGHTS = [
  { below: 35, key: 'floor' },
  { below: 65, key: 'knee' },
  { below: 100, key: 'hip' },
  { below: 135, key: 'chest' },
  { below: 165, key: 'eye' },
  { below: Number.POSITIVE_INFINITY, key: 'overhead' },
] as const;

export type HeightBand = (typeof HEIGHTS)[number]['key'];

export function heightBand(compartment: Pick<WallCompartment, 'bottomCm' | 'topCm'>): HeightBand {
  const middle = (compartment.bottomCm + compartment.topCm) / 2;
  return HEIGHTS.find((band) => middle < band.below)!.key;
}

/** Looks a key up in the current language: the page's i18next `t`, the speech's alike. */
export type Translate = (key: string, values?: Record<string, string | number>) => string;

/**
 * "Second column from the left, at knee height": the column counted from the nearer side
 * (the middle one of an odd number is "the middle column", of two "the left column"; a
 * one-column wall has no column phrase), then the height. Translation keys under `where.` in every language; null for a
 * compartment not on the wall.
 */
export function whereText(t: Translate, wall: Wall, label: string): string | null {
  const compartment = wall.compartments.find((candidate) => candidate.label === label);
  if (!compartment) return null;
  const height = t(`where.height.${heightBand(compartment)}`);
  if (wall.columns <= 1) return t('where.only-height', { height });
  const fromRight = wall.columns + 1 - compartment.column;
  const n = Math.min(compartment.column, fromRight);
  const side = compartment.column < fromRight ? 'left' : 'right';
  const column =
    compartment.column === fromRight
      ? t('where.column.middle')
      : wall.columns === 2
        ? t(`where.column.${side}`)
        : t(columnKey(side, n), { n });
  return t('where.sentence', { column, height });
}

/** Ordinal words for the first three columns from a side, a number beyond. */
const columnKey = (side: 'left' | 'right', n: number) =>
  n <= 3 ? `where.column.${side}-${n}` : `where.column.${side}-n`;
