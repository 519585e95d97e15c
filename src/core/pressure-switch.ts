/**
 * One pressure signal's on/off state with hysteresis, so that it does not flap: it switches on when
 * its reading crosses the on-line, and off only when the reading is back past a separate, easier
 * off-line AND it has been on for at least `minOnMs`. Pure: the caller brings the readings and the time.
 */
export interface PressureSwitchSettings {
  /** The reading is pressure (e.g. "conversion below 20 % with volume above the floor"). */
  isPressure: (reading: PressureReading) => boolean;
  /** The reading is calm enough to switch off (e.g. "conversion at 35 % or more, or volume gone"). */
  isCalm: (reading: PressureReading) => boolean;
  minOnMs: number;
}

export interface PressureReading {
  /** Requests counted (soft counters), or codes issued in the window (pumping). */
  volume: number;
  /** Share of codes verified (pumping only). */
  conversion?: number;
}

export type PressureTransition =
  | { type: 'on'; reading: PressureReading }
  | { type: 'off'; reading: PressureReading; lastedMs: number }
  | null;

export class PressureSwitch {
  #onSinceMs: number | null = null;

  constructor(private readonly settings: PressureSwitchSettings) {}

  get active(): boolean {
    return this.#onSinceMs !== null;
  }

  get onSinceMs(): number | null {
    return this.#onSinceMs;
  }

  /** The earliest the signal can switch off, given no fresh pressure (for "try again in …"). */
  earliestOffMs(): number | null {
    return this.#onSinceMs === null ? null : this.#onSinceMs + this.settings.minOnMs;
  }

  /** Feeds one reading; returns the switch it caused, if any. */
  observe(reading: PressureReading, nowMs: number): PressureTransition {
    if (this.#onSinceMs === null) {
      if (!this.settings.isPressure(reading)) return null;
      this.#onSinceMs = nowMs;
      return { type: 'on', reading };
    }
    const lastedMs = nowMs - this.#onSinceMs;
    if (lastedMs < this.settings.minOnMs || !this.settings.isCalm(reading)) return null;
    this.#onSinceMs = null;
    return { type: 'off', reading, lastedMs };
  }
}
