import { isDkimDomainName, isDkimSelector } from '../config/dkim-config.js';
import { generateDkimKey } from '../mail/dkim-key.js';

const usage = 'otp-app dkim-keygen --domain example.com --selector otp1';

/**
 * `otp-app dkim-keygen --domain D --selector S`: a new RSA key on stdout (by design: the operator
 * stores it) and the DNS TXT record to publish. Needs no config. Returns 0, or 2 on wrong usage.
 */
export function dkimKeygenCommand(domain: string | undefined, selector: string | undefined): number {
  if (domain === undefined || !isDkimDomainName(domain)) {
    console.error(`dkim-keygen needs --domain, the domain of MAIL_FROM (like example.com): ${usage}`);
    return 2;
  }
  if (selector === undefined || !isDkimSelector(selector)) {
    console.error(`dkim-keygen needs --selector, a DNS label naming this key (like otp1 or 2026-11): ${usage}`);
    return 2;
  }
  const key = generateDkimKey(domain.toLowerCase(), selector.toLowerCase());
  console.log(
    `Private key: keep it secret. Save it to a file readable only by the app (chmod 600) and set DKIM_PRIVATE_KEY to its path:\n\n${key.privateKeyPem}`,
  );
  console.log(
    `Publish this DNS record (one TXT value; a zone file may split it into quoted strings of at most 255 characters):\n`,
  );
  console.log(`${key.dnsName} TXT "${key.txtValue}"\n`);
  console.log('Then set:\n');
  console.log(
    `DKIM_DOMAIN=${domain.toLowerCase()}\nDKIM_SELECTOR=${selector.toLowerCase()}\nDKIM_PRIVATE_KEY=/path/to/the/saved-key.pem`,
  );
  return 0;
}
