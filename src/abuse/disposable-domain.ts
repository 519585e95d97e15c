import { createRequire } from 'node:module';

/** True when mail to this domain lands in a throw-away mailbox anyone can read. */
export type DisposableDomainCheck = (domain: string) => boolean;

/**
 * The check against npm `mailchecker`'s maintained list (tens of thousands of throw-away domains,
 * updated with each release; an `npm update` refreshes it). A subdomain of a listed domain is listed
 * too: throw-away services hand out `anything.their-domain`. Loaded only when BLOCK_DISPOSABLE_EMAIL is
 * on, since the list costs a few MB of memory.
 */
export function createDisposableDomainCheck(): DisposableDomainCheck {
  const mailchecker = createRequire(import.meta.url)('mailchecker') as { blacklist(): ReadonlySet<string> };
  const listed = mailchecker.blacklist();
  return (domain) => {
    const labels = domain.toLowerCase().split('.');
    // The domain itself and each parent that still has a dot (`a.b.example.com` → … → `example.com`).
    for (let start = 0; start < labels.length - 1; start++) {
      if (listed.has(labels.slice(start).join('.'))) return true;
    }
    return false;
  };
}
