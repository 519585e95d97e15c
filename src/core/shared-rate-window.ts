/**
 * Port: a fixed-window counter shared by every process of the deployment (the store implements it on
 * rate_windows). For limits that must hold deployment-wide outside any transaction of the store's own.
 */
export interface SharedRateWindow {
  /** Counts one event only if the window has room: one atomic statement, never read-then-write. */
  consume(input: {
    key: string;
    limit: number;
    windowMs: number;
    nowMs: number;
  }): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
  /** Gives one event of the current window back. */
  refund(input: { key: string; windowMs: number; nowMs: number }): Promise<void>;
}
