import type { DefenceEventListener } from '../abuse/defence-events.js';
import { createDisposableDomainCheck } from '../abuse/disposable-domain.js';
import { MailDomainCheck } from '../abuse/mail-domain-check.js';
import { type MailDomainResolver, systemMailDomainResolver } from '../abuse/mail-domain-resolver.js';
import { createRecipientScreen } from '../abuse/recipient-screen.js';
import type { AbuseConfig } from '../config/abuse-config.js';
import type { Clock } from '../core/clock.js';
import type { RequestScreen } from '../core/request-screen.js';
import type { OtpDatabase } from '../store/database.js';
import { KyselySharedRateWindow } from '../store/shared-rate-window.js';

/** Domains whose MX answers are remembered at once; a spray of random domains evicts the oldest. */
const maxCachedMailDomains = 10_000;

/**
 * The request screen the configuration asks for. The per-domain count lives in the database, not in
 * Redis: it is on the core's path (pages, API and library), where the database is always present and
 * shared by every process; Redis is optional and fails open, and an outage of it must not lift a limit
 * that protects a company from being mailed thousands of codes.
 */
export function requestScreenFor(
  config: AbuseConfig,
  deps: { db: OtpDatabase; clock: Clock; resolver?: MailDomainResolver; events: DefenceEventListener },
): RequestScreen {
  const mx = config.mxCheck;
  return createRecipientScreen({
    ...(config.blockDisposable ? { isDisposable: createDisposableDomainCheck() } : {}),
    ...(mx === undefined
      ? {}
      : {
          mailDomains: new MailDomainCheck({
            resolver: deps.resolver ?? systemMailDomainResolver(mx.timeoutMs),
            clock: deps.clock,
            timeoutMs: mx.timeoutMs,
            cacheTtlMs: mx.cacheSeconds * 1000,
            maxCachedDomains: maxCachedMailDomains,
          }),
        }),
    domainLimit: {
      limit: config.domainRequests.limit,
      largeProviderLimit: config.domainRequests.largeProviderLimit,
      largeProviders: new Set(config.domainRequests.largeProviders),
      windowMs: config.domainRequests.windowSeconds * 1000,
    },
    window: new KyselySharedRateWindow(deps.db),
    events: deps.events,
  });
}
