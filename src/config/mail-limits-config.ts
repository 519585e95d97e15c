import { z } from 'zod';
import { blankAsUnset, integer } from './env-values.js';

/** How fast and how much the outbox may send: per recipient domain, and per day for the whole deployment. */
export interface MailLimitsConfig {
  /**
   * Emails per minute to one recipient domain, counted across every worker process (0 = no pacing).
   * @default 60 — see domainRateDefaultPerMinute
   */
  domainRatePerMinute: number;
  /**
   * The same for each large mailbox provider (OTP_LARGE_PROVIDER_DOMAINS).
   * @default 600 — see largeProviderRateDefaultPerMinute
   */
  largeProviderRatePerMinute: number;
  /** Code emails per rolling 24 hours for the whole deployment; unset = no cap (the Gmail preset: 500). */
  dailyLimit?: number;
}

/**
 * One email a second to one domain, after a burst of ten seconds' worth (see domain-pacing.ts): far
 * above what people signing up send to even the largest provider (60 a minute is 86,400 a day to
 * gmail.com alone), and slow enough that a burst — or a mail-bomb aimed at one company — reaches a
 * receiver at the pace of a busy person-driven sender, not at the pace of the SMTP pool.
 */
export const domainRateDefaultPerMinute = 60;

/**
 * Ten a second to each large provider. Their limits follow the sender's reputation, not a small
 * per-minute rate, and pacing them like one company would let a stranger block them: within a code's
 * life (5 minutes) a domain has rate × 5 slots, so its hourly request limit must not exceed that, or a
 * burst of requests to made-up addresses there takes every slot and real people's codes expire unsent.
 * 600 × 5 = 3,000 ≥ OTP_LARGE_PROVIDER_REQUEST_LIMIT's 2,000 (and 60 × 5 = 300 ≥ OTP_DOMAIN_REQUEST_LIMIT's 100).
 */
export const largeProviderRateDefaultPerMinute = 600;

/** A consumer Gmail account sends about 500 messages a day and is suspended for a day past it. */
export const gmailDailyLimit = 500;

/** The mail-limit variables, spread into config's env schema. */
export const mailLimitsEnvShape = {
  // At most one a millisecond: slots are whole milliseconds apart.
  OUTBOX_DOMAIN_RATE_PER_MINUTE: integer(domainRateDefaultPerMinute, 0, 60_000),
  OUTBOX_LARGE_PROVIDER_RATE_PER_MINUTE: integer(largeProviderRateDefaultPerMinute, 1, 60_000),
  // Unset: the Gmail preset's cap applies (none otherwise); 0 = no cap, even with Gmail.
  MAIL_DAILY_LIMIT: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(100_000_000).optional()),
};

interface MailLimitsEnv {
  OUTBOX_DOMAIN_RATE_PER_MINUTE: number;
  OUTBOX_LARGE_PROVIDER_RATE_PER_MINUTE: number;
  MAIL_DAILY_LIMIT?: number | undefined;
}

/** Builds the MailLimitsConfig; `mailKind` is the configured transport (the Gmail preset brings its own cap). */
export function mailLimitsConfigFrom(e: MailLimitsEnv, mailKind: 'smtp' | 'gmail' | 'dev-mailbox'): MailLimitsConfig {
  const dailyLimit = e.MAIL_DAILY_LIMIT ?? (mailKind === 'gmail' ? gmailDailyLimit : 0);
  return Object.freeze({
    domainRatePerMinute: e.OUTBOX_DOMAIN_RATE_PER_MINUTE,
    largeProviderRatePerMinute: e.OUTBOX_LARGE_PROVIDER_RATE_PER_MINUTE,
    ...(dailyLimit === 0 ? {} : { dailyLimit }),
  });
}
