import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createEmbedApp, otpPrefix } from '../../examples/fastify-embed/server.js';

/** The site the example believes it runs at: its emails link there, and tests open the link's path on `origin`. */
export const embedSiteUrl = 'http://shop.test';

export interface EmbedApp {
  app: FastifyInstance;
  /** `http://127.0.0.1:PORT`: the host app's own routes. */
  origin: string;
  /** `origin` + `/otp`: where otp-app's pages and API are. */
  otpUrl: string;
  close(): Promise<void>;
}

/** The example host app (examples/fastify-embed) on an ephemeral port, with its own SQLite file. */
export async function startEmbedApp(options: { smtpUrl: string; apiKeyHashes?: readonly string[] }): Promise<EmbedApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'otp-app-embed-'));
  const app = await createEmbedApp({
    siteUrl: embedSiteUrl,
    secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
    smtpUrl: options.smtpUrl,
    databaseUrl: `sqlite:${join(dataDir, 'otp.sqlite')}`,
    ...(options.apiKeyHashes === undefined ? {} : { apiKeyHashes: options.apiKeyHashes }),
    logger: pino({ level: 'silent' }),
  }).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    origin,
    otpUrl: `${origin}${otpPrefix}`,
    async close() {
      try {
        await app.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
