/** Every rule a code lives by. Defaults follow DESIGN.md; each is configurable through an `OTP_…` variable. */
export interface OtpPolicy {
  /** Digits per code, 6–10. @default 6 */
  codeLength: number;
  /** How long a code can be used. @default 300 (the original app's "valid 5 minutes") */
  codeTtlSeconds: number;
  /** Wrong attempts a code (and the codes live beside it) survives; then they are dead. @default 5 */
  maxAttemptsPerCode: number;
  /**
   * Consecutive wrong attempts per mailbox (canonical, across every flow, purpose and context) that were
   * compared with a real code; then typed codes stop for it, and only the emailed link works. Only a
   * success starts the count over (or the window below). At most 100 (NIST SP 800-63B §5.2.2). @default 100
   */
  addressFailureLimit: number;
  /** The long decay: a count starts over this long after its first failure. @default 2592000 (30 days) */
  addressFailureWindowSeconds: number;
  /** Codes live at once per (address, purpose): a resend keeps the previous code valid. @default 2 */
  maxLiveCodes: number;
  /** Minimum gap between two sends to one mailbox for one purpose, from one flow. @default 60 */
  resendCooldownSeconds: number;
  /** Emails per mailbox (canonical: `+tag` and Gmail dots ignored) within one window. @default 5 */
  sendLimit: number;
  /** @default 3600 */
  sendWindowSeconds: number;
  /**
   * Emails per mailbox per day. With maxAttemptsPerCode it bounds guessing: every code a stranger can guess
   * at is one they made us send, so a day allows at most dailySendLimit × maxAttemptsPerCode comparisons
   * (docs/security.md shows the arithmetic). @default 10
   */
  dailySendLimit: number;
  /** Purposes a code can be scoped to; a code for one cannot be used for another. */
  purposes: readonly string[];
}

/** The window dailySendLimit counts in: fixed, so that "a day" in docs/security.md means what it says. */
export const dailySendWindowSeconds = 86_400;

export const defaultPurposes = ['sign-in', 'verify-email', 'confirm-action'] as const;

export const defaultOtpPolicy: Readonly<OtpPolicy> = Object.freeze({
  codeLength: 6,
  codeTtlSeconds: 300,
  maxAttemptsPerCode: 5,
  addressFailureLimit: 100,
  addressFailureWindowSeconds: 30 * 86_400,
  maxLiveCodes: 2,
  resendCooldownSeconds: 60,
  sendLimit: 5,
  sendWindowSeconds: 3600,
  dailySendLimit: 10,
  purposes: defaultPurposes,
});
