import { formatLifetime, type Locale, type MessageKey, translate } from '../i18n/index.js';

/** Purposes with their own wording in the catalogue; an app-defined purpose is shown as-is. */
const knownPurposes = ['sign-in', 'verify-email', 'confirm-action'] as const;
type KnownPurpose = (typeof knownPurposes)[number];

function isKnownPurpose(purpose: string): purpose is KnownPurpose {
  return (knownPurposes as readonly string[]).includes(purpose);
}

/** "Enter this code to sign in." — or, for a purpose the mail layer does not know, "Enter this code for password-reset." */
export function purposeInstruction(locale: Locale, purpose: string): string {
  const key: MessageKey = isKnownPurpose(purpose) ? `email.instruction.${purpose}` : 'email.instruction.other';
  return translate(locale, key, { purpose });
}

/** The subject line, which never holds the code: "Your otp-app sign-in code". */
export function codeEmailSubject(locale: Locale, purpose: string, appName: string): string {
  const key: MessageKey = isKnownPurpose(purpose) ? `email.subject.${purpose}` : 'email.subject.other';
  return translate(locale, key, { purpose, appName });
}

/** "5 minutes", "1 minute", "45 seconds", rounded down (see formatLifetime). */
export function lifetimeInWords(ttlSeconds: number, locale: Locale = 'en'): string {
  return formatLifetime(locale, ttlSeconds);
}
