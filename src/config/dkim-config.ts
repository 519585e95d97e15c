import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DkimSigningKey } from '../mail/dkim-signing-key.js';
import { optionalText } from './env-values.js';

/** DKIM signing of every email otp-app sends: the key the SMTP transports sign with. Part of Config. */
export type DkimConfig = Readonly<DkimSigningKey>;

/** The DKIM variables, spread into config's env schema. */
export const dkimEnvShape = {
  DKIM_DOMAIN: optionalText,
  DKIM_SELECTOR: optionalText,
  DKIM_PRIVATE_KEY: optionalText,
};

interface DkimEnv {
  DKIM_DOMAIN?: string | undefined;
  DKIM_SELECTOR?: string | undefined;
  DKIM_PRIVATE_KEY?: string | undefined;
}

const keygenHint = 'make a key and its DNS record with: otp-app dkim-keygen --domain example.com --selector otp1';
// Receivers ignore RSA signatures with keys under 1024 bits (RFC 8301).
const minRsaKeyBits = 1024;

/** A DNS domain name of at least two labels (letters, digits, hyphens; punycode for IDNs). */
export function isDkimDomainName(value: string): boolean {
  return value.length <= 253 && /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(value);
}

/** A DKIM selector: one or more DNS labels (`otp1`, `2026-11.mail`). */
export function isDkimSelector(value: string): boolean {
  return value.length <= 63 && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i.test(value);
}

/** Builds the DkimConfig (undefined when none of the three is set); pushes each problem (with its fix) onto `problems`. */
export function dkimConfigFrom(e: DkimEnv, problems: string[]): DkimConfig | undefined {
  const given = { DKIM_DOMAIN: e.DKIM_DOMAIN, DKIM_SELECTOR: e.DKIM_SELECTOR, DKIM_PRIVATE_KEY: e.DKIM_PRIVATE_KEY };
  const missing = Object.entries(given).filter(([, value]) => value === undefined);
  if (missing.length === 3) return undefined;
  if (missing.length > 0) {
    problems.push(
      `DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY go together: set ${missing.map(([name]) => name).join(' and ')} too, or unset all three (${keygenHint})`,
    );
    return undefined;
  }
  const domain = e.DKIM_DOMAIN!.toLowerCase();
  const selector = e.DKIM_SELECTOR!.toLowerCase();
  const before = problems.length;
  if (!isDkimDomainName(domain)) problems.push("DKIM_DOMAIN must be a domain name like example.com (MAIL_FROM's domain)");
  if (!isDkimSelector(selector)) problems.push('DKIM_SELECTOR must be a DNS label like otp1 (letters, digits, hyphens)');
  const privateKeyPem = privateKeyFrom(e.DKIM_PRIVATE_KEY!, problems);
  if (problems.length > before || privateKeyPem === undefined) return undefined;
  return Object.freeze({ domain, selector, privateKeyPem });
}

/** The key as PKCS#8 PEM, from PEM text or a file; checked now, since nodemailer drops a signature it cannot make. */
function privateKeyFrom(value: string, problems: string[]): string | undefined {
  let pem = value;
  let source = 'DKIM_PRIVATE_KEY';
  if (!value.includes('-----BEGIN')) {
    // Not PEM text, so a path. Echo it only when it is short: a pasted key without its BEGIN line must not
    // reach the error (and so the logs).
    const path = resolve(value);
    source = value.length <= 200 ? `DKIM_PRIVATE_KEY file ${path}` : 'DKIM_PRIVATE_KEY';
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(
        `${source} cannot be read (${code}): set DKIM_PRIVATE_KEY to the PEM text (-----BEGIN PRIVATE KEY-----…) or the path of a readable PEM file`,
      );
      return undefined;
    }
  }
  try {
    // .env files and container settings often carry a PEM on one line with literal \n.
    const key = createPrivateKey({ key: pem.replace(/\\n/g, '\n'), format: 'pem' });
    if (key.asymmetricKeyType !== 'rsa') {
      problems.push(`${source} must be an RSA key (DKIM signs with rsa-sha256); ${keygenHint}`);
      return undefined;
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < minRsaKeyBits) {
      problems.push(`${source} is a ${bits}-bit RSA key; receivers ignore DKIM keys under 1024 bits, use 2048: ${keygenHint}`);
      return undefined;
    }
    return key.export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch {
    // The parser's message says nothing useful and must not be trusted to leave the key out.
    problems.push(`${source} is not an unencrypted PEM private key; ${keygenHint}`);
    return undefined;
  }
}
