import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { OtpPolicy } from '../../src/core/otp-policy.js';
import { destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn } from '../core/otp-service-harness.js';
import { dialects } from '../support/dialects.js';

// Issue 12: the new counters (a mailbox's wrong attempts in a row, its sends across aliases and flows)
// hold when two processes race on one database.
const racerScript = fileURLToPath(new URL('./limit-racer.ts', import.meta.url));
const anna = 'anna.owner@gmail.com';
const wrongCode = '555555';

afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

type Call = { request: Record<string, unknown> } | { verify: Record<string, unknown> };

/** Two processes, each making its calls all at once when told to go; every outcome, as { ok, reason }. */
async function raceInTwoProcesses(location: string, nowMs: number, policy: Partial<OtpPolicy>, calls: Call[][]) {
  const racers = calls.map((own) => {
    const args = ['--import', 'tsx', racerScript, location, String(nowMs), JSON.stringify(policy), JSON.stringify(own)];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
  });
  for (const racer of racers) expect((await racer.lines.next()).value).toBe('ready');
  for (const racer of racers) racer.child.stdin.write('go\n');
  const results = await Promise.all(racers.map(async (racer) => JSON.parse((await racer.lines.next()).value)));
  return results.flat() as { ok: boolean; reason?: string }[];
}

describe.each(dialects)('counters across two processes (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);

  it('counts exactly the limit of wrong guesses in a row against a mailbox, across flows and processes', {
    timeout: 60_000,
  }, async () => {
    const policy = { addressFailureLimit: 12, resendCooldownSeconds: 0, sendLimit: 100, dailySendLimit: 100 };
    const { service, location, clock, db } = await makeService(policy);
    // Ten flows of a stranger, each holding a code it made us send (10 × 5 = 50 guesses possible).
    const flows = Array.from({ length: 10 }, (_, i) => `stranger flow ${i}`);
    for (const flow of flows) expect((await service.request({ address: anna, flow })).ok).toBe(true);
    const guesses = (half: number): Call[] =>
      flows
        .slice(half * 5, half * 5 + 5)
        .flatMap((flow) => Array.from({ length: 6 }, () => ({ verify: { address: anna, code: wrongCode, flow } })));
    const outcomes = await raceInTwoProcesses(location, clock.ms, policy, [guesses(0), guesses(1)]);
    const row = await db.selectFrom('address_failures').select('failures').executeTakeFirstOrThrow();
    expect(Number(row.failures)).toBe(12);
    expect(outcomes.filter((outcome) => outcome.reason === 'paused').length).toBeGreaterThan(0);
    expect(outcomes.filter((outcome) => outcome.reason === 'invalid_code').length).toBeLessThanOrEqual(12);
  });

  it('sends exactly the hourly cap to one mailbox, however its aliases race across flows and processes', {
    timeout: 60_000,
  }, async () => {
    const { location, clock, db } = await makeService();
    const aliases = ['anna.owner', 'annaowner', 'anna.owner+1', 'a.nna.owner+2', 'annaowner+3'];
    const requests = (racer: number): Call[] =>
      aliases.flatMap((local, i) =>
        ['gmail.com', 'googlemail.com'].map((domain) => ({
          request: { address: `${local}@${domain}`, flow: `p${racer} ${i} ${domain}` },
        })),
      );
    const outcomes = await raceInTwoProcesses(location, clock.ms, {}, [requests(0), requests(1)]);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(5);
    expect(await db.selectFrom('outbox_messages').select('id').execute()).toHaveLength(5);
  });
});
