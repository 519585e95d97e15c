/**
 * Port: checks a code request before a code is issued — whether its recipient may be mailed at all
 * (a throw-away or mail-less domain) and whether its recipient domain has had its share of requests.
 * OtpService calls it for the pages, the API and the library alike: it protects our mail volume and
 * the domain being mailed, whoever asks.
 */
export interface RequestScreen {
  admit(input: RequestScreenInput): Promise<ScreenVerdict>;
}

export interface RequestScreenInput {
  /** Normalised (lower-case domain, punycode). */
  address: string;
  nowMs: number;
}

export type ScreenRefusal =
  /** The domain hands out throw-away mailboxes (BLOCK_DISPOSABLE_EMAIL). */
  | { ok: false; reason: 'disposable_address'; domain: string }
  /** The domain cannot receive email: no such domain, a null MX, or neither MX nor address records. */
  | { ok: false; reason: 'no_mail_domain'; domain: string }
  /** The recipient domain had its requests for this window (OTP_DOMAIN_REQUEST_LIMIT). */
  | { ok: false; reason: 'domain_limit'; domain: string; retryAfterSeconds: number };

export type ScreenVerdict =
  /**
   * Admitted, and counted. `release` gives the count back when the request ends up sending nothing
   * (refused by the cooldown or the mailbox's send limit): otherwise hammering one address, which costs
   * the attacker nothing once its cooldown holds, would fill its whole domain's window for free.
   */
  { ok: true; release(): Promise<void> } | ScreenRefusal;

/** Admits everything: what the service uses when no screen is configured. */
export const admitEveryRequest: RequestScreen = {
  admit: async () => ({ ok: true, release: async () => {} }),
};
