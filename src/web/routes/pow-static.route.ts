import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { supportedLocales } from '../../i18n/index.js';
import { pageRoutes } from '../page-paths.js';

/**
 * The ALTCHA widget's files, served from our own origin (no third party, and the CSP stays 'self'):
 * the `external` build (no inline styles, no blob: workers), its stylesheet, the PBKDF2 worker, and
 * its translations for the languages the pages speak. Read from the installed `altcha` package, which
 * resolves the same in a checkout and in an installed otp-app. `altcha` resolves to dist/main/…, so its
 * dist folder is two levels up.
 */
const altchaDist = dirname(dirname(createRequire(import.meta.url).resolve('altcha')));
const read = (path: string) => readFileSync(join(altchaDist, path), 'utf8');

const files: Readonly<Record<string, { type: string; body: string }>> = {
  'altcha.js': { type: 'text/javascript; charset=utf-8', body: read('external/altcha.min.js') },
  'altcha.css': { type: 'text/css; charset=utf-8', body: read('external/altcha.css') },
  'pbkdf2-worker.js': { type: 'text/javascript; charset=utf-8', body: read('workers/pbkdf2.js') },
  ...Object.fromEntries(
    supportedLocales
      .filter((locale) => locale !== 'en')
      .map((locale) => [`i18n-${locale}.js`, { type: 'text/javascript; charset=utf-8', body: read(`i18n/${locale}.js`) }]),
  ),
};

// Served from 'self' like app.js: it loads the widget, registers the worker and submits once solved.
const powScript = readFileSync(new URL('../static/pow-challenge.js', import.meta.url), 'utf8');

export async function powStaticRoutes(app: FastifyInstance): Promise<void> {
  app.get(pageRoutes.powScript, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(powScript),
  );
  app.get<{ Params: { file: string } }>(`${pageRoutes.powWidgetFolder}:file`, async (request, reply) => {
    const file = Object.hasOwn(files, request.params.file) ? files[request.params.file] : undefined;
    if (file === undefined) return reply.callNotFound();
    return reply.type(file.type).header('cache-control', 'public, max-age=3600').send(file.body);
  });
}
