import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { SecretKeyring } from '../src/core/secret-keyring.js';
import { verpAddress } from '../src/core/verp-address.js';
import { VerpTokens } from '../src/core/verp-token.js';
import {
  appEnv,
  type BenchContext,
  benchSecretKey,
  raisedLimits,
  startApp,
  verifyAddressCount,
  withPeakRss,
} from './bench-context.js';
import type { BenchDatabase } from './bench-database.js';
import { formBody, formHeaders, openFormSession } from './form-session.js';
import { runHttpLoad } from './http-load.js';
import type { LoadResult } from './load-result.js';
import { resetAttempts, seededAddress, seedLiveCodes } from './seed-store.js';
import { freePort } from './server-process.js';

const dsnCount = 1000;
const bounceAddress = { localPart: 'bounces', domain: 'bounces.bench.example' };

/**
 * "The bounce receiver handles a burst of 1,000 DSNs without slowing requests": the same verify-miss
 * load through the pages twice against one server that also runs the receiver (BOUNCE_SMTP_PORT) —
 * once quiet, once while 1,000 Postfix-shaped DSNs for valid VERP addresses arrive over five SMTP
 * connections. The DSN sender shares the bench process (and the machine's cores) with autocannon.
 */
export async function runBounceScenarios(context: BenchContext, database: BenchDatabase): Promise<LoadResult[]> {
  const { options } = context;
  const bouncePort = await freePort();
  const env = appEnv(context, database, {
    ...raisedLimits,
    BOUNCE_ADDRESS: `${bounceAddress.localPart}@${bounceAddress.domain}`,
    BOUNCE_SMTP_PORT: String(bouncePort),
  });
  const server = await startApp(context, env, `${database.name}-bounces`);
  const results: LoadResult[] = [];
  try {
    const session = await openFormSession(server.baseUrl);
    const now = Date.now();
    await seedLiveCodes(database, { prefix: 'bm-', count: verifyAddressCount, nowMs: now, expiresAtMs: now + 3600_000 });
    let guess = 0;
    const verifyMiss = (scenario: string, until?: Promise<unknown>) =>
      runHttpLoad({
        scenario,
        database: database.name,
        url: server.baseUrl,
        connections: options.connections,
        // During the burst: exactly as long as it lasts (at most two minutes).
        durationSeconds: until === undefined ? options.durationSeconds : 120,
        ...(until === undefined ? {} : { stopWhen: until }),
        method: 'POST',
        path: '/secure-otp/verify/',
        headers: formHeaders(session),
        nextBody: () => formBody(session, { email: seededAddress('bm-', guess++ % verifyAddressCount), code: '000000' }),
        expectedStatus: 422,
      });
    await verifyMiss('warm-up');

    // The receiver's own pace, with no HTTP load: what the burst below competes with the pages for.
    context.log(`${database.name}: ${dsnCount} DSNs, no HTTP load`);
    const alone = await sendBurst(bouncePort, buildDsns());

    context.log(`${database.name}: verify-miss, receiver idle`);
    await resetAttempts(database);
    const idle = await withPeakRss(server, () => verifyMiss('verify-miss, bounce receiver idle'));
    idle.note = `the receiver alone took ${alone.accepted}/${dsnCount} DSNs in ${alone.seconds.toFixed(1)} s, ${Math.round(dsnCount / alone.seconds)} DSN/s`;
    results.push(idle);

    context.log(`${database.name}: verify-miss during a burst of ${dsnCount} DSNs`);
    await resetAttempts(database);
    const messages = buildDsns();
    let burst: { accepted: number; refused: number; seconds: number } | undefined;
    const during = await withPeakRss(server, async () => {
      const sending = sendBurst(bouncePort, messages);
      const [load, sent] = await Promise.all([verifyMiss(`verify-miss, ${dsnCount} DSNs arriving`, sending), sending]);
      burst = sent;
      return load;
    });
    during.note = `${burst?.accepted}/${dsnCount} DSNs accepted (${burst?.refused} refused) in ${burst?.seconds.toFixed(1)} s, ${Math.round(dsnCount / (burst?.seconds ?? 1))} DSN/s`;
    results.push(during);
  } finally {
    await server.stop();
  }
  return results;
}

/** 1,000 reports, each for its own message and a VERP address signed with the bench server's secret. */
function buildDsns(): { to: string; raw: string }[] {
  const template = readFileSync(new URL('../test/fixtures/dsn/postfix-failed.eml', import.meta.url), 'utf8');
  const tokens = new VerpTokens(new SecretKeyring(benchSecretKey, [], 'verp token v1'));
  return Array.from({ length: dsnCount }, (_, index) => {
    const recipient = `gone-${index}@bench.example`;
    const to = verpAddress(bounceAddress, tokens.issue(randomUUID(), recipient));
    const raw = template.replaceAll('{{VERP}}', to).replaceAll('{{RECIPIENT}}', recipient).replace(/\r?\n/g, '\r\n');
    return { to, raw };
  });
}

async function sendBurst(port: number, messages: { to: string; raw: string }[]) {
  const mta = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 5,
    maxMessages: Infinity,
  });
  const started = performance.now();
  let accepted = 0;
  let refused = 0;
  await Promise.all(
    messages.map((message) =>
      mta.sendMail({ envelope: { from: '', to: [message.to] }, raw: message.raw }).then(
        () => accepted++,
        () => refused++,
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  mta.close();
  return { accepted, refused, seconds };
}
