/**
 * An Express shop that confirms a payment by email code through a running otp-app service. It uses
 * only `otp-app/client`: sendCode, verifyCode, and verifyOtpToken to check the signed result before it
 * accepts the payment — bound to the exact text the customer confirmed.
 *
 * Run: OTP_BASE_URL=http://127.0.0.1:8000 OTP_API_KEY=otpk_… OTP_API_KEY_LABEL=shop npm run example:shop
 */
import { pathToFileURL } from 'node:url';
import escapeHtml from 'escape-html';
import express, { type Express, type Response } from 'express';
import { createOtpClient, verifyOtpToken } from 'otp-app/client';

export interface ShopOptions {
  /** Where otp-app answers. */
  otpBaseUrl: string;
  apiKey: string;
  /** The label of the key in otp-app's API_KEY_HASHES: tokens are issued for `api-key:<label>`. */
  apiKeyLabel: string;
  /** otp-app's TOKEN_ISSUER. @default 'otp-app' */
  issuer?: string;
}

interface Order {
  id: string;
  /** What the customer confirms; the code and the token are bound to exactly this text. */
  action: string;
  paidBy?: string;
}

const purpose = 'confirm-action';

export function createShopApp(options: ShopOptions): Express {
  const otp = createOtpClient({ baseUrl: options.otpBaseUrl, apiKey: options.apiKey });
  const orders = new Map<string, Order>([['1', { id: '1', action: 'Pay 120.00 EUR to ACME Ltd' }]]);
  /** Token ids already accepted: a token pays one order once. */
  const acceptedTokens = new Set<string>();
  const app = express();
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  function orderOf(id: string, response: Response): Order | undefined {
    const order = orders.get(id);
    if (order === undefined) response.status(404).send(page('No such order', '<p>There is no such order.</p>'));
    return order;
  }

  /** The one place a payment is accepted: only with a valid token bound to this order's exact text. */
  async function accept(order: Order, token: string): Promise<string | undefined> {
    const checked = await verifyOtpToken(token, {
      jwksUrl: new URL('/.well-known/jwks.json', options.otpBaseUrl),
      issuer: options.issuer ?? 'otp-app',
      audience: `api-key:${options.apiKeyLabel}`,
      purpose,
      context: order.action,
    });
    if (!checked.ok) return `The confirmation was refused (${checked.reason}).`;
    if (acceptedTokens.has(checked.claims.jti)) return 'This confirmation was already used.';
    acceptedTokens.add(checked.claims.jti);
    order.paidBy = checked.claims.sub;
    return undefined;
  }

  app.get('/orders/:id', (request, response) => {
    const order = orderOf(request.params.id, response);
    if (order === undefined) return;
    if (order.paidBy !== undefined) {
      response.send(
        page('Paid', `<p>Payment accepted: ${escapeHtml(order.action)}, confirmed by ${escapeHtml(order.paidBy)}.</p>`),
      );
      return;
    }
    response.send(
      page(
        'Confirm your payment',
        `<p>${escapeHtml(order.action)}</p>
<form method="post" action="/orders/${order.id}/code">
  <label>Email <input name="email" type="email" required autocomplete="email"></label>
  <button>Email me a code</button>
</form>`,
      ),
    );
  });

  app.post('/orders/:id/code', async (request, response) => {
    const order = orderOf(request.params.id, response);
    if (order === undefined) return;
    const email = String(request.body?.email ?? '');
    const sent = await otp.sendCode({ email, purpose, context: order.action });
    if (!sent.ok) {
      response
        .status(sent.error.code === 'rate_limited' ? 429 : 400)
        .send(page('Could not send a code', `<p>${escapeHtml(sent.error.detail)}</p>`));
      return;
    }
    response.send(codeForm(order, email));
  });

  app.post('/orders/:id/confirm', async (request, response) => {
    const order = orderOf(request.params.id, response);
    if (order === undefined) return;
    const email = String(request.body?.email ?? '');
    const verified = await otp.verifyCode({ email, code: String(request.body?.code ?? ''), purpose, context: order.action });
    if (!verified.ok) {
      const hint = verified.error.code === 'invalid_code' ? ` ${verified.error.attemptsLeft} tries left.` : '';
      response.status(422).send(codeForm(order, email, `${verified.error.detail}${hint}`));
      return;
    }
    const refusal = await accept(order, verified.value.token);
    if (refusal !== undefined) {
      response.status(403).send(page('Not accepted', `<p>${escapeHtml(refusal)}</p>`));
      return;
    }
    response.redirect(303, `/orders/${order.id}`);
  });

  /** A token obtained elsewhere (another of your services, the hosted pages' API audience): checked the same way. */
  app.post('/orders/:id/token', async (request, response) => {
    const order = orderOf(request.params.id, response);
    if (order === undefined) return;
    const refusal = await accept(order, String(request.body?.token ?? ''));
    if (refusal !== undefined) {
      response.status(403).send(page('Not accepted', `<p>${escapeHtml(refusal)}</p>`));
      return;
    }
    response.redirect(303, `/orders/${order.id}`);
  });

  return app;
}

function codeForm(order: Order, email: string, error?: string): string {
  return page(
    'Type the code',
    `<p>We emailed a code to ${escapeHtml(email)} to confirm: ${escapeHtml(order.action)}</p>
${error === undefined ? '' : `<p role="alert">${escapeHtml(error)}</p>`}
<form method="post" action="/orders/${order.id}/confirm">
  <input type="hidden" name="email" value="${escapeHtml(email)}">
  <label>Code <input name="code" inputmode="numeric" autocomplete="one-time-code" required></label>
  <button>Confirm payment</button>
</form>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1>${body}</html>`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { OTP_BASE_URL, OTP_API_KEY, OTP_API_KEY_LABEL = 'shop', PORT = '3000' } = process.env;
  if (OTP_BASE_URL === undefined || OTP_API_KEY === undefined) {
    console.error('Set OTP_BASE_URL and OTP_API_KEY (make a key with: npm run cli -- api-key).');
    process.exit(2);
  }
  const app = createShopApp({ otpBaseUrl: OTP_BASE_URL, apiKey: OTP_API_KEY, apiKeyLabel: OTP_API_KEY_LABEL });
  app.listen(Number(PORT), '127.0.0.1', () => console.log(`shop on http://127.0.0.1:${PORT}/orders/1`));
}
