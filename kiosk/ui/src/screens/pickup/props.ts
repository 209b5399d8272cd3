import type { Step } from '../../components/Screen.tsx';

/** What documentPickupFlow.props() gives every pickup screen. */
export interface PickupProps {
  entered: number;
  error: string | null;
  lockedUntil: number | null;
  items: { id: string; kind: string }[];
  selected: string[];
  compartment: string | null;
  /** The chosen items in `compartment`. */
  inCompartment: number;
  remainingDoors: number;
  step: Step | null;
}
