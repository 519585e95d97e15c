/**
 * The database cannot be reached right now (server down or restarting, network gone, pool exhausted).
 * Not a bug and not the caller's fault: the web layer answers 503 "temporarily unavailable" (the pages)
 * or a typed error (the JSON API), and the connection pool recovers by itself once the server is back.
 *
 * @example
 *   if (error instanceof StoreUnavailableError) return reply.code(503).send({ error: 'temporarily_unavailable' });
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(cause: unknown) {
    // The driver's own message can carry host names and user names: keep it as the cause, for the log only.
    super('the database is temporarily unavailable', { cause });
  }
}

/** Database down (StoreUnavailableError from the store) or locked past its busy timeout (SQLite). */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
