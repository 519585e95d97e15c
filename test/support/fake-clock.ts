import type { Clock } from '../../src/core/clock.js';

/** A clock that moves only when told: tests of lifetimes and windows never sleep. */
export class FakeClock implements Clock {
  constructor(public ms = Date.UTC(2026, 0, 1)) {}

  nowMs(): number {
    return this.ms;
  }

  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
