import type { Kysely } from 'kysely';
import { schemaStatus } from '../store/migrate.js';
import type { MailTransportCheck, MailTransportState } from './mail-transport-check.js';

export interface Readiness {
  ready: boolean;
  checks: {
    database: 'ok' | 'unreachable';
    migrations: 'current' | 'pending' | 'unknown';
    mail: MailTransportState['status'];
  };
}

/**
 * Ready = the database answers and its schema is the one this build expects. The mail check is shown
 * but does not decide: with SMTP down every instance would go unready at once, turning delayed email
 * (which the outbox absorbs) into a full outage.
 */
export async function checkReadiness(db: Kysely<any>, mail: MailTransportCheck): Promise<Readiness> {
  let database: Readiness['checks']['database'] = 'ok';
  let migrations: Readiness['checks']['migrations'] = 'unknown';
  try {
    migrations = await schemaStatus(db);
  } catch {
    database = 'unreachable';
  }
  return { ready: database === 'ok' && migrations === 'current', checks: { database, migrations, mail: mail.state.status } };
}
