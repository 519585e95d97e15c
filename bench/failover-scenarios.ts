import { rmSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/ops/logger.js';
import { openOtpRuntime } from '../src/runtime/otp-runtime.js';
import { type BenchContext, benchSecretKey, benchTempDir, raisedLimits } from './bench-context.js';

/**
 * Outbox delivery throughput with two transports in SMTP_URL (the primary healthy, so failover is
 * configured but idle) against one, measured in the same run, in alternating rounds (one, two, two,
 * one) so a drift in the machine's load hits both alike. Each round queues N emails with no worker, then
 * starts a worker runtime and times it until the sink has accepted all N. In process, SQLite file.
 * The bar: two transports within 10% of one (ratio ≥ 0.90).
 */
export async function runFailoverScenario(context: BenchContext): Promise<string[]> {
  const emails = context.options.quick ? 400 : 2000;
  const primary = await startCountingSink();
  const secondary = await startCountingSink();
  const logger = createLogger('silent');
  const perSecond: Record<'one' | 'two', number[]> = { one: [], two: [] };
  try {
    for (const [round, kind] of (['one', 'two', 'two', 'one'] as const).entries()) {
      const dataDir = benchTempDir('otp-bench-failover-');
      const smtpUrl = kind === 'one' ? primary.url : `${primary.url}, ${secondary.url}`;
      const config = (worker: 'in-process' | 'off') =>
        loadConfig({
          NODE_ENV: 'test',
          DATA_DIR: dataDir,
          SECRET_KEY: benchSecretKey,
          LOG_LEVEL: 'silent',
          OUTBOX_POLL_INTERVAL_MS: '50',
          OUTBOX_WORKER: worker,
          SMTP_URL: smtpUrl,
          ...raisedLimits,
        });
      const queueing = await openOtpRuntime(config('off'), logger, { runWorker: false });
      for (let start = 0; start < emails; start += 100) {
        const batch = Array.from({ length: Math.min(100, emails - start) }, (_, i) => `r${round}-${start + i}@example.com`);
        const outcomes = await Promise.all(batch.map((address) => queueing.service.request({ address })));
        if (!outcomes.every((outcome) => outcome.ok)) throw new Error('failover bench: a request was refused while queueing');
      }
      await queueing.close();
      const acceptedBefore = primary.accepted();
      const startedAt = performance.now();
      const worker = await openOtpRuntime(config('in-process'), logger, { runWorker: true });
      await primary.waitFor(acceptedBefore + emails, 120_000);
      const seconds = (performance.now() - startedAt) / 1000;
      await worker.close();
      rmSync(dataDir, { recursive: true, force: true });
      perSecond[kind].push(emails / seconds);
      context.log(`failover: ${kind} transport(s), round ${round + 1}: ${(emails / seconds).toFixed(0)} emails/s`);
    }
  } finally {
    await primary.close();
    await secondary.close();
  }
  if (secondary.accepted() !== 0) throw new Error('failover bench: the healthy primary was passed over');
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const ratio = mean(perSecond.two) / mean(perSecond.one);
  return [
    `outbox delivery, ${emails} emails per round, rounds one/two/two/one: one transport ${perSecond.one.map((v) => v.toFixed(0)).join(' / ')} emails/s, two transports (primary healthy) ${perSecond.two.map((v) => v.toFixed(0)).join(' / ')} emails/s`,
    `two transports ÷ one: ${ratio.toFixed(3)} (the issue's bar: ≥ 0.90) — ${ratio >= 0.9 ? 'PASS' : 'FAIL'}`,
  ];
}

/** A real SMTP server on loopback that discards each message and counts it. */
async function startCountingSink() {
  let accepted = 0;
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    closeTimeout: 100,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        accepted++;
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('failover bench: the sink has no port');
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    accepted: () => accepted,
    waitFor(count: number, timeoutMs: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (accepted < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`failover bench: the sink got ${accepted} of ${count} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
