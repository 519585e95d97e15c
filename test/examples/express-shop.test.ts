import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOtpClient } from 'otp-app/client';
import { afterEach, describe, expect, it } from 'vitest';
import { createShopApp } from '../../examples/express-shop/shop.js';
import { type ApiTestApp, startApiApp, wrongCodeFor } from '../api/api-app.js';
import { latestCodeFor } from '../support/mail-codes.js';

const anna = 'anna@example.com';

/** Posts a form the way the shop's pages do, without following redirects. */
async function postForm(
  url: string,
  fields: Record<string, string>,
): Promise<{ status: number; location: string | null; text: string }> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

describe('examples/express-shop: a payment confirmed through a running otp-app', () => {
  let api: ApiTestApp;
  let shop: Server;
  let shopUrl: string;

  afterEach(async () => {
    await new Promise((resolve) => shop?.close(resolve));
    await api?.close();
  });

  async function start() {
    api = await startApiApp();
    const app = createShopApp({ otpBaseUrl: api.testApp.baseUrl, apiKey: api.apiKey, apiKeyLabel: 'ci' });
    shop = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  }

  it('emails a code bound to the payment, and accepts the payment once the right code is typed', async () => {
    await start();
    expect(await (await fetch(`${shopUrl}/orders/1`)).text()).toContain('Pay 120.00 EUR to ACME Ltd');

    const asked = await postForm(`${shopUrl}/orders/1/code`, { email: anna });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('Type the code');
    await api.smtp.waitForMessages(1);
    expect(api.smtp.messages[0]!.text).toContain('Pay 120.00 EUR to ACME Ltd');
    const code = latestCodeFor(api.smtp.messages, anna);

    const wrong = await postForm(`${shopUrl}/orders/1/confirm`, { email: anna, code: wrongCodeFor(code) });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('4 tries left');

    const confirmed = await postForm(`${shopUrl}/orders/1/confirm`, { email: anna, code });
    expect(confirmed).toMatchObject({ status: 303, location: '/orders/1' });
    expect(await (await fetch(`${shopUrl}/orders/1`)).text()).toContain(
      `Payment accepted: Pay 120.00 EUR to ACME Ltd, confirmed by ${anna}`,
    );
  });

  it('refuses a valid token for another action, and refuses a forged one', async () => {
    await start();
    // The same customer, the same key, a genuine token — for a different amount.
    const otp = createOtpClient({ baseUrl: api.testApp.baseUrl, apiKey: api.apiKey });
    const other = { email: anna, purpose: 'confirm-action', context: 'Pay 9,999.00 EUR to ACME Ltd' };
    await otp.sendCode(other);
    await api.smtp.waitForMessages(1);
    const verified = await otp.verifyCode({ ...other, code: latestCodeFor(api.smtp.messages, anna) });
    if (!verified.ok) throw new Error(JSON.stringify(verified.error));

    const refused = await postForm(`${shopUrl}/orders/1/token`, { token: verified.value.token });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('wrong_context');
    const forged = await postForm(`${shopUrl}/orders/1/token`, { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.' });
    expect(forged.status).toBe(403);
    expect(await (await fetch(`${shopUrl}/orders/1`)).text()).toContain('Confirm your payment');
  });
});
