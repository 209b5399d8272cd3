import type { FrameParser, ParseEvent } from './types.ts';

/** What a protocol says about the bytes starting at `start`. */
export type FrameProbe<T> =
  | { kind: 'need-more' }
  | { kind: 'invalid' }
  | { kind: 'bad-checksum'; length: number }
  | { kind: 'frame'; length: number; value: T };

export interface FrameSpec<T> {
  startBytes: readonly number[];
  /** Longest frame: a candidate can never need more than this. */
  maxLength: number;
  probe(buffer: Buffer, start: number): FrameProbe<T>;
}

/**
 * A resynchronising streaming parser. It looks for a start byte, asks the protocol's probe
 * whether a frame starts there, and on anything but a valid frame drops one byte and looks
 * again, so a real frame hidden behind garbage, a stray start byte or a corrupted frame is
 * still found. A candidate still waiting for bytes is abandoned as soon as a complete valid
 * frame is seen after it. It never emits a frame whose checksum it has not verified.
 */
export function createStreamParser<T>(spec: FrameSpec<T>): FrameParser<T> {
  let buffer = Buffer.alloc(0);
  let discarded = 0;
  const isStart = new Set(spec.startBytes);

  function nextStart(from: number): number {
    for (let i = from; i < buffer.length; i++) if (isStart.has(buffer[i]!)) return i;
    return buffer.length;
  }

  /** A complete valid frame after `start`, if one is already in the buffer. */
  function laterFrame(start: number): number | undefined {
    for (let i = nextStart(start + 1); i < buffer.length; i = nextStart(i + 1)) {
      if (spec.probe(buffer, i).kind === 'frame') return i;
    }
    return undefined;
  }

  function push(chunk: Uint8Array): ParseEvent<T>[] {
    buffer = Buffer.concat([buffer, chunk]);
    const events: ParseEvent<T>[] = [];
    let pos = 0;
    while (pos < buffer.length) {
      const start = nextStart(pos);
      discarded += start - pos;
      pos = start;
      if (pos >= buffer.length) break;
      const probe = spec.probe(buffer, pos);
      if (probe.kind === 'frame') {
        events.push({ kind: 'frame', value: probe.value, raw: copy(pos, probe.length) });
        pos += probe.length;
      } else if (probe.kind === 'need-more') {
        if (laterFrame(pos) === undefined) break;
        // Abandon this candidate only: a corrupted frame before the later one is still reported.
        discarded += 1;
        pos += 1;
      } else {
        if (probe.kind === 'bad-checksum') {
          events.push({ kind: 'bad-checksum', raw: copy(pos, probe.length) });
        }
        discarded += 1;
        pos += 1;
      }
    }
    buffer = buffer.subarray(pos);
    // A candidate can never be longer than maxLength: anything older is garbage.
    if (buffer.length > spec.maxLength * 4) {
      discarded += buffer.length - spec.maxLength;
      buffer = buffer.subarray(buffer.length - spec.maxLength);
    }
    return events;
  }

  function copy(start: number, length: number): Buffer {
    return Buffer.from(buffer.subarray(start, start + length));
  }

  return {
    push,
    reset() {
      discarded += buffer.length;
      buffer = Buffer.alloc(0);
    },
    get discardedBytes() {
      return discarded;
    },
  };
}
