/** Providers that deliver `a.n.n.a@` to `anna@`: dots in their local parts are ignored. */
const dotIgnoringDomains: ReadonlySet<string> = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox a normalised address delivers to, for counting sends and cooldowns: the `+tag` is dropped
 * for every domain, and dots in the local part where the provider ignores them. Never the identity that
 * gets verified (that stays the exact address typed): only the key that one inbox's limits are counted on,
 * so twelve aliases of one Gmail inbox share one send cap instead of getting twelve.
 *
 * @example canonicalMailbox('a.n.n.a+shop@googlemail.com') // 'anna@gmail.com'
 */
export function canonicalMailbox(address: string): string {
  const at = address.lastIndexOf('@');
  let localPart = address.slice(0, at);
  let domain = address.slice(at + 1);
  const plus = localPart.indexOf('+');
  // "+tag" alone is no mailbox to strip down to: keep it whole.
  if (plus > 0) localPart = localPart.slice(0, plus);
  if (dotIgnoringDomains.has(domain)) {
    localPart = localPart.replaceAll('.', '');
    // googlemail.com is gmail.com's other name: one inbox.
    domain = 'gmail.com';
  }
  return `${localPart}@${domain}`;
}

/**
 * The key a delivery outcome (a bounce, a complaint, a suppression) is shared on. Only where the provider
 * is known to deliver every alias to one inbox (Gmail: dots and `+tag` alike) is that the canonical
 * mailbox; everywhere else it is the exact address. Many providers (Yahoo, most company servers) have no
 * `+tag` addressing, so `anna+x@` bouncing says nothing about `anna@`: keyed on the canonical mailbox, a
 * stranger's one request for a made-up alias would suppress the real inbox for SUPPRESSION_DAYS.
 *
 * @example deliveryKeyOf('a.n.n.a+x@gmail.com') // 'anna@gmail.com'
 * @example deliveryKeyOf('anna+x@yahoo.com') // 'anna+x@yahoo.com'
 */
export function deliveryKeyOf(address: string): string {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return dotIgnoringDomains.has(domain) ? canonicalMailbox(address) : address;
}
