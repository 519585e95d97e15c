import type { FastifyInstance } from 'fastify';
import { takeFlash } from '../flash.js';
import { sendPage } from '../page-reply.js';
import { homePage, landingPage } from '../views/home-page.js';
import { successPage } from '../views/result-pages.js';

export async function pagesRoutes(app: FastifyInstance, options: { appName: string }): Promise<void> {
  const { appName } = options;
  app.get('/', async (_request, reply) => sendPage(reply, appName, 'Home', homePage(appName)));
  app.get('/secure-otp/', async (_request, reply) => sendPage(reply, appName, 'Secure one-time code', landingPage()));
  app.get('/secure-otp/success/', async (request, reply) => {
    const { verified } = takeFlash(request, reply);
    // Only a verify that just succeeded lands here; a bookmark or a second visit goes back to the start.
    if (verified === undefined) return reply.redirect('/secure-otp/', 303);
    return sendPage(reply, appName, 'Verified', successPage(verified.address));
  });
}
