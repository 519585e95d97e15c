import type { FastifyInstance } from 'fastify';
import type { VerificationTokens } from '../../core/verification-token.js';
import { translate } from '../../i18n/index.js';
import { takeFlash, verifiedFlashMaxAgeMs } from '../flash.js';
import { sendPage } from '../page-reply.js';
import { localeOf, rememberLocaleChoice } from '../request-locale.js';
import { takeReturnState } from '../return-state-cookie.js';
import { homePage, landingPage } from '../views/home-page.js';
import { successPage } from '../views/result-pages.js';

export interface PagesRouteOptions {
  appName: string;
  tokens: VerificationTokens;
  /** When set, the success page offers the verification token to this URL (a POST form back to the calling app). */
  returnUrl?: string | undefined;
}

export async function pagesRoutes(app: FastifyInstance, options: PagesRouteOptions): Promise<void> {
  const { appName } = options;
  app.get('/', async (request, reply) => {
    const locale = localeOf(request);
    return sendPage(reply, appName, translate(locale, 'home.title'), homePage(locale, appName));
  });
  app.get('/secure-otp/', async (request, reply) => {
    const locale = localeOf(request);
    return sendPage(reply, appName, translate(locale, 'landing.title'), landingPage(locale));
  });
  app.get('/secure-otp/success/', async (request, reply) => {
    const locale = localeOf(request);
    const { verified } = takeFlash(request, reply);
    // Only a verify that just succeeded lands here; a bookmark or a second visit goes back to the start.
    const fresh = verified !== undefined && Math.abs(Date.now() - verified.atMs) <= verifiedFlashMaxAgeMs;
    if (verified === undefined || !fresh) {
      // A language switch on this page lands here too (the flash is spent): keep the choice across the redirect.
      rememberLocaleChoice(request, reply);
      return reply.redirect('/secure-otp/', 303);
    }
    // The token is signed only when there is somewhere to take it: the same JWT the API returns.
    const state = takeReturnState(request, reply);
    const handBack =
      options.returnUrl === undefined
        ? undefined
        : {
            url: options.returnUrl,
            state,
            token: (
              await options.tokens.issue({
                address: verified.address,
                purpose: verified.purpose,
                audience: new URL(options.returnUrl).origin,
                ...(state === undefined ? {} : { nonce: state }),
              })
            ).token,
          };
    return sendPage(reply, appName, translate(locale, 'success.title'), successPage(locale, verified.address, handBack));
  });
}
