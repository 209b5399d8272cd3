export { assertNever, InvariantError, invariant } from './assert.ts';
export { type Clock, systemClock } from './clock.ts';
export {
  jsonLogger,
  type LogEntry,
  type LogFields,
  type Logger,
  type LogLevel,
  memoryLogger,
  silentLogger,
} from './log.ts';
export { seededRandom } from './random.ts';
export { err, ok, type Result } from './result.ts';
