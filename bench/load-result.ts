/** One measured scenario, as the table and the JSON file show it. */
export interface LoadResult {
  scenario: string;
  database: string;
  connections: number;
  durationSeconds: number;
  /** Responses with the expected status (or completed flows) per second. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses with another status, plus socket errors and timeouts. */
  errors: number;
  statusCounts: Record<string, number>;
  peakRssMb: number;
  /** Server CPU time (user + system) per answered request or flow, in ms: less noisy than req/s on a shared machine. */
  cpuMsPerRequest: number;
  /** perSecond as a share of the baseline server's, measured in the same run. */
  ofBaseline?: number;
  note?: string;
}
