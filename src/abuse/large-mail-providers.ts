/**
 * The big consumer mailbox providers: millions of unrelated people share each of these domains, so
 * they get OTP_LARGE_PROVIDER_REQUEST_LIMIT instead of the per-company OTP_DOMAIN_REQUEST_LIMIT.
 * OTP_LARGE_PROVIDER_DOMAINS replaces this list.
 */
export const defaultLargeMailProviders: readonly string[] = Object.freeze([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'gmx.de',
  'gmx.net',
  'gmx.at',
  'web.de',
  't-online.de',
  'proton.me',
  'protonmail.com',
  'yandex.ru',
  'mail.ru',
  'qq.com',
  '163.com',
  '126.com',
  'naver.com',
]);
