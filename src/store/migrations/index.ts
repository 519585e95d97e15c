import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './0001-initial.js';
import { outboxSchema } from './0002-outbox.js';

/** Migrations live in code, not read from a folder, so they run the same under tsx and compiled. */
const migrations: Record<string, Migration> = {
  '0001-initial': initialSchema,
  '0002-outbox': outboxSchema,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
