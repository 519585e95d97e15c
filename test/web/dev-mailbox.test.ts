import { describe, expect, it, vi } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { freshAppPerTest, productionEnv } from '../support/app-per-test.js';
import { FormClient, textOf } from '../support/form-client.js';

const paths = pagePaths();
const ada = 'ada@example.com';

describe('the dev mailbox', () => {
  describe('with a real mail transport', () => {
    const fixture = freshAppPerTest();

    it('is absent', async () => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(paths.devMailbox);
      expect(page.status).toBe(404);
    });
  });

  describe('in production', () => {
    const fixture = freshAppPerTest(productionEnv);

    it('is absent, with the page any unknown address gets', async () => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(paths.devMailbox);
      expect(page.status).toBe(404);
      expect(textOf(page.body)).toContain('There is no page at this address');
    });
  });

  describe('with no mail transport configured', () => {
    const fixture = freshAppPerTest(() => ({ SMTP_URL: undefined }));

    it('keeps the mail, where the code can be read and used', async () => {
      const client = new FormClient(fixture.testApp.baseUrl);
      expect(textOf((await client.get(paths.devMailbox)).body)).toContain('No messages yet.');

      await client.get(paths.request);
      expect((await client.post(paths.request, { email: ada })).path).toBe(paths.verify);
      // The outbox delivers after the response: look until the mail is there.
      const mailbox = await vi.waitFor(
        async () => {
          const page = await client.get(paths.devMailbox);
          if (!page.body.includes(ada)) throw new Error('no mail yet');
          return page;
        },
        { timeout: 5000, interval: 25 },
      );
      const code = /(?:^|\s)(\d{6})(?:\s|$)/m.exec(textOf(mailbox.body))?.[1];

      expect(mailbox.status).toBe(200);
      expect(mailbox.headers.get('cache-control')).toBe('no-store');
      expect(code).toBeDefined();

      await client.get(paths.verify);
      const verified = await client.post(paths.verify, { email: ada, code: code! });
      expect(verified.path).toBe(paths.success);
      expect(textOf(verified.body)).toContain(`You have proved that you control ${ada}`);
    });
  });
});
