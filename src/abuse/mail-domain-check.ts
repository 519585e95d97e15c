import type { Clock } from '../core/clock.js';
import type { MailDomainResolver } from './mail-domain-resolver.js';

/** `unknown`: DNS did not answer in time or failed; the caller lets the request through (fail open). */
export type MailDomainVerdict = { kind: 'accepts_mail' } | { kind: 'no_mail' } | { kind: 'unknown'; error: string };

export interface MailDomainCheckOptions {
  resolver: MailDomainResolver;
  clock: Clock;
  /** The whole check (MX, then A/AAAA) gives up after this long. */
  timeoutMs: number;
  /** How long an answer (either way) is reused. Failures are never cached. */
  cacheTtlMs: number;
  /** Oldest entries go first beyond this many domains: a spray of random domains cannot grow memory. */
  maxCachedDomains: number;
}

/** DNS answers that say "this name has no such records" rather than "DNS is not working". */
const noRecords = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

/**
 * Can this domain receive email? RFC 5321 §5.1: its MX records say where; with none, its A/AAAA
 * address is the implicit MX. A null MX (RFC 7505: one record, priority 0, exchange ".") says the
 * domain accepts no mail, and so does a name that does not exist. Lookups for the same domain share
 * one query; answers are cached briefly, in a bounded map.
 */
export class MailDomainCheck {
  private readonly cache = new Map<string, { acceptsMail: boolean; untilMs: number }>();
  private readonly inFlight = new Map<string, Promise<MailDomainVerdict>>();

  constructor(private readonly options: MailDomainCheckOptions) {}

  async check(domain: string): Promise<MailDomainVerdict> {
    const cached = this.cache.get(domain);
    if (cached !== undefined && cached.untilMs > this.options.clock.nowMs()) {
      return cached.acceptsMail ? { kind: 'accepts_mail' } : { kind: 'no_mail' };
    }
    const running = this.inFlight.get(domain);
    if (running !== undefined) return running;
    const lookup = this.lookUpWithDeadline(domain).finally(() => this.inFlight.delete(domain));
    this.inFlight.set(domain, lookup);
    return lookup;
  }

  private async lookUpWithDeadline(domain: string): Promise<MailDomainVerdict> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<MailDomainVerdict>((resolve) => {
      timer = setTimeout(
        () => resolve({ kind: 'unknown', error: `timeout after ${this.options.timeoutMs} ms` }),
        this.options.timeoutMs,
      );
      timer.unref();
    });
    try {
      const verdict = await Promise.race([this.lookUp(domain), deadline]);
      if (verdict.kind !== 'unknown') this.remember(domain, verdict.kind === 'accepts_mail');
      return verdict;
    } finally {
      clearTimeout(timer);
    }
  }

  private async lookUp(domain: string): Promise<MailDomainVerdict> {
    const { resolver } = this.options;
    try {
      const records = await resolver.resolveMx(domain);
      if (records.length > 0) {
        // node:dns gives the root "." of a null MX as an empty exchange.
        const usable = records.filter((record) => record.exchange !== '' && record.exchange !== '.');
        return usable.length > 0 ? { kind: 'accepts_mail' } : { kind: 'no_mail' };
      }
    } catch (error) {
      const code = errorCodeOf(error);
      if (code === 'ENOTFOUND' || code === 'NXDOMAIN') return { kind: 'no_mail' };
      if (!noRecords.has(code)) return { kind: 'unknown', error: code };
    }
    // No MX records: the domain's own address receives its mail, if it has one.
    const answers = await Promise.allSettled([resolver.resolve4(domain), resolver.resolve6(domain)]);
    if (answers.some((answer) => answer.status === 'fulfilled' && answer.value.length > 0)) return { kind: 'accepts_mail' };
    const failure = answers.find((answer) => answer.status === 'rejected' && !noRecords.has(errorCodeOf(answer.reason)));
    return failure === undefined
      ? { kind: 'no_mail' }
      : { kind: 'unknown', error: errorCodeOf((failure as PromiseRejectedResult).reason) };
  }

  private remember(domain: string, acceptsMail: boolean): void {
    this.cache.delete(domain);
    this.cache.set(domain, { acceptsMail, untilMs: this.options.clock.nowMs() + this.options.cacheTtlMs });
    // A Map iterates in insertion order: the first key is the oldest answer.
    while (this.cache.size > this.options.maxCachedDomains) this.cache.delete(this.cache.keys().next().value!);
  }
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}
