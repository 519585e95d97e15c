import type { Kysely } from 'kysely';
import type { TransportState } from '../mail/transport-circuit.js';
import { schemaStatus } from '../store/migrate.js';
import type { MailTransportCheck, MailTransportState } from './mail-transport-check.js';

export interface Readiness {
  ready: boolean;
  checks: {
    database: 'ok' | 'unreachable';
    migrations: 'current' | 'pending' | 'unknown';
    mail: MailTransportState['status'];
    /** Each SMTP transport's circuit, failures in a row and last success (ISO time); empty for the dev mailbox. */
    transports: { name: string; circuit: TransportState['circuit']; failuresInARow: number; lastSuccessAt: string | null }[];
  };
}

/**
 * Ready = the database answers and its schema is the one this build expects. The mail check is shown
 * but does not decide: with SMTP down every instance would go unready at once, turning delayed email
 * (which the outbox absorbs) into a full outage.
 */
export async function checkReadiness(
  db: Kysely<any>,
  mail: MailTransportCheck,
  transportStates: () => TransportState[] = () => [],
): Promise<Readiness> {
  let database: Readiness['checks']['database'] = 'ok';
  let migrations: Readiness['checks']['migrations'] = 'unknown';
  try {
    migrations = await schemaStatus(db);
  } catch {
    database = 'unreachable';
  }
  // Shown, not deciding, for the same reason as the mail check: an open circuit is what failover is for.
  const transports = transportStates().map(({ name, circuit, failuresInARow, lastSuccessAtMs }) => ({
    name,
    circuit,
    failuresInARow,
    lastSuccessAt: lastSuccessAtMs === null ? null : new Date(lastSuccessAtMs).toISOString(),
  }));
  return {
    ready: database === 'ok' && migrations === 'current',
    checks: { database, migrations, mail: mail.state.status, transports },
  };
}
