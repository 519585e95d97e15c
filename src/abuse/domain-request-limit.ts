export interface DomainRequestLimitSettings {
  /** Requests per window to one domain (OTP_DOMAIN_REQUEST_LIMIT). */
  limit: number;
  /** Requests per window to one of `largeProviders` (OTP_LARGE_PROVIDER_REQUEST_LIMIT). */
  largeProviderLimit: number;
  largeProviders: ReadonlySet<string>;
  windowMs: number;
}

/** The rate_windows key of a recipient domain's requests. */
export const domainRequestKey = (domain: string) => `domain-request:${domain}`;

/** What one recipient domain may receive per window: more at a big provider, whose users are strangers to each other. */
export function domainRequestLimitOf(domain: string, settings: DomainRequestLimitSettings): number {
  return settings.largeProviders.has(domain) ? settings.largeProviderLimit : settings.limit;
}
