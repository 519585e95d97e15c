/**
 * Port: counters that only decide whether to ask for a proof of work (never whether to refuse), shared
 * by every process: requests per client network and per recipient domain in a short fixed window.
 */
export interface SoftCounters {
  /** Counts one event under `key`; returns the count of the current window, this event included. */
  hit(key: string, windowMs: number, nowMs: number): Promise<number>;
  /** The count of the current window, without counting. */
  peek(key: string, windowMs: number, nowMs: number): Promise<number>;
}
