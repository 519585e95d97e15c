import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * JSON logs. Request lines carry the path without its query string, and headers that hold secrets are
 * never written; OTP events carry masked addresses and never a code.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], remove: true },
      serializers: {
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          url: request.url.split('?')[0],
          ip: request.ip,
        }),
      },
    },
    destination,
  );
}
