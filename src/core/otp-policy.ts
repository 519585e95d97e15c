/** Every rule a code lives by. Defaults follow DESIGN.md; each is configurable through an `OTP_…` variable. */
export interface OtpPolicy {
  /** Digits per code, 6–10. @default 6 */
  codeLength: number;
  /** How long a code can be used. @default 300 (the original app's "valid 5 minutes") */
  codeTtlSeconds: number;
  /** Wrong attempts a code (and the codes live beside it) survives; then they are dead. @default 5 */
  maxAttemptsPerCode: number;
  /** Wrong attempts per address across all its codes within one window, then verification pauses. @default 10 */
  addressFailureLimit: number;
  /** @default 3600 */
  addressFailureWindowSeconds: number;
  /** Codes live at once per (address, purpose): a resend keeps the previous code valid. @default 2 */
  maxLiveCodes: number;
  /** Minimum gap between two sends to one (address, purpose). @default 60 */
  resendCooldownSeconds: number;
  /** Emails per address within one window. @default 5 */
  sendLimit: number;
  /** @default 3600 */
  sendWindowSeconds: number;
  /** Purposes a code can be scoped to; a code for one cannot be used for another. */
  purposes: readonly string[];
}

export const defaultPurposes = ['sign-in', 'verify-email', 'confirm-action'] as const;

export const defaultOtpPolicy: Readonly<OtpPolicy> = Object.freeze({
  codeLength: 6,
  codeTtlSeconds: 300,
  maxAttemptsPerCode: 5,
  addressFailureLimit: 10,
  addressFailureWindowSeconds: 3600,
  maxLiveCodes: 2,
  resendCooldownSeconds: 60,
  sendLimit: 5,
  sendWindowSeconds: 3600,
  purposes: defaultPurposes,
});
