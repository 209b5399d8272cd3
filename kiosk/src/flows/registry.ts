import { documentPickupFlow } from './document-pickup.flow.ts';
import type { FlowDefinition } from './flow.ts';

/** Every service flow of the terminal. A new flow is added here and nowhere else. */
export const FLOWS: readonly FlowDefinition[] = [documentPickupFlow];

export const flowByService = (service: string) => FLOWS.find((flow) => flow.service === service);
