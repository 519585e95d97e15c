import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from '../../src/core/pooled-random.js';

describe('pooledRandomBytes', () => {
  it('hands out each byte once: 40,000 draws across many refills never repeat a 16-byte value', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40_000; i++) seen.add(pooledRandomBytes(16).toString('hex'));
    expect(seen.size).toBe(40_000);
  });

  it('returns copies of the requested size, unaffected by later draws', () => {
    const first = pooledRandomBytes(32);
    const kept = Buffer.from(first);
    for (let i = 0; i < 1000; i++) pooledRandomBytes(12);
    expect(first).toHaveLength(32);
    expect(first.equals(kept)).toBe(true);
    expect(pooledRandomBytes(5000)).toHaveLength(5000);
  });

  it('looks uniform: every byte value turns up about equally often', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 2000; i++) for (const byte of pooledRandomBytes(32)) counts[byte]!++;
    // 64,000 bytes: 250 per value expected; a broken pool (zeros, repeats) lands far outside.
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(350);
  });
});
