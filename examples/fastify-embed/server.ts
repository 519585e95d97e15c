/**
 * A host Fastify app (a small shop) with otp-app mounted under /otp beside its own routes: the hosted
 * pages at /otp/secure-otp/…, the JSON API at /otp/api/v1/…, the JWKS at /otp/.well-known/jwks.json.
 * Run it with `npm run example:embed`; see README.md beside this file.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createOtpRuntime, otpPlugin } from 'otp-app';
import pino, { type Logger } from 'pino';

export interface EmbedAppOptions {
  /** Where people reach this app, without the prefix: `https://shop.example.com`. */
  siteUrl: string;
  /** At least 32 bytes. */
  secretKey: string;
  /** `smtp://…`; without it (outside production) mail is kept in the dev mailbox at /otp/dev/mailbox. */
  smtpUrl?: string;
  /** `sqlite:/path/file.sqlite` or `postgres://…`. */
  databaseUrl: string;
  /** SHA-256 hex of each accepted API key (`otp-app api-key`); none: the JSON API stays off. */
  apiKeyHashes?: readonly string[];
  production?: boolean;
  logger?: Logger;
}

/** The prefix otp-app is mounted under: the pages, the API, its cookies and the email's link all carry it. */
export const otpPrefix = '/otp';

/**
 * Fastify's request lines write the URL, and the one-time link's URL holds its token: log the route
 * pattern (`/otp/secure-otp/link/:token`) instead, without the query string.
 */
export function createEmbedLogger(): Logger {
  return pino({
    level: 'info',
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization'], remove: true },
    serializers: {
      req: (request: { method: string; url: string; routeOptions?: { url?: string } }) => ({
        method: request.method,
        url: request.routeOptions?.url ?? request.url.split('?')[0],
      }),
    },
  });
}

export async function createEmbedApp(options: EmbedAppOptions): Promise<FastifyInstance> {
  const logger = options.logger ?? createEmbedLogger();
  const apiKeyHashes = options.apiKeyHashes ?? [];
  const otp = await createOtpRuntime({
    secretKey: options.secretKey,
    ...(options.smtpUrl === undefined ? {} : { smtpUrl: options.smtpUrl }),
    mailFrom: 'Shop <no-reply@shop.example.com>',
    databaseUrl: options.databaseUrl,
    // Where the pages are, prefix included: the one-time link in each email points there.
    publicUrl: `${options.siteUrl.replace(/\/+$/, '')}${otpPrefix}`,
    api: { keyHashes: apiKeyHashes },
    production: options.production ?? false,
    logger,
  });
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  app.addHook('onClose', () => otp.close());
  try {
    await app.register(otpPlugin, { prefix: otpPrefix, otp, pages: true, api: apiKeyHashes.length > 0 });
  } catch (error) {
    // A refused setting (publicUrl at another prefix, say): nobody will close an app we do not return.
    await otp.close();
    throw error;
  }

  // The shop's own routes: none of otp-app's headers, cookies or error pages reach them.
  app.get('/', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><title>Shop</title><h1>Shop</h1><p><a href="${otpPrefix}/secure-otp/request/">Sign in with a code</a></p>`,
      ),
  );
  app.get('/health', async () => ({ ok: true }));
  return app;
}

/** `npm run example:embed`: development settings, mail in the dev mailbox unless SMTP_URL is set. */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const siteUrl = process.env.SITE_URL ?? `http://localhost:${port}`;
  const app = await createEmbedApp({
    siteUrl,
    // A fresh key per start is fine for trying it out: codes from before a restart stop working.
    secretKey: process.env.SECRET_KEY ?? randomBytes(48).toString('base64'),
    ...(process.env.SMTP_URL === undefined ? {} : { smtpUrl: process.env.SMTP_URL }),
    databaseUrl: process.env.DATABASE_URL ?? 'sqlite:./data/fastify-embed.sqlite',
    // Make a key with `npm run cli -- api-key`; only its hash is configured here.
    apiKeyHashes: (process.env.API_KEY_HASHES ?? '').split(',').filter(Boolean),
  });
  await app.listen({ port, host: '127.0.0.1' });
  app.log.info(`shop at ${siteUrl}/ · sign in at ${siteUrl}${otpPrefix}/secure-otp/request/`);
  if (process.env.SMTP_URL === undefined) app.log.info(`no SMTP_URL: read the emails at ${siteUrl}${otpPrefix}/dev/mailbox`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
