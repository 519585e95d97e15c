import { Agent, request } from 'node:http';
import { type FormSession, formBody, formHeaders } from './form-session.js';
import { round } from './http-load.js';
import type { LoadResult } from './load-result.js';
import type { SmtpSink } from './smtp-sink.js';

export interface FlowLoadOptions {
  database: string;
  baseUrl: string;
  session: FormSession;
  sink: SmtpSink;
  connections: number;
  durationSeconds: number;
  /** Unique per run, so addresses never repeat across runs on one database. */
  runId: string;
}

/**
 * The whole thing a person does, in a closed loop per connection: request a code, wait for the email
 * at the SMTP sink, read the code, verify it. A flow counts when the verify answers 303 (success).
 */
export async function runFlowLoad(options: FlowLoadOptions): Promise<Omit<LoadResult, 'peakRssMb' | 'cpuMsPerRequest'>> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const deadline = Date.now() + options.durationSeconds * 1000;
  const latenciesMs: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const startedAt = Date.now();

  async function loop(): Promise<void> {
    while (Date.now() < deadline) {
      const address = `flow-${options.database}-${options.runId}-${next++}@bench.example`;
      const started = performance.now();
      try {
        const requested = await post(agent, options, '/secure-otp/request/', { email: address });
        if (requested.status !== 303) {
          count(statusCounts, `request ${requested.status}`);
          errors++;
          continue;
        }
        const code = await options.sink.codeFor(address);
        // The code is bound to the browser that asked: verify with its pending-code cookie, as a browser does.
        const { status: verified } = await post(
          agent,
          options,
          '/secure-otp/verify/',
          { email: address, code },
          requested.pendingCookie,
        );
        count(statusCounts, `verify ${verified}`);
        if (verified === 303) latenciesMs.push(performance.now() - started);
        else errors++;
      } catch {
        count(statusCounts, 'error');
        errors++;
      }
    }
  }

  await Promise.all(Array.from({ length: options.connections }, loop));
  agent.destroy();
  const elapsedSeconds = (Date.now() - startedAt) / 1000;
  latenciesMs.sort((a, b) => a - b);
  return {
    scenario: 'flow',
    database: options.database,
    connections: options.connections,
    durationSeconds: round(elapsedSeconds, 1),
    perSecond: round(latenciesMs.length / elapsedSeconds, 1),
    p50Ms: round(percentile(latenciesMs, 0.5), 2),
    p99Ms: round(percentile(latenciesMs, 0.99), 2),
    errors,
    statusCounts,
    note: 'flows/s; latency is the whole flow (request, email delivered, verify)',
  };
}

function post(
  agent: Agent,
  options: FlowLoadOptions,
  path: string,
  fields: Record<string, string>,
  extraCookie?: string,
): Promise<{ status: number; pendingCookie?: string }> {
  const body = formBody(options.session, fields);
  const headers = { ...formHeaders(options.session), 'content-length': Buffer.byteLength(body) };
  if (extraCookie !== undefined) headers.cookie = `${headers.cookie}; ${extraCookie}`;
  return new Promise((resolve, reject) => {
    const outgoing = request(`${options.baseUrl}${path}`, { method: 'POST', agent, headers }, (response) => {
      response.resume();
      const pendingCookie = (response.headers['set-cookie'] ?? [])
        .find((cookie) => cookie.startsWith('otp_pending='))
        ?.split(';')[0];
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, ...(pendingCookie === undefined ? {} : { pendingCookie }) }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function count(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
