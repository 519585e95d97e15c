import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

class Refusal<T> {
  constructor(readonly result: T) {}
}

/**
 * Runs `work` in one transaction. Calling `refuse(result)` rolls everything back and returns `result`:
 * a limit that says no must leave no trace of the counters bumped before it.
 */
export async function transactionWithRefusal<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>, refuse: (result: T) => never) => Promise<T>,
): Promise<T> {
  const refuse = (result: T): never => {
    throw new Refusal(result);
  };
  try {
    return await db.transaction().execute((trx) => work(trx, refuse));
  } catch (error) {
    if (error instanceof Refusal) return error.result as T;
    throw error;
  }
}
