export { type Bus, type BusError, type BusState, createBus, describeBusError } from './bus/bus.ts';
export { serialTransport } from './bus/serial-transport.ts';
export { tcpTransport } from './bus/tcp-transport.ts';
export { describeTransportError, type Transport, type TransportError } from './bus/transport.ts';
export * from './locker/config.ts';
export * from './locker/events.ts';
export { createLocker, type Locker, type LockerDeps } from './locker/locker.ts';
