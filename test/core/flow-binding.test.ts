import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { codesInOrder, destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn } from './otp-service-harness.js';

// Issue 12 §1: a code is bound to the flow that asked for it (a browser's secret, an API key).
const anna = 'anna@example.com';
const owner = 'the owner browser flow secret';
const stranger = 'a stranger browser flow secret';
const [first, second] = ['918273', '364501'] as const;
const wrongCode = '555555';

afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

describe.each(dialects)('codes bound to the flow that asked (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);

  async function ownerHasACode() {
    const harness = await makeService({}, { codeGenerator: codesInOrder(first, second, '720946', '246810') });
    await harness.requestAndReceive({ address: anna, flow: owner });
    return harness;
  }

  it('accepts the right code only in the flow that asked for it; elsewhere it is any wrong code', async () => {
    const { service } = await ownerHasACode();
    expect(await service.verify({ address: anna, code: first, flow: stranger })).toEqual({
      ok: false,
      reason: 'invalid_code',
      attemptsLeft: 4,
    });
    expect(await service.verify({ address: anna, code: first })).toMatchObject({ ok: false, reason: 'invalid_code' });
    expect(await service.verify({ address: anna, code: first, flow: owner })).toMatchObject({ ok: true });
  });

  it("spends none of the owner's attempts on a stranger's guesses, however many", async () => {
    const { service, db } = await ownerHasACode();
    for (let i = 0; i < 30; i++) await service.verify({ address: anna, code: wrongCode, flow: `${stranger} ${i}` });
    expect(await service.verify({ address: anna, code: wrongCode, flow: owner })).toEqual({
      ok: false,
      reason: 'invalid_code',
      attemptsLeft: 4,
    });
    // They met no code, so they count nowhere: the mailbox has only the owner's one mistake against it.
    const failures = await db.selectFrom('address_failures').select('failures').execute();
    expect(failures).toEqual([{ failures: 1 }]);
    expect(await service.verify({ address: anna, code: first, flow: owner })).toMatchObject({ ok: true });
  });

  it('tells a stranger nothing through attemptsLeft of the owner mistyping or asking again', async () => {
    // Anna mistypes twice and asks again; Ben, beside her, does nothing after his request.
    const { service, clock, requestAndReceive } = await ownerHasACode();
    const ben = 'ben@example.com';
    await requestAndReceive({ address: ben, flow: owner });
    await service.verify({ address: anna, code: wrongCode, flow: owner });
    await service.verify({ address: anna, code: wrongCode, flow: owner });
    clock.advanceSeconds(61);
    await requestAndReceive({ address: anna, flow: owner });
    const answers = [];
    for (const address of [ben, anna]) {
      const outcomes = [];
      for (let i = 0; i < 6; i++) outcomes.push(await service.verify({ address, code: wrongCode, flow: stranger }));
      answers.push(outcomes);
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]!.at(-1)).toEqual({ ok: false, reason: 'locked' });
  });

  it("keeps each flow's cooldown its own: another flow may ask at once, the same flow must wait", async () => {
    const { service } = await ownerHasACode();
    expect(await service.request({ address: anna, flow: stranger })).toMatchObject({ ok: true });
    expect(await service.request({ address: anna, flow: owner })).toMatchObject({ ok: false, reason: 'cooldown' });
  });

  it('tells where the email is only to the flow that asked for it', async () => {
    const { service } = await makeService();
    const sent = await service.request({ address: anna, flow: owner });
    if (!sent.ok) throw new Error('request refused');
    expect(await service.deliveryStatus(sent.codeId, owner)).toBe('queued');
    expect(await service.deliveryStatus(sent.codeId, stranger)).toBeNull();
    expect(await service.deliveryStatus(sent.codeId)).toBeNull();
  });
});
