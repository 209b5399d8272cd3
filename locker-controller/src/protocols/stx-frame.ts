import { sum8 } from './checksum.ts';
import type { FrameProbe } from './stream-parser.ts';

/** Kerong CU16/CU48 framing: STX, header bytes, data, ETX, sum of all preceding bytes. */
export const STX = 0x02;
export const ETX = 0x03;

export function encodeStxFrame(header: readonly number[], data: readonly number[] = []): Buffer {
  const body = [STX, ...header, ...data, ETX];
  return Buffer.from([...body, sum8(body)]);
}

/**
 * Probes an STX frame whose header is `headerLength` bytes after STX (the last one is the
 * command byte). `dataLengths` lists the data lengths the command may carry (none:
 * unknown command); `decode` turns a checked frame into a value or rejects it.
 */
export function probeStxFrame<T>(
  buffer: Buffer,
  start: number,
  headerLength: number,
  dataLengths: (command: number) => readonly number[] | undefined,
  decode: (header: Buffer, data: Buffer) => T | undefined,
): FrameProbe<T> {
  const dataStart = start + 1 + headerLength;
  if (buffer.length < dataStart) return { kind: 'need-more' };
  const lengths = dataLengths(buffer[dataStart - 1]!);
  if (!lengths) return { kind: 'invalid' };
  let badChecksumLength: number | undefined;
  for (const dataLength of lengths) {
    const etxAt = dataStart + dataLength;
    if (buffer.length < etxAt + 2) return { kind: 'need-more' };
    if (buffer[etxAt] !== ETX) continue;
    const length = etxAt + 2 - start;
    if (sum8(buffer.subarray(start, etxAt + 1)) !== buffer[etxAt + 1]) {
      badChecksumLength ??= length;
      continue;
    }
    const value = decode(buffer.subarray(start + 1, dataStart), buffer.subarray(dataStart, etxAt));
    return value === undefined ? { kind: 'invalid' } : { kind: 'frame', length, value };
  }
  return badChecksumLength === undefined
    ? { kind: 'invalid' }
    : { kind: 'bad-checksum', length: badChecksumLength };
}
