import autocannon from 'autocannon';
import type { LoadResult } from './load-result.js';

export interface HttpLoadOptions {
  scenario: string;
  database: string;
  url: string;
  connections: number;
  durationSeconds: number;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Called for every request: returns its body (a new address, the next address to guess at…). */
  nextBody?: () => string;
  /** The status a correct answer has; anything else counts as an error. */
  expectedStatus: number;
  /** Stop as soon as this resolves (e.g. the sweep finished), whatever the duration. */
  stopWhen?: Promise<unknown>;
}

/** Drives one HTTP scenario with autocannon (keep-alive connections, closed loop, loopback only). */
export async function runHttpLoad(options: HttpLoadOptions): Promise<Omit<LoadResult, 'peakRssMb' | 'cpuMsPerRequest'>> {
  if (!options.url.startsWith('http://127.0.0.1:')) throw new Error('benchmarks only target 127.0.0.1');
  const { nextBody } = options;
  let instance: autocannon.Instance | undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: 10,
        requests: [
          {
            method: options.method ?? 'GET',
            path: options.path,
            headers: options.headers ?? {},
            ...(nextBody === undefined ? {} : { setupRequest: (request) => ({ ...request, body: nextBody() }) }),
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    void options.stopWhen?.then(() => instance?.stop());
  });
  const statusCounts: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) statusCounts[status] = stats.count ?? 0;
  const expected = statusCounts[String(options.expectedStatus)] ?? 0;
  const answered = Object.values(statusCounts).reduce((sum, count) => sum + count, 0);
  return {
    scenario: options.scenario,
    database: options.database,
    connections: options.connections,
    durationSeconds: round(result.duration, 1),
    perSecond: round(expected / result.duration, 0),
    p50Ms: round(result.latency.p50, 2),
    p99Ms: round(result.latency.p99, 2),
    errors: answered - expected + result.errors,
    statusCounts,
  };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
