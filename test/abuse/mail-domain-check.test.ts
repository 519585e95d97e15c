import { describe, expect, it } from 'vitest';
import { MailDomainCheck } from '../../src/abuse/mail-domain-check.js';
import type { MailDomainResolver } from '../../src/abuse/mail-domain-resolver.js';
import { FakeClock } from '../support/fake-clock.js';

type Answer<T> = T | { error: string } | 'hang';

interface Zone {
  mx?: Answer<{ exchange: string; priority: number }[]>;
  a?: Answer<string[]>;
  aaaa?: Answer<string[]>;
}

/** DNS as a table of zones; a missing record set answers ENODATA, a missing zone ENOTFOUND (NXDOMAIN). */
class FakeResolver implements MailDomainResolver {
  readonly queries: string[] = [];
  constructor(private readonly zones: Record<string, Zone>) {}

  resolveMx(domain: string) {
    return this.answer(domain, 'mx', (zone) => zone.mx);
  }
  resolve4(domain: string) {
    return this.answer(domain, 'a', (zone) => zone.a);
  }
  resolve6(domain: string) {
    return this.answer(domain, 'aaaa', (zone) => zone.aaaa);
  }

  private answer<T>(domain: string, type: string, pick: (zone: Zone) => Answer<T> | undefined): Promise<T> {
    this.queries.push(`${type} ${domain}`);
    const zone = this.zones[domain];
    if (zone === undefined) return Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    const answer = pick(zone);
    if (answer === undefined) return Promise.reject(Object.assign(new Error('no data'), { code: 'ENODATA' }));
    if (answer === 'hang') return new Promise(() => {});
    if (typeof answer === 'object' && answer !== null && 'error' in answer)
      return Promise.reject(Object.assign(new Error(answer.error), { code: answer.error }));
    return Promise.resolve(answer as T);
  }
}

const zones: Record<string, Zone> = {
  'has-mx.test': { mx: [{ exchange: 'mx1.has-mx.test', priority: 10 }] },
  'a-only.test': { a: ['192.0.2.10'] },
  'aaaa-only.test': { aaaa: ['2001:db8::10'] },
  'null-mx.test': { mx: [{ exchange: '', priority: 0 }], a: ['192.0.2.11'] },
  'no-records.test': {},
  'servfail.test': { mx: { error: 'ESERVFAIL' } },
  'slow.test': { mx: 'hang' },
  'mx-then-slow-a.test': { a: 'hang' },
};

function checkWith(resolver: MailDomainResolver, clock = new FakeClock(), overrides: { maxCachedDomains?: number } = {}) {
  // 50 ms: the deadline of the hanging answers below; nothing here measures time.
  return new MailDomainCheck({ resolver, clock, timeoutMs: 50, cacheTtlMs: 300_000, maxCachedDomains: 100, ...overrides });
}

describe('the MX check', () => {
  it.each([
    ['has-mx.test', 'accepts_mail', 'an MX record'],
    ['a-only.test', 'accepts_mail', 'no MX, but an A record (the implicit MX)'],
    ['aaaa-only.test', 'accepts_mail', 'no MX, but an AAAA record'],
    ['null-mx.test', 'no_mail', 'a null MX (RFC 7505), even with an A record'],
    ['no-records.test', 'no_mail', 'neither MX nor A/AAAA'],
    ['does-not-exist.test', 'no_mail', 'NXDOMAIN'],
  ])('%s → %s (%s)', async (domain, kind) => {
    expect(await checkWith(new FakeResolver(zones)).check(domain)).toEqual({ kind });
  });

  it('fails open on a DNS failure (SERVFAIL) and on a timeout: unknown, with the reason', async () => {
    const check = checkWith(new FakeResolver(zones));
    expect(await check.check('servfail.test')).toEqual({ kind: 'unknown', error: 'ESERVFAIL' });
    expect(await check.check('slow.test')).toEqual({ kind: 'unknown', error: 'timeout after 50 ms' });
    expect(await check.check('mx-then-slow-a.test')).toEqual({ kind: 'unknown', error: 'timeout after 50 ms' });
  });

  it('caches answers both ways for the cache time, and never caches a failure', async () => {
    const clock = new FakeClock();
    const resolver = new FakeResolver(zones);
    const check = checkWith(resolver, clock);
    for (let i = 0; i < 3; i++) {
      await check.check('has-mx.test');
      await check.check('does-not-exist.test');
      await check.check('servfail.test');
    }
    expect(resolver.queries.filter((query) => query === 'mx has-mx.test')).toHaveLength(1);
    expect(resolver.queries.filter((query) => query === 'mx does-not-exist.test')).toHaveLength(1);
    expect(resolver.queries.filter((query) => query === 'mx servfail.test')).toHaveLength(3);
    clock.advanceSeconds(300);
    await check.check('has-mx.test');
    expect(resolver.queries.filter((query) => query === 'mx has-mx.test')).toHaveLength(2);
  });

  it('asks once for concurrent checks of one domain', async () => {
    const resolver = new FakeResolver(zones);
    const check = checkWith(resolver);
    await Promise.all(Array.from({ length: 20 }, () => check.check('a-only.test')));
    expect(resolver.queries.filter((query) => query === 'mx a-only.test')).toHaveLength(1);
  });

  it('keeps at most maxCachedDomains answers, dropping the oldest', async () => {
    const resolver = new FakeResolver(zones);
    const check = checkWith(resolver, new FakeClock(), { maxCachedDomains: 2 });
    await check.check('has-mx.test');
    await check.check('a-only.test');
    await check.check('aaaa-only.test');
    await check.check('aaaa-only.test');
    await check.check('has-mx.test');
    // aaaa-only.test was cached; has-mx.test, the oldest, had been dropped and is asked again.
    expect(resolver.queries.filter((query) => query === 'mx aaaa-only.test')).toHaveLength(1);
    expect(resolver.queries.filter((query) => query === 'mx has-mx.test')).toHaveLength(2);
  });
});
