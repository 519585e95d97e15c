// Plain JavaScript, as a user of the installed package writes it: the library without HTTP.
import { createOtpRuntime } from 'otp-app';
import pino from 'pino';

const [smtpUrl, dataDir] = process.argv.slice(2);
const otp = await createOtpRuntime({
  secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
  smtpUrl,
  dataDir,
  logger: pino({ level: 'silent' }),
});
const outcome = await otp.service.request({ address: 'lib@example.com' });
// Wait until the outbox has handed the email to the SMTP server, then shut down cleanly.
for (let waited = 0; outcome.ok && (await otp.service.deliveryStatus(outcome.codeId)) !== 'sent'; waited += 50) {
  if (waited > 30_000) throw new Error('the email was not sent');
  await new Promise((resolve) => setTimeout(resolve, 50));
}
await otp.close();
console.log(`RESULT ${JSON.stringify({ ok: outcome.ok })}`);
