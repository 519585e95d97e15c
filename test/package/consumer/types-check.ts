// Compiled by tsc in a fresh project (moduleResolution nodenext) against the installed package's .d.ts
// files: the public types are what the README shows. Never run.
import { createOtpRuntime, type OtpRuntime, otpPlugin, type RequestOutcome, type VerifyOutcome } from 'otp-app';
import { type CodeSent, createOtpClient, type OtpClientResult, type OtpTokenResult, verifyOtpToken } from 'otp-app/client';

export async function readmeExamples(): Promise<unknown[]> {
  const otp: OtpRuntime = await createOtpRuntime({ secretKey: 'secret', smtpUrl: 'smtp://localhost:25' });
  const requested: RequestOutcome = await otp.service.request({ address: 'anna@example.com', purpose: 'sign-in' });
  const verifiedHere: VerifyOutcome = await otp.service.verify({ address: 'anna@example.com', code: '123456' });

  const client = createOtpClient({ baseUrl: 'https://otp.example.com', apiKey: 'key' });
  const sent: OtpClientResult<CodeSent> = await client.sendCode({ email: 'anna@example.com', context: 'Pay 120.00 EUR' });
  const expiresAt: Date | undefined = sent.ok ? sent.value.expiresAt : undefined;
  const verified = await client.verifyCode({ email: 'anna@example.com', code: '123456', context: 'Pay 120.00 EUR' });
  let attemptsLeft: number | undefined;
  if (!verified.ok && verified.error.code === 'invalid_code') attemptsLeft = verified.error.attemptsLeft;
  if (!verified.ok && verified.error.code === 'rate_limited') {
    // @ts-expect-error only invalid_code carries attemptsLeft
    attemptsLeft = verified.error.attemptsLeft;
  }
  const checked: OtpTokenResult = await verifyOtpToken('token', {
    jwksUrl: 'https://otp.example.com/.well-known/jwks.json',
    issuer: 'otp-app',
    audience: 'api-key:shop',
    purpose: 'confirm-action',
    context: 'Pay 120.00 EUR',
  });
  const subject: string | undefined = checked.ok ? checked.claims.sub : undefined;
  // @ts-expect-error a token check without an issuer is a mistake the types catch
  await verifyOtpToken('token', { jwksUrl: 'https://otp.example.com/.well-known/jwks.json', audience: 'a', purpose: 'p' });
  return [otpPlugin, requested, verifiedHere, expiresAt, attemptsLeft, subject];
}
