/**
 * A separate process for the cross-process race in concurrency.test.ts:
 *   node --import tsx verify-racer.ts <sqliteFile> <nowMs> <address> <code> <count>
 * Prints "ready", waits for "go" on stdin, fires <count> verifies at once and prints their outcomes as JSON.
 */

import { destroyOpenDatabases, makeService, openAnotherHandle } from '../core/otp-service-harness.js';
import { FakeClock } from '../support/fake-clock.js';

const [file = '', nowMs = '0', address = '', code = '', count = '1'] = process.argv.slice(2);
const { service } = await makeService({}, { db: openAnotherHandle(file), clock: new FakeClock(Number(nowMs)) });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const outcomes = await Promise.all(Array.from({ length: Number(count) }, () => service.verify({ address, code })));
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
await destroyOpenDatabases();
process.stdin.destroy();
