import { useEffect, useState } from 'react';
import type { View } from '../contract.ts';
import { followViews } from '../rpc.ts';

/** The latest view of the service; null until one arrives (and after the stream dropped). */
export function useView(): View | null {
  const [view, setView] = useState<View | null>(null);
  useEffect(() => {
    const stream = followViews(setView, () => setView(null));
    return () => stream.close();
  }, []);
  return view;
}
