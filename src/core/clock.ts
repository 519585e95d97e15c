/** Port: where the current time comes from. Tests inject a fake clock instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
