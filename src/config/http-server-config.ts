import { integer } from './env-values.js';

/** Limits on how long and how many connections the HTTP server holds. Part of Config; parsed with it. */
export interface HttpServerConfig {
  /**
   * The whole request, headers and body, must arrive within this (HTTP_REQUEST_TIMEOUT_MS), else 408 and
   * the connection is closed: a POST whose body never finishes must not hold a socket forever. @default 30000
   */
  requestTimeoutMs: number;
  /** The headers must arrive within this (HTTP_HEADERS_TIMEOUT_MS; slowloris). @default 10000 */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (HTTP_KEEP_ALIVE_TIMEOUT_MS). @default 5000 */
  keepAliveTimeoutMs: number;
  /** A socket silent this long is closed, whatever it is doing (HTTP_IDLE_TIMEOUT_MS). @default 60000 */
  idleTimeoutMs: number;
  /** Open connections at once per process (HTTP_MAX_CONNECTIONS); more are closed at accept. @default 1000 */
  maxConnections: number;
  /** Requests on one keep-alive connection before it is closed (HTTP_MAX_REQUESTS_PER_SOCKET); 0 = no cap. @default 0 */
  maxRequestsPerSocket: number;
}

/** The HTTP server's variables, spread into config's env schema. */
export const httpServerEnvShape = {
  HTTP_REQUEST_TIMEOUT_MS: integer(30_000, 100, 600_000),
  HTTP_HEADERS_TIMEOUT_MS: integer(10_000, 100, 600_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(5000, 100, 600_000),
  HTTP_IDLE_TIMEOUT_MS: integer(60_000, 100, 3_600_000),
  HTTP_MAX_CONNECTIONS: integer(1000, 1, 1_000_000),
  HTTP_MAX_REQUESTS_PER_SOCKET: integer(0, 0, 1_000_000),
};

interface HttpServerEnv {
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  HTTP_IDLE_TIMEOUT_MS: number;
  HTTP_MAX_CONNECTIONS: number;
  HTTP_MAX_REQUESTS_PER_SOCKET: number;
}

/** Builds the frozen HttpServerConfig; pushes each problem (with its fix) onto `problems`. */
export function httpServerConfigFrom(e: HttpServerEnv, problems: string[]): HttpServerConfig {
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS: the headers are part of the request');
  }
  return Object.freeze({
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS,
    maxConnections: e.HTTP_MAX_CONNECTIONS,
    maxRequestsPerSocket: e.HTTP_MAX_REQUESTS_PER_SOCKET,
  });
}
