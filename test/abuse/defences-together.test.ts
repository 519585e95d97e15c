import { describe, expect, it } from 'vitest';
import { translate } from '../../src/i18n/index.js';
import { pagePaths } from '../../src/web/page-paths.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { textOf } from '../support/form-client.js';
import { startTestApp } from '../support/test-app.js';
import { ClientAt, inBatches } from './client-at.js';
import { realisticEnv } from './realistic-env.js';

const paths = pagePaths();

// The rotation attack of subnet-rotation.test.ts with every defence at its default, the adaptive
// challenge included: the challenge fires first (a network over OTP_PRESSURE_NETWORK_REQUESTS a
// minute), the subnet limit behind it, and the attacker, who solves nothing, gets no more mail out.
describe('the challenge and the hard limits together', () => {
  const opened = closedAfterEach();

  it('2,000 requests from a rotating /24 send at most the soft threshold of codes; a person elsewhere is served', async () => {
    const testApp = opened.add(await startTestApp({ env: { ...realisticEnv, OTP_CHALLENGE: 'auto' } }));
    const attackers = Array.from({ length: 200 }, (_, i) => new ClientAt(testApp.app, `203.0.113.${i + 1}`));
    await inBatches(attackers, 20, (client) => client.get(paths.request));
    const person = new ClientAt(testApp.app, '198.51.100.23');
    await person.get(paths.request);

    const shots = Array.from({ length: 2000 }, (_, i) => ({ client: attackers[i % 200]!, i }));
    let personServed: Promise<{ status: number }> | undefined;
    const pages = await inBatches(shots, 20, async ({ client, i }) => {
      if (i === 1000) personServed = person.post(paths.request, { email: 'anna@example.com' });
      return client.post(paths.request, { email: `target-${i}@spray-${i % 40}.test` });
    });

    const accepted = pages.filter((page) => page.status === 303);
    const challenged = pages.filter((page) => textOf(page.body).includes(translate('en', 'challenge.title')));
    // Nothing else: every other answer is a refusal with a wait, never a code and never a 5xx.
    expect(pages.every((page) => page.status === 303 || page.status === 429)).toBe(true);
    expect(accepted.length).toBeLessThanOrEqual(testApp.config.challenge.networkRequestThreshold);
    expect(challenged.length).toBeGreaterThan(0);
    expect((await personServed!).status).toBe(303);
    const queued = await testApp.runtime.db.selectFrom('outbox_messages').select('id').execute();
    expect(queued).toHaveLength(accepted.length + 1);
  });
});
