import type { Kysely } from 'kysely';
import type { SharedRateWindow } from '../core/shared-rate-window.js';
import { consumeRateWindow, refundRateWindow } from './rate-window.repository.js';
import type { Database } from './schema.js';

/**
 * rate_windows as a deployment-wide counter: each call is one autocommit statement, so a busy key
 * (gmail.com's requests) holds its row lock for one statement only, never for a whole transaction.
 */
export class KyselySharedRateWindow implements SharedRateWindow {
  constructor(private readonly db: Kysely<Database>) {}

  async consume(input: { key: string; limit: number; windowMs: number; nowMs: number }) {
    const counted = await consumeRateWindow(this.db, input);
    return counted.ok ? { ok: true as const } : counted;
  }

  refund(input: { key: string; windowMs: number; nowMs: number }): Promise<void> {
    return refundRateWindow(this.db, input);
  }
}
