import type { Step } from '../../components/Screen.tsx';

/** What courierDepositFlow.props() gives (fields vary by screen). */
export interface CourierProps {
  error: string | null;
  deposited: number;
  step: Step | null;
  entered: number;
  lockedUntil: number | null;
  typed: string;
  last: 'deposited' | 'cancelled' | 'door-failed' | null;
  sizes: { size: string; free: number; available: boolean }[];
  announcedSize: string | null;
  requested: string | null;
  offer: string | null;
  nearest: string | null;
  compartment: string | null;
  size: string | null;
  doorOpenedAt: number | null;
  reason: string | null;
}
