import type { Kysely } from 'kysely';
import type { SigningKeyStore, StoredSigningKey } from '../core/signing-key-store.js';

/** Row type of `signing_keys` (migration 0003). Times are milliseconds since the epoch. */
export interface SigningKeyRow {
  kid: string;
  public_jwk: string;
  sealed_private_key: string;
  created_at: number;
  activates_at: number;
  retires_at: number | null;
}

type SigningKeyTables = {
  signing_keys: SigningKeyRow;
};

/** Token signing keys in the shared database, so every process signs and publishes the same ones. */
export class KyselySigningKeyStore implements SigningKeyStore {
  private readonly db: Kysely<SigningKeyTables>;

  constructor(db: Kysely<any>) {
    this.db = (db as Kysely<object>).withTables<SigningKeyTables>();
  }

  async listSigningKeys(): Promise<StoredSigningKey[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('activates_at', 'desc').execute();
    return rows.map((row) => ({
      kid: row.kid,
      publicJwk: row.public_jwk,
      sealedPrivateKey: row.sealed_private_key,
      createdAtMs: Number(row.created_at),
      activatesAtMs: Number(row.activates_at),
      retiresAtMs: row.retires_at === null ? null : Number(row.retires_at),
    }));
  }

  async addSigningKey(key: StoredSigningKey): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('signing_keys')
        .set({ retires_at: key.activatesAtMs })
        .where('retires_at', 'is', null)
        .where('activates_at', '<', key.activatesAtMs)
        .execute();
      await trx
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          public_jwk: key.publicJwk,
          sealed_private_key: key.sealedPrivateKey,
          created_at: key.createdAtMs,
          activates_at: key.activatesAtMs,
          retires_at: key.retiresAtMs,
        })
        .execute();
    });
  }

  async resealSigningKey(kid: string, expectedSealed: string, sealedPrivateKey: string): Promise<void> {
    await this.db
      .updateTable('signing_keys')
      .set({ sealed_private_key: sealedPrivateKey })
      .where('kid', '=', kid)
      .where('sealed_private_key', '=', expectedSealed)
      .execute();
  }

  async deleteRetiredSigningKeys(retiredBeforeMs: number): Promise<number> {
    const result = await this.db.deleteFrom('signing_keys').where('retires_at', '<', retiredBeforeMs).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
