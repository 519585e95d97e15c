import { generateApiKey } from 'otp-app';
import { describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { embedSiteUrl, startEmbedApp } from '../support/embed-app.js';
import { FormClient, textOf } from '../support/form-client.js';
import { codeInText, linkPathIn } from '../support/mail-links.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';

const paths = pagePaths('/otp');
const anna = 'anna@example.com';

describe('examples/fastify-embed: a shop with otp-app under /otp', () => {
  const opened = closedAfterEach();
  const apiKey = generateApiKey();

  async function start() {
    const smtp = opened.add(await startSmtpTestServer());
    const shop = opened.add(await startEmbedApp({ smtpUrl: smtp.url, apiKeyHashes: [apiKey.sha256Hex] }));
    return { smtp, shop };
  }

  it('serves the shop’s own page, which links to the pages under /otp, without any of otp-app’s headers', async () => {
    const { shop } = await start();
    const home = await fetch(`${shop.origin}/`);
    expect(await home.text()).toContain(`href="${paths.request}"`);
    expect(home.headers.get('content-security-policy')).toBeNull();
    expect(home.headers.getSetCookie()).toEqual([]);
    expect(await (await fetch(`${shop.origin}/health`)).json()).toEqual({ ok: true });
  });

  it('runs the code flow and the one-time link through the pages under /otp, mail read from a real SMTP server', async () => {
    const { smtp, shop } = await start();
    const browser = new FormClient(shop.origin);
    await browser.get(paths.request);
    const verify = await browser.post(paths.request, { email: anna });
    expect(verify.path).toBe(paths.verify);
    expect(textOf(verify.body)).toContain(`Code sent to ${anna}`);
    const [first] = await smtp.waitForMessages(1);
    const success = await browser.post(paths.verify, { email: anna, code: codeInText(first?.text) });
    expect(success.path).toBe(paths.success);

    await browser.get(paths.request);
    await browser.post(paths.request, { email: 'bob@example.com' });
    const second = (await smtp.waitForMessages(2))[1];
    expect(second?.text).toContain(`${embedSiteUrl}/otp/secure-otp/link/`);
    const linkPath = linkPathIn(second?.text);
    await browser.get(linkPath);
    expect((await browser.post(linkPath, {})).path).toBe(paths.success);
  });

  it('answers the JSON API under /otp with an API key', async () => {
    const { smtp, shop } = await start();
    const call = (path: string, body: unknown) =>
      fetch(`${shop.otpUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await call('/api/v1/otp', { email: anna })).status).toBe(202);
    const [mail] = await smtp.waitForMessages(1);
    // A code asked for through the API carries no link: it would spend the code outside the calling app.
    expect(mail?.text).not.toContain('/secure-otp/link/');
    const verified = await call('/api/v1/otp/verify', { email: anna, code: codeInText(mail?.text) });
    expect(verified.status).toBe(200);
    expect(((await verified.json()) as { token: string }).token.split('.')).toHaveLength(3);
    expect((await fetch(`${shop.otpUrl}/.well-known/jwks.json`)).status).toBe(200);
  });
});
