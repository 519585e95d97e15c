import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { textOf } from '../support/form-client.js';
import { startTestApp, testRedisUrl } from '../support/test-app.js';
import { ClientAt, counterValue, inBatches } from './client-at.js';
import { realisticEnv } from './realistic-env.js';

const paths = pagePaths();
const networkBusy = 'Many requests have come from your network';

describe('limits per client network see through address rotation', () => {
  const opened = closedAfterEach();

  it('stops 2,000 requests from 200 addresses in one /24 at the subnet limit, while a client elsewhere is served', async () => {
    const testApp = opened.add(await startTestApp({ env: realisticEnv }));
    // 200 attacker addresses, 10 requests each: every one stays under its per-IP limit of 30.
    const attackers = Array.from({ length: 200 }, (_, i) => new ClientAt(testApp.app, `203.0.113.${i + 1}`));
    await inBatches(attackers, 20, (client) => client.get(paths.request));
    const shots = Array.from({ length: 2000 }, (_, i) => ({ client: attackers[i % 200]!, i }));
    const person = new ClientAt(testApp.app, '198.51.100.23');
    await person.get(paths.request);

    let personServed: Promise<{ status: number }> | undefined;
    const pages = await inBatches(shots, 20, async ({ client, i }) => {
      // Halfway through the attack a real person on another network asks for a code.
      if (i === 1000) personServed = person.post(paths.request, { email: 'anna@example.com' });
      return client.post(paths.request, { email: `target-${i}@spray-${i % 40}.test` });
    });
    const personPage = await personServed!;

    const accepted = pages.filter((page) => page.status === 303);
    const refused = pages.filter((page) => page.status === 429);
    // OTP_SUBNET_REQUEST_LIMIT's default; without it, the per-IP limit alone lets all 2,000 through.
    expect(accepted).toHaveLength(200);
    expect(refused).toHaveLength(1800);
    for (const page of refused) {
      expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
      expect(textOf(page.body)).toContain(networkBusy);
    }
    expect(personPage.status).toBe(303);
    const queued = await testApp.runtime.db.selectFrom('outbox_messages').select('id').execute();
    expect(queued).toHaveLength(201);
    expect(await counterValue(testApp, 'otp_defence_refusals_total', { defence: 'subnet_limit' })).toBe(1800);
    const logged = testApp.logLines.filter((line) => line.includes('"event":"abuse.subnet_limited"'));
    expect(logged).toHaveLength(1800);
    expect(logged[0]).toContain('"network":"203.0.113.0/24"');
  });

  it('counts an IPv6 /64 as one client, and a neighbouring /64 apart', async () => {
    const testApp = opened.add(await startTestApp({ env: { ...realisticEnv, OTP_SUBNET_REQUEST_LIMIT: '20' } }));
    const rotating = Array.from({ length: 50 }, (_, i) => new ClientAt(testApp.app, `2001:db8:1:2::${(i + 1).toString(16)}`));
    const statuses = await inBatches(rotating, 10, async (client) => {
      await client.get(paths.request);
      return (await client.post(paths.request, { email: `v6-${client.ip.replace(/:/g, '-')}@example.org` })).status;
    });
    expect(statuses.filter((status) => status === 303)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30);
    const neighbour = new ClientAt(testApp.app, '2001:db8:1:3::1');
    await neighbour.get(paths.request);
    expect((await neighbour.post(paths.request, { email: 'bo@example.org' })).status).toBe(303);
  });

  it('counts verifies by code and by link from one network together, and refuses past OTP_SUBNET_VERIFY_LIMIT', async () => {
    const testApp = opened.add(await startTestApp({ env: { ...realisticEnv, OTP_SUBNET_VERIFY_LIMIT: '30' } }));
    const guessers = Array.from({ length: 60 }, (_, i) => new ClientAt(testApp.app, `192.0.2.${i + 1}`));
    const statuses = await inBatches(guessers, 10, async (client) => {
      const byLink = Number(client.ip.split('.')[3]) % 2 === 0;
      if (byLink) {
        const link = paths.link('A'.repeat(43));
        await client.get(link);
        return (await client.post(link, {})).status;
      }
      await client.get(paths.verify);
      return (await client.post(paths.verify, { email: `someone-${client.ip}@example.com`, code: '123456' })).status;
    });
    expect(statuses.filter((status) => status === 429)).toHaveLength(30);
    expect(statuses.filter((status) => status !== 429)).toHaveLength(30);
  });

  it('shares the count between two app processes through Redis', async () => {
    // Two apps with their own databases, one Redis, one key prefix: what two processes behind a load balancer share.
    const env = {
      ...realisticEnv,
      OTP_SUBNET_REQUEST_LIMIT: '40',
      REDIS_URL: testRedisUrl,
      REDIS_KEY_PREFIX: `otp-test-${randomBytes(6).toString('hex')}:`,
    };
    const first = opened.add(await startTestApp({ env }));
    const second = opened.add(await startTestApp({ env }));
    const clients = Array.from({ length: 100 }, (_, i) => new ClientAt((i % 2 === 0 ? first : second).app, `203.0.113.${i + 1}`));
    const statuses = await inBatches([...clients, ...clients], 10, async (client) => {
      await client.get(paths.request);
      return (await client.post(paths.request, { email: `shared-${randomBytes(4).toString('hex')}@spray.test` })).status;
    });
    // Each process alone would grant 40.
    expect(statuses.filter((status) => status === 303)).toHaveLength(40);
    expect(statuses.filter((status) => status === 429)).toHaveLength(160);
  });
});
