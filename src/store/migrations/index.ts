import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './0001-initial.js';
import { outboxSchema } from './0002-outbox.js';
import { signingKeysSchema } from './0003-signing-keys.js';
import { linkTokensSchema } from './0004-link-tokens.js';
import { successVisitsSchema } from './0005-success-visits.js';
import { flowBoundChallengesSchema } from './0006-flow-bound-challenges.js';
import { suppressionsSchema } from './0007-suppressions.js';
import { pacingAndTransportsSchema } from './0008-pacing-and-transports.js';
import { powChallengesSchema } from './0009-pow-challenges.js';

/** Migrations live in code, not read from a folder, so they run the same under tsx and compiled. */
const migrations: Record<string, Migration> = {
  '0001-initial': initialSchema,
  '0002-outbox': outboxSchema,
  '0003-signing-keys': signingKeysSchema,
  '0004-link-tokens': linkTokensSchema,
  '0005-success-visits': successVisitsSchema,
  '0006-flow-bound-challenges': flowBoundChallengesSchema,
  '0007-suppressions': suppressionsSchema,
  '0008-pacing-and-transports': pacingAndTransportsSchema,
  '0009-pow-challenges': powChallengesSchema,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
