/**
 * Every string otp-app shows a person, in English: pages, messages and emails. `{name}` marks a value
 * filled in at run time; keys ending in `_one` / `_other` are plural forms chosen by Intl.PluralRules.
 * Other languages must define exactly these keys (the type of `Catalogue` enforces it).
 */
export const en = {
  'language.name.en': 'English',
  'language.name.de': 'Deutsch',
  'language.label': 'Language',

  'layout.footer': 'One-time codes by email. Codes prove you control a mailbox.',

  'wait.seconds': '{count} s',
  'wait.minutes_one': '{count} minute',
  'wait.minutes_other': '{count} minutes',
  'duration.seconds_one': '{count} second',
  'duration.seconds_other': '{count} seconds',
  'duration.minutes_one': '{count} minute',
  'duration.minutes_other': '{count} minutes',

  'home.title': 'Home',
  'home.heading': 'Prove you control an email address',
  'home.intro':
    '{appName} sends a short one-time code to your email address. Type it back and we know the address is yours. No password, nothing to install.',
  'home.start': 'Get started',

  'landing.title': 'Secure one-time code',
  'landing.intro': 'Ask for a code by email, then type it in to confirm the address is yours.',
  'landing.request': 'Request a code',
  'landing.verify': 'Verify a code',

  'request.title': 'Request a code',
  'request.emailLabel': 'Email address',
  'request.submit': 'Send me a code',
  'request.haveCode': 'I already have a code',

  'challenge.title': 'One moment',
  'challenge.busy':
    'Many code requests are reaching us right now, so before we send yours we ask your browser for a short calculation.',
  'challenge.automatic': 'It takes a second or two; then the code is sent by itself.',
  'challenge.noScript':
    'That calculation needs JavaScript, which is off in this browser, so we cannot send a code right now. Try again in {wait}, or turn JavaScript on and reload this page.',
  'challenge.for': 'Code for {address}',
  'challenge.expired': 'The check took too long and expired. Press “Send me a code” to try again.',
  'challenge.refused': 'That check was not accepted. Press “Send me a code” to try again with a new one.',

  'verify.title': 'Verify a code',
  'verify.emailLabel': 'Email address',
  'verify.change': 'Change address',
  'verify.codeLabel': '{length}-digit code',
  'verify.codeHint': 'Spaces and dashes are fine: 123 456 works too.',
  'verify.expiresIn': 'The code expires in {lifetime}.',
  'verify.expiresAt': 'The code expires at {time}.',
  'verify.submit': 'Verify',
  'verify.requestCode': 'Request a code',
  'verify.resend': 'Send a new code',
  'verify.resendWait': 'You can ask for a new code in {seconds} s.',

  'notice.codeSent': 'Code sent to {address} (valid {wait}).',
  'notice.codeResent': 'New code sent. Code sent to {address} (valid {wait}).',

  'delivery.sending': 'We are still sending the email. It usually arrives within a minute; reload this page to check.',
  'delivery.failed': 'We could not deliver the email to this address. Check the address and ask for a new code.',
  'delivery.expired': 'We could not send the email before the code expired. Ask for a new code.',

  'error.invalidEmail': 'Enter a valid email address, like name@example.com.',
  'error.invalidPurpose': 'This kind of code is not offered here.',
  'error.cooldown': 'A code was sent a moment ago. Wait {wait} before asking for another.',
  'error.sendLimit': 'Too many codes were sent to this address. Try again in {wait}.',
  'error.undeliverable': 'We could not deliver email to this address. Check the address or use another one.',
  'error.mailUnavailable': 'We cannot send codes right now. Try again later.',
  'error.malformedCode': 'Enter the {length}-digit code from the email.',
  'error.invalidCode_one': 'That code is not right. {count} attempt left.',
  'error.invalidCode_other': 'That code is not right. {count} attempts left.',
  'error.expired': 'That code has expired. Ask for a new one.',
  'error.locked': 'Too many wrong attempts: this code no longer works. Ask for a new one.',
  'error.paused': 'Too many wrong attempts for this address. Try again in {wait}.',
  'error.domainLimit':
    'Many codes have been requested for addresses at {domain} in the last hour, so we are pausing new ones for that domain. Try again in {wait}.',
  'error.disposableAddress':
    'Addresses at {domain} are throw-away mailboxes, and we do not send codes to them. Use a permanent email address that you will keep.',
  'error.noMailDomain': '{domain} cannot receive email. Check the address for a typo, or use another one.',

  'link.title': 'Confirm it’s you',
  'link.intro': 'You opened the link from your code email. Press the button to finish: opening the link alone does nothing.',
  'link.submit': 'Yes, it’s me',
  'link.useCode': 'Type the code instead',
  'link.invalid': 'This link no longer works: it was used, replaced by a newer email, or mistyped. Ask for a new code.',
  'link.expired': 'This link has expired. Ask for a new code.',
  'link.locked': 'Too many wrong attempts: this link and its code no longer work. Ask for a new code.',

  'success.title': 'Verified',
  'success.proved': 'You have proved that you control {address}.',
  'success.used': 'The code has been used and no longer works.',
  'success.done': 'Done',
  'success.continue': 'Continue',

  'errorPage.back': 'Back to the start',
  'errorPage.notFoundTitle': 'Page not found',
  'errorPage.notFound': 'There is no page at this address.',
  'errorPage.formExpiredTitle': 'Form expired',
  'errorPage.formExpired': 'This form has expired. Go back, reload the page and try again.',
  'errorPage.tooLargeTitle': 'Too much data',
  'errorPage.tooLarge': 'The form sent far more data than it should. Go back and try again.',
  'errorPage.mediaTypeTitle': 'Unsupported form',
  'errorPage.mediaType': 'Send the form from its page: this kind of content is not accepted here.',
  'errorPage.emptyTitle': 'Empty request',
  'errorPage.empty': 'The request had no content.',
  'errorPage.badRequestTitle': 'Bad request',
  'errorPage.contentLength': 'The request was cut short or malformed.',
  'errorPage.badRequest': 'The request could not be understood. Go back and try again.',
  'errorPage.tooManyTitle': 'Too many requests',
  'errorPage.tooMany': 'Too many requests from your network. Try again in {wait}.',
  'errorPage.networkBusyTitle': 'Too many requests from your network',
  'errorPage.networkBusy':
    'Many requests have come from your network in the last few minutes (an office, school or mobile network is shared by many people), so we are pausing them. Try again in {wait}, or from another network, such as mobile data.',
  'errorPage.unavailableTitle': 'Temporarily unavailable',
  'errorPage.unavailable': 'The service is temporarily unavailable. Try again in a minute.',
  'errorPage.internalTitle': 'Something went wrong',
  'errorPage.internal': 'Something went wrong on our side. Try again in a minute.',

  'devMailbox.title': 'Dev mailbox',
  'devMailbox.intro':
    'No mail transport is configured, so emails are kept here instead of being sent. This page does not exist in production.',
  'devMailbox.empty': 'No messages yet.',
  'devMailbox.to': 'To {address}',

  'email.subject.sign-in': 'Your {appName} sign-in code',
  'email.subject.verify-email': 'Your {appName} email verification code',
  'email.subject.confirm-action': 'Your {appName} confirmation code',
  'email.subject.other': 'Your {appName} {purpose} code',
  'email.intro': 'Your code for {appName}:',
  'email.instruction.sign-in': 'Enter this code to sign in.',
  'email.instruction.verify-email': 'Enter this code to verify your email address.',
  'email.instruction.confirm-action': 'Enter this code to confirm an action.',
  'email.instruction.other': 'Enter this code for {purpose}.',
  'email.validFor': 'It is valid for {lifetime}.',
  'email.context': 'You are confirming: {context}',
  'email.linkIntro': 'Or open this link and confirm with one click (it works as long as the code does):',
  'email.linkButton': 'Confirm with one click',
  'email.doNotShare': 'Do not share this code with anyone.',
  'email.ignore': 'If you did not ask for this code, you can ignore this email.',
  'email.preheader': 'Your {appName} code is inside. It is valid for {lifetime}.',
} as const;

export type MessageKey = keyof typeof en;

/** A complete translation: the same keys as English, every one a string. */
export type Catalogue = Readonly<Record<MessageKey, string>>;
