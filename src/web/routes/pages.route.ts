import type { FastifyInstance } from 'fastify';
import { translate } from '../../i18n/index.js';
import { takeFlash, verifiedFlashMaxAgeMs } from '../flash.js';
import { pageRoutes } from '../page-paths.js';
import { sendPage } from '../page-reply.js';
import type { PagesContext } from '../pages-context.js';
import { localeOf, rememberLocaleChoice } from '../request-locale.js';
import { takeReturnState } from '../return-state-cookie.js';
import { claimVerifiedVisit } from '../verified-visit.js';
import { homePage, landingPage } from '../views/home-page.js';
import { successPage } from '../views/result-pages.js';

export async function pagesRoutes(app: FastifyInstance, context: PagesContext): Promise<void> {
  const { appName, paths, returnUrl, service } = context;
  app.get(pageRoutes.home, async (request, reply) => {
    const locale = localeOf(request);
    return sendPage(reply, context, translate(locale, 'home.title'), homePage(locale, paths, appName));
  });
  app.get(pageRoutes.start, async (request, reply) => {
    const locale = localeOf(request);
    return sendPage(reply, context, translate(locale, 'landing.title'), landingPage(locale, paths));
  });
  app.get(pageRoutes.success, async (request, reply) => {
    const locale = localeOf(request);
    const { verified } = takeFlash(request, reply, paths.siteCookiePath);
    // Only a verify that just succeeded lands here, once, in the browser that verified; a bookmark, a
    // second visit or a flash replayed from elsewhere goes back to the start.
    const nowMs = service.nowMs();
    const fresh = verified !== undefined && Math.abs(nowMs - verified.atMs) <= verifiedFlashMaxAgeMs;
    const firstHere =
      fresh && (await claimVerifiedVisit(request, verified, context.successVisits, verified.atMs + verifiedFlashMaxAgeMs));
    if (verified === undefined || !firstHere) {
      // A language switch on this page lands here too (the flash is spent): keep the choice across the redirect.
      rememberLocaleChoice(request, reply, paths.siteCookiePath);
      return reply.redirect(paths.start, 303);
    }
    // The token is signed only when there is somewhere to take it: the same JWT the API returns.
    const state = takeReturnState(request, reply, paths.start);
    const handBack =
      returnUrl === undefined
        ? undefined
        : {
            url: returnUrl,
            state,
            token: (
              await context.tokens.issue({
                address: verified.address,
                purpose: verified.purpose,
                audience: new URL(returnUrl).origin,
                ...(state === undefined ? {} : { nonce: state }),
              })
            ).token,
          };
    return sendPage(reply, context, translate(locale, 'success.title'), successPage(locale, paths, verified.address, handBack));
  });
}
