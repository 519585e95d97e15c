// Plain JavaScript against a running otp-app: `send BASE_URL API_KEY`, then `verify BASE_URL API_KEY CODE`.
import { createOtpClient, verifyOtpToken } from 'otp-app/client';

const [step, baseUrl, apiKey, code] = process.argv.slice(2);
const otp = createOtpClient({ baseUrl, apiKey });
const request = { email: 'shop@example.com', purpose: 'confirm-action', context: 'Pay 120.00 EUR to ACME Ltd' };

if (step === 'send') {
  const sent = await otp.sendCode(request);
  console.log(`RESULT ${JSON.stringify(sent)}`);
} else {
  const verified = await otp.verifyCode({ ...request, code });
  if (!verified.ok) throw new Error(JSON.stringify(verified.error));
  const checked = await verifyOtpToken(verified.value.token, {
    jwksUrl: new URL('/.well-known/jwks.json', baseUrl),
    issuer: 'otp-app',
    audience: 'api-key:ci',
    purpose: request.purpose,
    context: request.context,
  });
  console.log(`RESULT ${JSON.stringify(checked)}`);
}
