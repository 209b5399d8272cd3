export * from './devices/index.ts';
export {
  LockBoardSimulator,
  type ReceivedCommand,
  type SimDoor,
  type SimFaults,
  type SimulatorOptions,
  transmissionMs,
} from './lock-board-sim/simulator.ts';
export { openPtyPair, type PtyPair } from './pty/pty-pair.ts';
