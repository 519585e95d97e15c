import type { Clock } from '../../src/core/clock.js';

/** A clock that only moves when a test says so: no sleeping, no flaky timing. */
export class FakeClock implements Clock {
  constructor(public ms = Date.UTC(2026, 0, 1)) {}

  nowMs(): number {
    return this.ms;
  }

  advanceSeconds(s: number): void {
    this.ms += s * 1000;
  }
}
