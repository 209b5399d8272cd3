/**
 * The headphone socket's jack-detect input, as a device port: the composition root gives
 * the real input where the terminal has one, the demo and the tests a simulated one.
 */
export interface HeadphoneJack {
  plugged(): boolean;
  /** Called on every change; returns the unsubscribe. */
  onChange(listener: (plugged: boolean) => void): () => void;
}

/** A jack that a test or the demo control plugs and unplugs. */
export function simulatedHeadphoneJack(
  initially = false,
): HeadphoneJack & { set(plugged: boolean): void } {
  let plugged = initially;
  const listeners = new Set<(plugged: boolean) => void>();
  return {
    plugged: () => plugged,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(value) {
      if (value === plugged) return;
      plugged = value;
      for (const listener of listeners) listener(value);
    },
  };
}
