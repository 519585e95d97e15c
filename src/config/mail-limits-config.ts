import { z } from 'zod';
import { blankAsUnset, integer } from './env-values.js';

/** How fast and how much the outbox may send: per recipient domain, and per day for the whole deployment. */
export interface MailLimitsConfig {
  /**
   * Emails per minute to one recipient domain, counted across every worker process (0 = no pacing).
   * @default 60 — see domainRateDefaultPerMinute
   */
  domainRatePerMinute: number;
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

/** A consumer Gmail account sends about 500 messages a day and is suspended for a day past it. */
export const gmailDailyLimit = 500;

/** The mail-limit variables, spread into config's env schema. */
export const mailLimitsEnvShape = {
  // At most one a millisecond: slots are whole milliseconds apart.
  OUTBOX_DOMAIN_RATE_PER_MINUTE: integer(domainRateDefaultPerMinute, 0, 60_000),
  // Unset: the Gmail preset's cap applies (none otherwise); 0 = no cap, even with Gmail.
  MAIL_DAILY_LIMIT: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(100_000_000).optional()),
};

interface MailLimitsEnv {
  OUTBOX_DOMAIN_RATE_PER_MINUTE: number;
  MAIL_DAILY_LIMIT?: number | undefined;
}

/** Builds the MailLimitsConfig; `mailKind` is the configured transport (the Gmail preset brings its own cap). */
export function mailLimitsConfigFrom(e: MailLimitsEnv, mailKind: 'smtp' | 'gmail' | 'dev-mailbox'): MailLimitsConfig {
  const dailyLimit = e.MAIL_DAILY_LIMIT ?? (mailKind === 'gmail' ? gmailDailyLimit : 0);
  return Object.freeze({
    domainRatePerMinute: e.OUTBOX_DOMAIN_RATE_PER_MINUTE,
    ...(dailyLimit === 0 ? {} : { dailyLimit }),
  });
}
