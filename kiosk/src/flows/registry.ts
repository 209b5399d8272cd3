import { applicationFlow } from './application.flow.ts';
import { courierDepositFlow } from './courier-deposit.flow.ts';
import { documentPickupFlow } from './document-pickup.flow.ts';
import { dropOffFlow } from './drop-off.flow.ts';
import type { AnyFlow } from './flow.ts';
import { parcelPickupFlow } from './parcel-pickup.flow.ts';
import { staffFlow } from './staff.flow.ts';

/**
 * Every service flow of the terminal. A new flow is added here and nowhere else. The tuple
 * keeps each flow's own types for the contract (`kiosk/src/contract`); `satisfies` checks
 * that the session and the core can handle every one alike.
 */
export const FLOW_DEFINITIONS = [
  documentPickupFlow,
  courierDepositFlow,
  parcelPickupFlow,
  dropOffFlow,
  applicationFlow,
  staffFlow,
] as const satisfies readonly AnyFlow[];

/** The flows as the session, the views and the core handle them: all alike. */
export const FLOWS: readonly AnyFlow[] = FLOW_DEFINITIONS;

export const flowByService = (service: string) => FLOWS.find((flow) => flow.service === service);
