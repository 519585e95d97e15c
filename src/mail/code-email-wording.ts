/** The purposes core knows, in the words a reader expects ("Enter this code to sign in."). */
const purposeActions: Readonly<Record<string, { action: string; subjectLabel: string }>> = {
  'sign-in': { action: 'sign in', subjectLabel: 'sign-in' },
  'verify-email': { action: 'verify your email address', subjectLabel: 'email verification' },
  'confirm-action': { action: 'confirm an action', subjectLabel: 'confirmation' },
};

/**
 * What the code is for, as the end of "Enter this code …". A purpose the mail layer does not know
 * (an embedding app may define its own) is shown as-is rather than hidden.
 */
export function purposePhrase(purpose: string): string {
  const known = Object.hasOwn(purposeActions, purpose) ? purposeActions[purpose] : undefined;
  return known ? `to ${known.action}` : `for ${purpose}`;
}

/** The noun in the subject line: "Your otp-app sign-in code". */
export function purposeSubjectLabel(purpose: string): string {
  const known = Object.hasOwn(purposeActions, purpose) ? purposeActions[purpose] : undefined;
  return known ? known.subjectLabel : purpose;
}

/**
 * "5 minutes", "1 minute", "45 seconds". Rounds down: telling someone a code lasts longer than it
 * does makes them fail; telling them it lasts a little less does no harm.
 */
export function lifetimeInWords(ttlSeconds: number): string {
  if (ttlSeconds < 60) return plural(Math.max(0, Math.floor(ttlSeconds)), 'second');
  return plural(Math.floor(ttlSeconds / 60), 'minute');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
