/**
 * What a `pg` error means for the app. Kept apart from the store so the list of codes can be read (and
 * tested) in one place; the codes are PostgreSQL SQLSTATEs and Node socket error codes.
 */

/** Node socket failures: nothing listens, the network dropped us, the name does not resolve. */
const socketErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * SQLSTATEs of a server that is going away or not there yet: class 08 (connection exception),
 * 57P01 admin_shutdown (a fast restart), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up),
 * 53300 too_many_connections.
 */
const unavailableSqlStates = /^(08...|57P0[123]|53300)$/;

/** Errors `pg` raises without a code when a connection dies or the pool cannot hand one out in time. */
const unavailableMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Client was closed and is not queryable',
];

export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (socketErrorCodes.has(code) || unavailableSqlStates.test(code))) return true;
  // A failed connect to several addresses (localhost → ::1 and 127.0.0.1) arrives as an AggregateError.
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnreachable)) return true;
  return unavailableMessages.some((message) => error.message.includes(message));
}

/**
 * 40P01 deadlock_detected and 40001 serialization_failure: the server gave up one of two racing
 * transactions. Nothing was written, so running the transaction again is safe and is what PostgreSQL
 * advises.
 */
export function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
