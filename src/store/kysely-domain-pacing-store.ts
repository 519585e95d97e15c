import type { Kysely } from 'kysely';
import type { DomainPacingStore } from '../mail/domain-pacing.js';
import { giveBackDomainSlot, postponePacedMessage, reserveDomainSlot, slowDomainDown } from './domain-pacing.repository.js';
import type { Database } from './schema.js';

/** Pacing state in the database the outbox lives in, so every worker process shares it. */
export class KyselyDomainPacingStore implements DomainPacingStore {
  constructor(private readonly db: Kysely<Database>) {}

  reserveSlot(input: Parameters<DomainPacingStore['reserveSlot']>[0]): Promise<number | null> {
    return reserveDomainSlot(this.db, input);
  }

  postpone(id: string, input: Parameters<DomainPacingStore['postpone']>[1]): Promise<boolean> {
    return postponePacedMessage(this.db, id, input);
  }

  giveBack(input: Parameters<DomainPacingStore['giveBack']>[0]): Promise<void> {
    return giveBackDomainSlot(this.db, input);
  }

  slowDown(input: Parameters<DomainPacingStore['slowDown']>[0]): Promise<void> {
    return slowDomainDown(this.db, input);
  }
}
