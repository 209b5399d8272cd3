/** Low byte of the sum of the bytes. */
export function sum8(bytes: Iterable<number>): number {
  let sum = 0;
  for (const byte of bytes) sum += byte;
  return sum & 0xff;
}

/** XOR of the bytes. */
export function xor8(bytes: Iterable<number>): number {
  let x = 0;
  for (const byte of bytes) x ^= byte;
  return x & 0xff;
}

/** Bits of `bytes` as booleans, least significant bit of the first byte first. */
export function bitsOf(bytes: ArrayLike<number>, count: number): boolean[] {
  const bits: boolean[] = [];
  for (let i = 0; i < count; i++) bits.push((((bytes[i >> 3] ?? 0) >> (i & 7)) & 1) === 1);
  return bits;
}

/** Inverse of `bitsOf`: `byteCount` bytes, lock 1 in bit 0 of the first byte. */
export function bytesOf(bits: readonly boolean[], byteCount: number): number[] {
  const bytes = new Array<number>(byteCount).fill(0);
  bits.forEach((bit, i) => {
    if (bit && i >> 3 < byteCount) bytes[i >> 3]! |= 1 << (i & 7);
  });
  return bytes;
}

/** `value` if it is a whole number in min..max; a RangeError (a caller's bug) otherwise. */
export function inRange(what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} ${value} out of range ${min}..${max}`);
  }
  return value;
}
