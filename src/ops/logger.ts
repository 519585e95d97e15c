import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { loggableUnmatchedPath } from './loggable-path.js';

/**
 * JSON logs. Request lines carry the route pattern (never a path with a token in it, nor a query string), and headers that hold secrets are
 * never written; OTP events carry masked addresses and never a code.
 *
 * `pretty` renders the same lines readably through pino-pretty (in a worker thread), for development at a
 * terminal; it applies only when no destination is given, so tests that capture lines always get JSON.
 */
export function createLogger(level: string, destination?: DestinationStream, format: 'json' | 'pretty' = 'json'): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], remove: true },
    serializers: {
      // The route pattern, not the path: some paths carry a secret (`/secure-otp/link/:token`). A path
      // no route matched has no pattern, and is logged with anything that could be a secret redacted.
      req: (request: { method: string; url: string; ip?: string; routeOptions?: { url?: string } }) => ({
        method: request.method,
        url: request.routeOptions?.url ?? loggableUnmatchedPath(request.url),
        ip: request.ip,
      }),
    },
  };
  if (format === 'pretty' && destination === undefined) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino(options, destination);
}
