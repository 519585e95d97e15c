import { Resolver } from 'node:dns/promises';

/** Port: the DNS answers the MX check needs. Tests inject a fake; production uses node:dns. */
export interface MailDomainResolver {
  /** Rejects with an error whose `code` is a node:dns code (ENODATA, ENOTFOUND, ETIMEOUT, ESERVFAIL…). */
  resolveMx(domain: string): Promise<{ exchange: string; priority: number }[]>;
  resolve4(domain: string): Promise<string[]>;
  resolve6(domain: string): Promise<string[]>;
}

/** node:dns with the system's servers, one try per query, each bounded by `timeoutMs`. */
export function systemMailDomainResolver(timeoutMs: number): MailDomainResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  return {
    resolveMx: (domain) => resolver.resolveMx(domain),
    resolve4: (domain) => resolver.resolve4(domain),
    resolve6: (domain) => resolver.resolve6(domain),
  };
}
