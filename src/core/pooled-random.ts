import { randomFillSync } from 'node:crypto';

const poolSize = 4096;
const pool = Buffer.alloc(poolSize);
let offset = poolSize;

/**
 * `crypto.randomBytes(size)`, drawn from a 4 KiB buffer of the same CSPRNG that is refilled when used up.
 * Each randomBytes() call costs a trip to the system's random source (≈8 µs on the benchmark machine,
 * more than hashing the code); Node pools randomUUID() the same way. Every byte is handed out once.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (size > poolSize / 4) return randomFillSync(Buffer.alloc(size));
  if (offset + size > poolSize) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + size));
  // Handed-out bytes do not stay behind in the pool.
  pool.fill(0, offset, offset + size);
  offset += size;
  return bytes;
}
