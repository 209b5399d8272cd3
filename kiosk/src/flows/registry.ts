import { courierDepositFlow } from './courier-deposit.flow.ts';
import { documentPickupFlow } from './document-pickup.flow.ts';
import { dropOffFlow } from './drop-off.flow.ts';
import type { FlowDefinition } from './flow.ts';
import { parcelPickupFlow } from './parcel-pickup.flow.ts';
import { staffFlow } from './staff.flow.ts';

/** Every service flow of the terminal. A new flow is added here and nowhere else. */
export const FLOWS: readonly FlowDefinition[] = [
  documentPickupFlow,
  courierDepositFlow,
  parcelPickupFlow,
  dropOffFlow,
  staffFlow,
];

export const flowByService = (service: string) => FLOWS.find((flow) => flow.service === service);
