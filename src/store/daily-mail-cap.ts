import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { bumpDailySends, type DailySendSlot, dailySendsByHour, hourMs } from './daily-sends.repository.js';
import type { Database } from './schema.js';

export type DailyMailCapTake = { ok: true; release(): Promise<void> } | { ok: false; retryAfterMs: number };

/** Rows per hour: requests spread their counts over them (see daily-sends.repository.ts). */
const shards = 8;
/**
 * A send counts for 24 to 25 hours (its whole hour, then a day): never less than the provider's rolling
 * day, so the cap never lets through what the provider would still count.
 */
const countedForHours = 25;
/**
 * Once refused, this process refuses without asking the database for this long: a flood of requests at
 * the cap costs three statements per process every two seconds, not three per request.
 */
const refusalMemoryMs = 2000;
/** Tries of a request that found the day over the limit only through requests racing it. */
const maxRacingAttempts = 3;

/**
 * MAIL_DAILY_LIMIT for the whole deployment, counted in the database. A request first counts its send,
 * then reads the day's total (its own count included) and keeps the send only if the total is within
 * the limit; otherwise it gives the count back. Count-then-check never lets more than `limit` through,
 * however many processes race: the last accepted request's read saw every accepted count before it.
 * The price is the other way: requests racing at the very edge may be refused while one more would still
 * have fit (each tries again a few times, then is told to retry in a second). Two statements per
 * accepted request, only when a cap is configured; none in the code's transaction.
 */
export class DailyMailCap {
  #refusedUntilMs = Number.NEGATIVE_INFINITY;
  #retryAtMs = 0;

  constructor(
    private readonly db: Kysely<Database>,
    readonly limit: number,
  ) {}

  /** Takes one send from the day's allowance; `release` gives it back (the request was refused after all). */
  async take(nowMs: number): Promise<DailyMailCapTake> {
    if (nowMs < this.#refusedUntilMs) return { ok: false, retryAfterMs: Math.max(1000, this.#retryAtMs - nowMs) };
    const hourStartMs = Math.floor(nowMs / hourMs) * hourMs;
    const sinceMs = hourStartMs - (countedForHours - 1) * hourMs;
    for (let attempt = 1; ; attempt++) {
      const slot: DailySendSlot = { hourStartMs, shard: randomInt(shards) };
      await bumpDailySends(this.db, slot, 1);
      const counted = sumOf(await dailySendsByHour(this.db, sinceMs));
      if (counted <= this.limit) return { ok: true, release: this.#releaser(slot) };
      await bumpDailySends(this.db, slot, -1);
      // Over the limit only because of requests racing this one (their counts may yet be given back)?
      // Then try again, a few times; a real cap is refused at once.
      const hours = await dailySendsByHour(this.db, sinceMs);
      const total = sumOf(hours);
      if (total >= this.limit) {
        this.#retryAtMs = retryAtMs(hours, total, this.limit);
        this.#refusedUntilMs = Math.min(nowMs + refusalMemoryMs, this.#retryAtMs);
        return { ok: false, retryAfterMs: Math.max(1000, this.#retryAtMs - nowMs) };
      }
      if (attempt === maxRacingAttempts) return { ok: false, retryAfterMs: 1000 };
    }
  }

  #releaser(slot: DailySendSlot): () => Promise<void> {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await bumpDailySends(this.db, slot, -1);
    };
  }
}

const sumOf = (hours: readonly { count: number }[]) => hours.reduce((sum, hour) => sum + hour.count, 0);

/** When enough of the oldest hours have aged out that one more send fits. */
function retryAtMs(hours: readonly { hourStartMs: number; count: number }[], total: number, limit: number): number {
  let remaining = total;
  for (const hour of hours) {
    remaining -= hour.count;
    if (remaining < limit) return hour.hourStartMs + countedForHours * hourMs;
  }
  return (hours.at(-1)?.hourStartMs ?? 0) + countedForHours * hourMs;
}
