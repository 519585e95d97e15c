import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DefenceEventListener } from '../abuse/defence-events.js';
import { type NetworkPrefixes, networkOf } from '../core/client-network.js';
import { formatWait, translate } from '../i18n/index.js';
import { type PageFrame, sendPage } from './page-reply.js';
import { localeOf } from './request-locale.js';
import { errorPage } from './views/result-pages.js';

export interface SubnetLimitSettings {
  prefixes: NetworkPrefixes;
  /** Code requests per client network per window (OTP_SUBNET_REQUEST_LIMIT). */
  requestLimit: number;
  /** Verifies, by code or link, per client network per window (OTP_SUBNET_VERIFY_LIMIT). */
  verifyLimit: number;
  /** The per-IP limits' window: one client network is counted over the same span as one of its addresses. */
  windowMs: number;
}

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/** preHandlers of the page forms: `request` for code requests, `verify` for code and link verifies (one count). */
export interface SubnetGuards {
  request: Guard;
  verify: Guard;
}

type Check = ReturnType<FastifyRequest['server']['createRateLimit']>;

/**
 * Limits per client network (an IPv4 /24, an IPv6 /64 by default) on top of the per-IP ones: an
 * attacker rotating through the addresses of a range they rent is counted as one client. Counted by
 * @fastify/rate-limit's own store, so in Redis when it is configured (shared by every process, failing
 * open like the per-IP limits) and in memory otherwise.
 *
 * Built with `createRateLimit`, not `rateLimit()`: the hook `rateLimit()` returns skips any request
 * the route's own per-IP limit already ran on (one "ran" flag per request), so it would never count.
 * Each guard makes its check once, on first use, so a verify and a link share one memory counter.
 * Runs after the per-IP limit: one noisy address is stopped there, before it eats its neighbours' budget.
 */
export function createSubnetGuards(settings: SubnetLimitSettings, frame: PageFrame, events: DefenceEventListener): SubnetGuards {
  function guard(action: 'request' | 'verify', max: number): Guard {
    let check: Check | undefined;
    return async (request, reply) => {
      // In Redis the key reads `<prefix>ip-limit:undefinedundefined-subnet-request:203.0.113.0/24`: the
      // plugin names a check's keys after its route, and a check made with createRateLimit has none.
      check ??= request.server.createRateLimit({
        max,
        timeWindow: settings.windowMs,
        keyGenerator: (req) => `subnet-${action}:${networkOf(req.ip, settings.prefixes) ?? req.ip}`,
      });
      const counted = await check(request);
      if (counted.isAllowed || !counted.isExceeded) return undefined;
      const network = networkOf(request.ip, settings.prefixes) ?? request.ip;
      events({ type: 'abuse.subnet_limited', network, action, retryAfterSeconds: counted.ttlInSeconds });
      const locale = localeOf(request);
      const title = translate(locale, 'errorPage.networkBusyTitle');
      const message = translate(locale, 'errorPage.networkBusy', { wait: formatWait(locale, counted.ttlInSeconds) });
      reply.header('retry-after', String(counted.ttlInSeconds));
      return sendPage(reply, frame, title, errorPage(locale, frame.paths, title, message), 429);
    };
  }
  return { request: guard('request', settings.requestLimit), verify: guard('verify', settings.verifyLimit) };
}
