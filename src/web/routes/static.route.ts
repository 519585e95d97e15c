import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { pageRoutes } from '../page-paths.js';

const stylesheet = readFileSync(new URL('../static/app.css', import.meta.url), 'utf8');
// Served from 'self': the CSP allows no inline script. Pages work without it; it only enhances.
const script = readFileSync(new URL('../static/app.js', import.meta.url), 'utf8');

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  app.get(pageRoutes.stylesheet, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
  app.get(pageRoutes.script, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(script),
  );
}
