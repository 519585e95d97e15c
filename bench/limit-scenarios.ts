import { appEnv, type BenchContext, startApp } from './bench-context.js';
import type { BenchDatabase } from './bench-database.js';
import { formBody, formHeaders, openFormSession } from './form-session.js';
import { runHttpLoad } from './http-load.js';
import { resetAttempts, seededAddress } from './seed-store.js';

/**
 * Default limits under the same load: one client IP may request 30 codes per 10 minutes, and one
 * address gets 5 wrong attempts per code. Returns one line per check, each saying whether it held.
 */
export async function runLimitScenarios(context: BenchContext, database: BenchDatabase): Promise<string[]> {
  const { options, sink } = context;
  const server = await startApp(context, appEnv(context, database, {}), `${database.name}-limits`);
  const findings: string[] = [];
  try {
    const session = await openFormSession(server.baseUrl);
    const common = { database: database.name, url: server.baseUrl, connections: options.connections, durationSeconds: 3 };

    await sink.settle();
    const mailBefore = sink.received;
    let requested = 0;
    const requests = await runHttpLoad({
      ...common,
      scenario: 'limits: request',
      method: 'POST',
      path: '/secure-otp/request/',
      headers: formHeaders(session),
      nextBody: () => formBody(session, { email: `limit-${options.runId}-${requested++}@bench.example` }),
      expectedStatus: 303,
    });
    const accepted = requests.statusCounts['303'] ?? 0;
    const refused = requests.statusCounts['429'] ?? 0;
    // Give the worker time to send whatever was accepted, then count: no more mail than accepted requests.
    await sink.waitForTotal(mailBefore + accepted, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const mailed = sink.received - mailBefore;
    const requestsHeld = accepted <= 30 && mailed === accepted && refused > 0;
    findings.push(
      `${database.name}: ${requested} code requests for new addresses from one IP in 3 s at ${options.connections} connections → ${accepted} accepted (303), ${refused} refused (429), ${mailed} emails sent — ${requestsHeld ? 'HELD' : 'BROKEN'} (limit 30 per IP per 10 min)`,
    );

    await resetAttempts(database);
    const address = seededAddress('vm-', 0);
    const guesses = await runHttpLoad({
      ...common,
      scenario: 'limits: verify',
      method: 'POST',
      path: '/secure-otp/verify/',
      headers: formHeaders(session),
      nextBody: () => formBody(session, { email: address, code: '000000' }),
      expectedStatus: 422,
    });
    const answered = Object.entries(guesses.statusCounts)
      .map(([status, count]) => `${count}×${status}`)
      .join(', ');
    const wrongAnswered = guesses.statusCounts['422'] ?? 0;
    const guessesHeld =
      wrongAnswered <= 4 && (guesses.statusCounts['303'] ?? 0) === 0 && (guesses.statusCounts['500'] ?? 0) === 0;
    findings.push(
      `${database.name}: wrong codes for one address for 3 s → ${answered} — ${guessesHeld ? 'HELD' : 'BROKEN'} (default OTP_MAX_ATTEMPTS=5: 4 answered as wrong, then the code is locked: 423)`,
    );
  } finally {
    await server.stop();
  }
  return findings;
}
