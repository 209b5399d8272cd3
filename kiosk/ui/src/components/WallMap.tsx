import { useTranslation } from 'react-i18next';
import { type Translate, whereText } from '../../../src/contract/layout.ts';
import { useScreen } from '../shell/screen-context.ts';
import { formatList } from './date-time.ts';

/** Drawing units per column; heights are drawn in cm. */
const COLUMN_WIDTH = 60;

/**
 * The way to an open door: the locker wall as one faces it (never mirrored: left is the
 * wall's left in every language), the open compartment highlighted, its label, and where it
 * is in words ("second column from the left, at knee height"). Nothing where the site file
 * gives no wall.
 */
export function DoorWay({ compartments }: { compartments: (string | null | undefined)[] }) {
  const { t, i18n } = useTranslation();
  const open = compartments.filter((label): label is string => Boolean(label));
  const where = useWhere(open);
  if (open.length === 0) return null;
  const labels = formatList(open, i18n.language);
  return (
    <div className="door-way">
      <WallMap open={open} />
      <div className="door-way-text">
        <p className="compartment" aria-hidden="true">
          {labels}
        </p>
        {where.map((line) => (
          <p className="where" data-testid="where" key={line}>
            {line}
          </p>
        ))}
        <span className="visually-hidden">{t('where.map', { compartment: labels })}</span>
      </div>
    </div>
  );
}

/**
 * "Your compartment: second column from the left, at knee height", one per compartment (the
 * screens speak it too); none where the site file gives no wall.
 */
export function useWhere(compartments: (string | null | undefined)[]): string[] {
  const { t } = useTranslation();
  const { view } = useScreen();
  const wall = view.session.layout.wall;
  if (!wall) return [];
  const translate: Translate = (key, values) => t(key, values ?? {});
  return compartments.flatMap((label) => (label ? (whereText(translate, wall, label) ?? []) : []));
}

function WallMap({ open }: { open: string[] }) {
  const { view } = useScreen();
  const wall = view.session.layout.wall;
  if (!wall) return null;
  const top = Math.max(...wall.compartments.map((c) => c.topCm));
  const width = wall.columns * COLUMN_WIDTH;
  return (
    <svg
      className="wall-map"
      data-testid="wall-map"
      viewBox={`-4 -4 ${width + 8} ${top + 8}`}
      aria-hidden="true"
    >
      <line className="floor" x1={-4} x2={width + 4} y1={top} y2={top} />
      {wall.compartments.map((c) => {
        const isOpen = open.includes(c.label);
        const x = (c.column - 1) * COLUMN_WIDTH;
        const y = top - c.topCm;
        const height = c.topCm - c.bottomCm;
        return (
          <g key={c.label} className={isOpen ? 'box open' : 'box'} data-open={isOpen || undefined}>
            <rect x={x + 1} y={y + 1} width={COLUMN_WIDTH - 2} height={height - 2} rx={2} />
            <text x={x + COLUMN_WIDTH / 2} y={y + height / 2} dominantBaseline="central">
              {c.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
