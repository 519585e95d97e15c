/**
 * A separate process for the cross-process race in concurrency.test.ts:
 *   node --import tsx verify-racer.ts <location> <nowMs> <address> <code> <count>
 * where <location> is a SQLite file or a PostgreSQL URL (the harness's `location`).
 * Prints "ready", waits for "go" on stdin, fires <count> verifies at once and prints their outcomes as JSON.
 */

import { destroyOpenDatabases, makeService, openAnotherHandle } from '../core/otp-service-harness.js';
import { FakeClock } from '../support/fake-clock.js';

const [location = '', nowMs = '0', address = '', code = '', count = '1'] = process.argv.slice(2);
const { service } = await makeService({}, { db: openAnotherHandle(location), clock: new FakeClock(Number(nowMs)) });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const outcomes = await Promise.all(Array.from({ length: Number(count) }, () => service.verify({ address, code })));
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
await destroyOpenDatabases();
process.stdin.destroy();
