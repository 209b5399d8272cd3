import { generic8a } from './generic-8a.ts';
import { kerongCu12 } from './kerong-cu12.ts';
import { kerongCu16 } from './kerong-cu16.ts';
import { kerongCu48 } from './kerong-cu48.ts';
import type { LockProtocol, ProtocolId } from './types.ts';

export type * from './types.ts';
export { generic8a, kerongCu12, kerongCu16, kerongCu48 };

export const PROTOCOLS: Readonly<Record<ProtocolId, LockProtocol>> = {
  'kerong-cu16': kerongCu16,
  'kerong-cu48': kerongCu48,
  'kerong-cu12': kerongCu12,
  'generic-8a': generic8a,
};

export const PROTOCOL_IDS = Object.keys(PROTOCOLS) as ProtocolId[];
