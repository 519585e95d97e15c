import { describe, expect, it } from 'vitest';
import { isPermanentFailure, retryDelayMs } from '../../src/mail/retry-backoff.js';

const policy = { baseDelayMs: 1000, maxDelayMs: 300_000, giveUpAfterMs: 1_800_000 };

describe('retry backoff', () => {
  it('doubles the delay after each failure, drawn from the upper half of its ceiling', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(2, policy, () => 1)).toBe(2000);
    expect(retryDelayMs(5, policy, () => 0.5)).toBe(12_000);
  });

  it('stops growing at the cap, however many failures', () => {
    expect(retryDelayMs(9, policy, () => 1)).toBe(256_000);
    expect(retryDelayMs(10, policy, () => 1)).toBe(300_000);
    expect(retryDelayMs(500, policy, () => 1)).toBe(300_000);
  });

  it('spreads messages that failed together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => retryDelayMs(4, policy)));
    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(4000);
      expect(delay).toBeLessThanOrEqual(8000);
    }
  });
});

describe('which failures are permanent', () => {
  it.each([
    [550, 'EENVELOPE', true],
    [552, 'EMESSAGE', true],
    [421, 'EENVELOPE', false],
    [451, 'EMESSAGE', false],
    [535, 'EAUTH', false],
    [554, 'EPROTOCOL', false],
    [undefined, 'ECONNECTION', false],
  ] as const)('%s %s → permanent %s', (responseCode, errorCode, permanent) => {
    expect(isPermanentFailure(responseCode, errorCode)).toBe(permanent);
  });
});
