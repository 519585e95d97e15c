import { describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { dialects } from '../support/dialects.js';
import { textOf } from '../support/form-client.js';
import { startTestApp } from '../support/test-app.js';
import { ClientAt, counterValue, inBatches } from './client-at.js';
import { realisticEnv } from './realistic-env.js';

const paths = pagePaths();

/**
 * The attack the per-network limit cannot see: 500 requests for distinct addresses at one company,
 * each from a network of its own (a botnet), through the hosted pages with every limit at its default.
 */
describe.each(dialects)('mailing a whole company from many networks (%s)', (dialect) => {
  const opened = closedAfterEach();

  it('caps the company at OTP_DOMAIN_REQUEST_LIMIT, while a real person at another domain is served', async () => {
    const testApp = opened.add(await startTestApp({ dialect, env: realisticEnv }));
    const bots = Array.from({ length: 500 }, (_, i) => new ClientAt(testApp.app, `10.${Math.floor(i / 250)}.${i % 250}.7`));
    const person = new ClientAt(testApp.app, '198.51.100.23');
    await person.get(paths.request);
    let personServed: Promise<{ status: number }> | undefined;
    const pages = await inBatches(bots, 20, async (bot) => {
      if (bot === bots[250]) personServed = person.post(paths.request, { email: 'anna@example.org' });
      await bot.get(paths.request);
      return bot.post(paths.request, { email: `staff-${bot.ip.replace(/\./g, '-')}@acme-corp.test` });
    });

    expect(pages.filter((page) => page.status === 303)).toHaveLength(100);
    const refused = pages.filter((page) => page.status === 429);
    expect(refused).toHaveLength(400);
    expect(textOf(refused[0]!.body)).toContain('addresses at acme-corp.test in the last hour');
    expect((await personServed!).status).toBe(303);
    expect(await testApp.runtime.db.selectFrom('outbox_messages').select('id').execute()).toHaveLength(101);
    expect(await counterValue(testApp, 'otp_defence_refusals_total', { defence: 'domain_limit' })).toBe(400);
    expect(await counterValue(testApp, 'otp_defence_refusals_total', { defence: 'subnet_limit' })).toBe(0);
  });
});
