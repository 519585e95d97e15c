import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtpDatabase } from '../../src/store/database.js';
import { codesInOrder, destroyOpenDatabases, makeHasher, makeService, secretB } from '../core/otp-service-harness.js';

const anna = 'anna@example.com';

afterEach(destroyOpenDatabases);

/** The bytes SQLite has written so far: the main file and the write-ahead log. */
function databaseFileBytes(filename: string): Buffer {
  return Buffer.concat([filename, `${filename}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
}

/** Every value of every row of every table, keyed "table.column". */
async function everyStoredValue(db: OtpDatabase): Promise<{ column: string; value: unknown }[]> {
  const tables = ['otp_challenges', 'otp_codes', 'rate_windows', 'outbox_messages'] as const;
  const values: { column: string; value: unknown }[] = [];
  for (const table of tables) {
    const rows = await db.selectFrom(table).selectAll().execute();
    for (const row of rows)
      for (const [column, value] of Object.entries(row)) values.push({ column: `${table}.${column}`, value });
  }
  return values;
}

describe('codes at rest', () => {
  // Ten-digit codes: the chance that one appears by accident in a random UUID, IV or hash is about 1e-12.
  it('never writes a plaintext code into the SQLite file or its write-ahead log', async () => {
    const codes = ['9182736450', '5647382910', '7391846205', '2857391046'];
    const { service, clock, delivered, deliverOutbox, filename } = await makeService(
      { codeLength: 10 },
      { codeGenerator: codesInOrder(...codes) },
    );
    const assertNoCodeOnDisk = () => {
      const bytes = databaseFileBytes(filename);
      expect(bytes.includes(anna), 'the scan sees what the store writes').toBe(true);
      for (const code of codes) expect(bytes.includes(code), `code ${code} found on disk`).toBe(false);
    };

    await service.request({ address: anna, context: 'Pay 120 EUR' });
    assertNoCodeOnDisk(); // queued: the email waits in the outbox, sealed
    await deliverOutbox();
    clock.advanceSeconds(61);
    await service.request({ address: anna, context: 'Pay 120 EUR' });
    await deliverOutbox();
    await service.verify({ address: anna, code: '1111111111', context: 'Pay 120 EUR' });
    await service.verify({ address: anna, code: codes[0]!, context: 'Pay 120 EUR' });
    delivered.failing = 'permanent';
    await service.request({ address: 'ben@example.com' });
    await deliverOutbox();
    await service.request({ address: 'cara@example.com' });
    expect(delivered.codes).toEqual(codes.slice(0, 2));
    assertNoCodeOnDisk();
  });

  it('keeps the code in no column but code_hash, and there only as a keyed 64-hex HMAC', async () => {
    const code = '918273';
    const binding = { purpose: 'confirm-action', address: anna, context: 'Pay 120 EUR' };
    const { service, db, deliverOutbox } = await makeService({}, { codeGenerator: codesInOrder(code) });
    await service.request({ address: anna, purpose: binding.purpose, context: binding.context, clientIp: '203.0.113.9' });

    for (const { column, value } of await everyStoredValue(db)) {
      if (column !== 'otp_codes.code_hash') expect(String(value), column).not.toContain(code);
    }
    const { code_hash: hash } = await db.selectFrom('otp_codes').select('code_hash').executeTakeFirstOrThrow();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toBe(createHash('sha256').update(code).digest('hex'));
    expect(hash).not.toBe(
      createHash('sha256')
        .update(JSON.stringify([binding.purpose, binding.address, binding.context, code]))
        .digest('hex'),
    );
    expect(hash).toBe(makeHasher().digest(binding, code).hash);
    expect(hash).not.toBe(makeHasher(secretB).digest(binding, code).hash);
    await deliverOutbox();
  });

  it('keeps the queued email sealed, and wipes it once sent', async () => {
    const code = '918273';
    const { service, db, sealer, deliverOutbox } = await makeService({}, { codeGenerator: codesInOrder(code) });
    await service.request({ address: anna });
    const queued = await db.selectFrom('outbox_messages').select(['sealed_body', 'recipient']).executeTakeFirstOrThrow();
    expect(queued.recipient).toBe(anna);
    expect(queued.sealed_body).not.toContain(code);
    expect(JSON.parse(sealer.open(queued.sealed_body ?? '') ?? '{}')).toMatchObject({ to: anna, code });

    await deliverOutbox();
    const sent = await db.selectFrom('outbox_messages').select(['sealed_body', 'status']).executeTakeFirstOrThrow();
    expect(sent).toEqual({ sealed_body: null, status: 'sent' });
  });
});
