import type { Kysely, Transaction } from 'kysely';
import { isTransientConflict } from './postgres-errors.js';
import type { Database } from './schema.js';

class Refusal<T> {
  constructor(readonly result: T) {}
}

/** Runs of a transaction PostgreSQL aborted as a deadlock victim or serialization failure, before giving up. */
const maxRuns = 4;

/**
 * Runs `work` in one transaction. Calling `refuse(result)` rolls everything back and returns `result`:
 * a limit that says no must leave no trace of the counters bumped before it.
 *
 * A transaction PostgreSQL aborts because it raced another (deadlock victim, serialization failure)
 * wrote nothing, so it is run again, a few times at most, instead of failing the request.
 */
export async function transactionWithRefusal<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>, refuse: (result: T) => never) => Promise<T>,
): Promise<T> {
  const refuse = (result: T): never => {
    throw new Refusal(result);
  };
  for (let run = 1; ; run++) {
    try {
      return await db.transaction().execute((trx) => work(trx, refuse));
    } catch (error) {
      if (error instanceof Refusal) return error.result as T;
      if (run < maxRuns && isTransientConflict(error)) continue;
      throw error;
    }
  }
}
