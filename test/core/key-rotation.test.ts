import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { dialects } from '../support/dialects.js';
import {
  codeHmacPurpose,
  codesInOrder,
  destroyOpenDatabases,
  dropPostgresOfThisFile,
  makeHasher,
  makeServiceOn,
  secretA,
  secretB,
} from './otp-service-harness.js';

const anna = 'anna@example.com';
const code = '918273';

afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

describe.each(dialects)('key rotation (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);

  /** Anna receives a code from a service whose secret is A; returns what a rebuilt service needs to share. */
  async function codeIssuedUnderSecretA() {
    const before = await makeService({}, { codeGenerator: codesInOrder(code, '364501'), currentSecret: secretA });
    await before.requestAndReceive({ address: anna });
    const rebuildWith = (currentSecret: string, oldSecrets: string[]) =>
      makeService(
        {},
        {
          db: before.db,
          clock: before.clock,
          delivery: before.delivered,
          currentSecret,
          oldSecrets,
          codeGenerator: codesInOrder('364501'),
        },
      );
    return { before, rebuildWith };
  }

  describe('secret key rotation', () => {
    it('verifies a code issued under secret A after rotating to B with A kept as an old key', async () => {
      const { rebuildWith } = await codeIssuedUnderSecretA();
      const after = await rebuildWith(secretB, [secretA]);
      expect(await after.service.verify({ address: anna, code })).toEqual({ ok: true, address: anna, purpose: 'sign-in' });
    });

    it('refuses a code issued under secret A once A is dropped', async () => {
      const { rebuildWith } = await codeIssuedUnderSecretA();
      const after = await rebuildWith(secretB, []);
      expect(await after.service.verify({ address: anna, code })).toEqual({ ok: false, reason: 'invalid_code', attemptsLeft: 4 });
    });

    it('signs new codes with the current secret B, under its own key id', async () => {
      const { before, rebuildWith } = await codeIssuedUnderSecretA();
      const after = await rebuildWith(secretB, [secretA]);
      before.clock.advanceSeconds(61);
      await after.requestAndReceive({ address: anna });
      const keyIds = await before.db.selectFrom('otp_codes').select('key_id').orderBy('created_at').execute();
      const keyIdOf = (secret: string) => new SecretKeyring(secret, [], codeHmacPurpose).current.id;
      expect(keyIds.map((row) => row.key_id)).toEqual([keyIdOf(secretA), keyIdOf(secretB)]);
      expect(await after.service.verify({ address: anna, code: '364501' })).toMatchObject({ ok: true });
    });

    it('still delivers an email queued under secret A after rotation, while A is kept', async () => {
      const before = await makeService({}, { codeGenerator: codesInOrder(code), currentSecret: secretA });
      await before.service.request({ address: anna });
      const after = await makeService({}, { db: before.db, clock: before.clock, currentSecret: secretB, oldSecrets: [secretA] });
      await after.deliverOutbox();
      expect(after.delivered.codes).toEqual([code]);
      expect(await after.service.verify({ address: anna, code })).toMatchObject({ ok: true });
    });
  });
});

describe('CodeHasher.firstMatch', () => {
  const binding = { purpose: 'login', address: anna, context: '' };
  const underA = makeHasher(secretA).digest(binding, code);
  const otherUnderA = makeHasher(secretA).digest(binding, '111111');
  const rotated = makeHasher(secretB, [secretA]);

  it('finds a code under an old key beside codes under the current key, each compared with its own key', () => {
    const underB = rotated.digest(binding, '222222');
    expect(rotated.firstMatch(binding, code, [underB, otherUnderA, underA])).toBe(2);
    expect(rotated.firstMatch(binding, '222222', [otherUnderA, underA, underB])).toBe(2);
    expect(rotated.firstMatch(binding, '333333', [underB, underA])).toBe(-1);
  });

  it('never matches a digest whose key is gone, nor a decoy with no key', () => {
    const withoutA = makeHasher(secretB);
    expect(withoutA.firstMatch(binding, code, [underA])).toBe(-1);
    expect(withoutA.firstMatch(binding, code, [{ keyId: '', hash: underA.hash }])).toBe(-1);
  });
});
