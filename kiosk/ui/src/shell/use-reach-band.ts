import { useEffect } from 'react';
import type { View } from '../contract.ts';

type ReachBand = View['session']['layout']['reach'];

/**
 * The reach band (fractions of the screen's height, from the site file) as pixels of this
 * window: `--reach-top` and `--reach-bottom` on <html>, which the screen layout reads.
 */
export function useReachBand(reach: ReachBand | undefined): void {
  const top = reach?.top;
  const bottom = reach?.bottom;
  useEffect(() => {
    if (top === undefined || bottom === undefined) return;
    const apply = () => {
      const height = window.innerHeight;
      const style = document.documentElement.style;
      style.setProperty('--reach-top', `${Math.round(top * height)}px`);
      style.setProperty('--reach-bottom', `${Math.round(bottom * height)}px`);
    };
    apply();
    window.addEventListener('resize', apply);
    return () => window.removeEventListener('resize', apply);
  }, [top, bottom]);
}
