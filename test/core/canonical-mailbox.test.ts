import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { canonicalMailbox } from '../../src/core/canonical-mailbox.js';
import { dialects } from '../support/dialects.js';
import { destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn } from './otp-service-harness.js';

// Issue 12 §2: one inbox must not be flooded through its aliases.
afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

describe('canonicalMailbox', () => {
  it.each([
    ['anna+shop@example.com', 'anna@example.com'],
    ['a.nna@example.com', 'a.nna@example.com'],
    ['a.n.n.a+x+y@gmail.com', 'anna@gmail.com'],
    ['anna@googlemail.com', 'anna@gmail.com'],
    ['+tag@example.com', '+tag@example.com'],
    ['anna@gmail.com.evil.example', 'anna@gmail.com.evil.example'],
  ])('counts %s as the mailbox %s', (address, mailbox) => {
    expect(canonicalMailbox(address)).toBe(mailbox);
  });
});

describe.each(dialects)('sends and cooldowns per mailbox (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);
  const aliases = [
    'anna.owner@gmail.com',
    'annaowner@gmail.com',
    'anna.owner+1@gmail.com',
    'anna.owner+2@gmail.com',
    'a.n.n.a.o.w.n.e.r@gmail.com',
    'ANNA.OWNER@gmail.com',
    'anna.owner@googlemail.com',
    'annaowner+news@googlemail.com',
    'a.nnaowner@gmail.com',
    'ann.aowner@gmail.com',
    'annaowner+3@gmail.com',
    'annaowner+4@gmail.com',
  ];

  it('lets five emails an hour reach one Gmail inbox, however its twelve aliases and flows are mixed', async () => {
    const { service } = await makeService();
    const outcomes = await Promise.all(aliases.map((address, i) => service.request({ address, flow: `flow ${i}` })));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(5);
    expect(outcomes.filter((outcome) => !outcome.ok && outcome.reason === 'send_limit')).toHaveLength(7);
  });

  it('lets ten a day through, hour after hour', async () => {
    const { service, clock } = await makeService();
    let sent = 0;
    for (let hour = 0; hour < 24; hour++) {
      for (const [i, address] of aliases.entries()) {
        if ((await service.request({ address, flow: `flow ${hour} ${i}` })).ok) sent++;
      }
      clock.advanceSeconds(3600);
    }
    expect(sent).toBe(10);
  });

  it("holds one flow's cooldown across the aliases of a mailbox", async () => {
    const { service } = await makeService();
    expect(await service.request({ address: 'anna.owner+1@gmail.com', flow: 'one browser' })).toMatchObject({ ok: true });
    expect(await service.request({ address: 'annaowner@gmail.com', flow: 'one browser' })).toMatchObject({
      ok: false,
      reason: 'cooldown',
    });
  });

  it('verifies the exact address typed, never its mailbox or another alias', async () => {
    const { service, requestAndReceive } = await makeService();
    const code = await requestAndReceive({ address: 'anna.owner+shop@gmail.com', flow: 'one browser' });
    expect(await service.verify({ address: 'annaowner@gmail.com', code, flow: 'one browser' })).toMatchObject({ ok: false });
    expect(await service.verify({ address: 'anna.owner+shop@gmail.com', code, flow: 'one browser' })).toEqual({
      ok: true,
      address: 'anna.owner+shop@gmail.com',
      purpose: 'sign-in',
    });
  });
});
