/**
 * A separate process for the cross-process races in cross-process-counters.test.ts:
 *   node --import tsx limit-racer.ts <location> <nowMs> <policy JSON> <calls JSON>
 * where each call is `{ "request": RequestCodeInput }` or `{ "verify": VerifyCodeInput }`.
 * Prints "ready", waits for "go" on stdin, makes every call at once and prints their outcomes as JSON.
 */

import { destroyOpenDatabases, makeService, openAnotherHandle } from '../core/otp-service-harness.js';
import { FakeClock } from '../support/fake-clock.js';

const [location = '', nowMs = '0', policy = '{}', calls = '[]'] = process.argv.slice(2);
const { service } = await makeService(JSON.parse(policy), {
  db: openAnotherHandle(location),
  clock: new FakeClock(Number(nowMs)),
});
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const outcomes = await Promise.all(
  (JSON.parse(calls) as ({ request: any } | { verify: any })[]).map((call) =>
    'request' in call ? service.request(call.request) : service.verify(call.verify),
  ),
);
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
await destroyOpenDatabases();
process.stdin.destroy();
