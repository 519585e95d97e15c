import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { VerifyOutcome } from '../../src/core/otp-outcome.js';
import type { OtpDatabase } from '../../src/store/database.js';
import { codesInOrder, destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn } from '../core/otp-service-harness.js';
import { dialects } from '../support/dialects.js';

const anna = 'anna@example.com';
const code = '918273';
const wrongCode = '555555';

const racerScript = fileURLToPath(new URL('./verify-racer.ts', import.meta.url));

afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

function countBy(outcomes: VerifyOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.ok ? 'ok' : outcome.reason;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function attemptsCounted(db: OtpDatabase, purpose = 'sign-in'): Promise<number> {
  const row = await db
    .selectFrom('otp_challenges')
    .select('attempts')
    .where('address', '=', anna)
    .where('purpose', '=', purpose)
    .executeTakeFirstOrThrow();
  return Number(row.attempts);
}

async function failuresCounted(db: OtpDatabase, mailbox = anna): Promise<number> {
  const row = await db.selectFrom('address_failures').select('failures').where('mailbox', '=', mailbox).executeTakeFirst();
  return Number(row?.failures ?? 0);
}

async function windowCount(db: OtpDatabase, key: string): Promise<number> {
  const row = await db.selectFrom('rate_windows').select('count').where('key', '=', key).executeTakeFirst();
  return Number(row?.count ?? 0);
}

// In one process the racers share one handle: on SQLite one connection, whose transactions queue for it;
// on PostgreSQL a pool of ten connections, so the statements really run side by side on the server.
describe.each(dialects)('concurrency (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);

  /** Anna has received `918273` for sign-in. */
  async function annaHasACode() {
    const harness = await makeService({}, { codeGenerator: codesInOrder(code) });
    await harness.requestAndReceive({ address: anna });
    return harness;
  }

  describe('racing verifies in one process', () => {
    it('lets exactly one of 50 concurrent verifies of the right code succeed', async () => {
      const { service, db } = await annaHasACode();
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => service.verify({ address: anna, code })));
      expect(countBy(outcomes).ok).toBe(1);
      const statuses = await db.selectFrom('otp_codes').select('status').execute();
      expect(statuses).toEqual([{ status: 'used' }]);
    });

    it('counts exactly five of 50 concurrent wrong guesses and then refuses the right code', async () => {
      const { service, db } = await annaHasACode();
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => service.verify({ address: anna, code: wrongCode })));
      expect(countBy(outcomes)).toEqual({ invalid_code: 4, locked: 46 });
      expect(await attemptsCounted(db)).toBe(5);
      expect(await failuresCounted(db)).toBe(5);
      expect(await service.verify({ address: anna, code })).toEqual({ ok: false, reason: 'locked' });
    });

    it('never counts more than ten wrong guesses in a row per mailbox, however they race across purposes', async () => {
      const { service, db, requestAndReceive } = await makeService({ addressFailureLimit: 10 });
      const purposes = ['sign-in', 'verify-email', 'confirm-action'];
      for (const purpose of purposes) await requestAndReceive({ address: anna, purpose });
      const guesses = purposes.flatMap((purpose) =>
        Array.from({ length: 20 }, () => service.verify({ address: anna, code: wrongCode, purpose })),
      );
      const outcomes = await Promise.all(guesses);
      expect(await failuresCounted(db)).toBe(10);
      // At most ten were compared, however they raced; the rest were refused before any comparison.
      expect(outcomes.filter((o) => !o.ok && o.reason === 'invalid_code').length).toBeLessThanOrEqual(10);
      expect(outcomes.filter((o) => !o.ok && o.reason === 'paused').length).toBeGreaterThan(0);
    });
  });

  describe('racing requests in one process', () => {
    it('sends exactly one of 20 concurrent requests for one address; the rest are in cooldown', async () => {
      const { service, db, delivered, deliverOutbox } = await makeService();
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => service.request({ address: anna })));
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      expect(outcomes.filter((outcome) => !outcome.ok && outcome.reason === 'cooldown')).toHaveLength(19);
      expect(await db.selectFrom('otp_codes').select('id').execute()).toHaveLength(1);
      expect(await windowCount(db, `send:${anna}`)).toBe(1);
      await deliverOutbox();
      expect(delivered.emails).toHaveLength(1);
    });
  });

  // Two handles on one SQLite file inside ONE process are not a supported setup: better-sqlite3 waits for a
  // lock synchronously (busy_timeout), which blocks the event loop the other handle needs to commit. A
  // process opens one handle per file (the runtime does); several processes on one file are the real case.
  // Two real processes on one database: each waits for the lock without stopping the other (on PostgreSQL
  // each with a pool of its own, as two app processes would be).
  describe('racing verifies across two processes on one database', () => {
    /** Starts the racers, lets them all fire at once, and gathers every outcome. */
    async function raceInProcesses(location: string, nowMs: number, typed: string): Promise<VerifyOutcome[]> {
      const racers = [0, 1].map(() => {
        const child = spawn(process.execPath, ['--import', 'tsx', racerScript, location, String(nowMs), anna, typed, '25'], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
      });
      for (const racer of racers) expect((await racer.lines.next()).value).toBe('ready');
      for (const racer of racers) racer.child.stdin.write('go\n');
      const results = await Promise.all(
        racers.map(async (racer) => JSON.parse((await racer.lines.next()).value) as VerifyOutcome[]),
      );
      return results.flat();
    }

    it('lets exactly one verify of the right code succeed across two processes', { timeout: 60_000 }, async () => {
      const { location, clock } = await annaHasACode();
      expect(countBy(await raceInProcesses(location, clock.ms, code)).ok).toBe(1);
    });

    it('counts exactly five wrong guesses across two processes', { timeout: 60_000 }, async () => {
      const { service, location, clock, db } = await annaHasACode();
      expect(countBy(await raceInProcesses(location, clock.ms, wrongCode))).toEqual({ invalid_code: 4, locked: 46 });
      expect(await attemptsCounted(db)).toBe(5);
      expect(await service.verify({ address: anna, code })).toEqual({ ok: false, reason: 'locked' });
    });
  });
});
