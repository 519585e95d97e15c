import type { RequestScreen, ScreenVerdict } from '../core/request-screen.js';
import type { SharedRateWindow } from '../core/shared-rate-window.js';
import type { DefenceEventListener } from './defence-events.js';
import type { DisposableDomainCheck } from './disposable-domain.js';
import { type DomainRequestLimitSettings, domainRequestKey, domainRequestLimitOf } from './domain-request-limit.js';
import type { MailDomainCheck } from './mail-domain-check.js';

export interface RecipientScreenOptions {
  /** Refuse throw-away domains; absent when BLOCK_DISPOSABLE_EMAIL is off. */
  isDisposable?: DisposableDomainCheck;
  /** Refuse domains that cannot receive mail; absent when OTP_CHECK_MX is off. */
  mailDomains?: MailDomainCheck;
  domainLimit: DomainRequestLimitSettings;
  window: SharedRateWindow;
  events?: DefenceEventListener;
}

/**
 * The recipient checks, cheapest first: the throw-away list (in memory), the MX check (DNS, cached),
 * then the domain's request count. Only a request that passes the first two is counted, so a refused
 * address never uses up its domain's window; a request refused by the domain limit is not counted
 * either (the upsert only counts when there is room), so the window ends when it would have, and an
 * attacker must keep paying real sends to keep a domain full.
 */
export function createRecipientScreen(options: RecipientScreenOptions): RequestScreen {
  const emit = options.events ?? (() => {});
  return {
    async admit({ address, nowMs }): Promise<ScreenVerdict> {
      const domain = address.slice(address.lastIndexOf('@') + 1);
      if (options.isDisposable?.(domain) === true) {
        emit({ type: 'abuse.disposable_refused', address, domain });
        return { ok: false, reason: 'disposable_address', domain };
      }
      if (options.mailDomains !== undefined) {
        const verdict = await options.mailDomains.check(domain);
        if (verdict.kind === 'no_mail') {
          emit({ type: 'abuse.no_mail_domain', address, domain });
          return { ok: false, reason: 'no_mail_domain', domain };
        }
        // DNS trouble is ours, not the person's: never refuse on it.
        if (verdict.kind === 'unknown') emit({ type: 'abuse.mx_check_failed_open', domain, error: verdict.error });
      }
      const key = domainRequestKey(domain);
      const { windowMs } = options.domainLimit;
      const limit = domainRequestLimitOf(domain, options.domainLimit);
      const counted = await options.window.consume({ key, limit, windowMs, nowMs });
      if (!counted.ok) {
        const retryAfterSeconds = Math.ceil(counted.retryAfterMs / 1000);
        emit({ type: 'abuse.domain_limited', address, domain, limit, retryAfterSeconds });
        return { ok: false, reason: 'domain_limit', domain, retryAfterSeconds };
      }
      return { ok: true, release: () => options.window.refund({ key, windowMs, nowMs }) };
    },
  };
}
