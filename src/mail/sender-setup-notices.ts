import { senderDomain } from './sender-domain.js';

/** A start-up line about how receivers will judge our mail; the app runs either way. */
export interface SenderSetupNotice {
  level: 'warn' | 'info';
  event: 'mail.from_unset' | 'mail.dkim_not_aligned' | 'mail.dkim_off';
  message: string;
}

export interface SenderSetup {
  /** The From header (MAIL_FROM, or its default). */
  from: string;
  /** The DKIM signing domain, when otp-app signs. */
  dkimDomain?: string | undefined;
  transport: 'smtp' | 'gmail' | 'dev-mailbox';
  isProduction: boolean;
}

/**
 * What to tell the operator at start about the sender's authentication. DMARC passes on DKIM only when
 * the signing domain is the From domain or a parent of it (relaxed alignment), so a signature for
 * another domain protects nothing. Development without DKIM is silent: the dev mailbox and test
 * servers do not care.
 */
export function senderSetupNotices(setup: SenderSetup): SenderSetupNotice[] {
  const notices: SenderSetupNotice[] = [];
  const fromDomain = senderDomain(setup.from);
  if (setup.isProduction && setup.transport === 'smtp' && (fromDomain === undefined || fromDomain === 'localhost')) {
    notices.push({
      level: 'warn',
      event: 'mail.from_unset',
      message: `mail goes out From ${setup.from}, which receivers reject or file as spam: set MAIL_FROM to an address at your domain, e.g. "otp-app <no-reply@example.com>"`,
    });
  }
  if (setup.dkimDomain !== undefined) {
    if (fromDomain === undefined || !isSameOrSubdomain(fromDomain, setup.dkimDomain)) {
      notices.push({
        level: 'warn',
        event: 'mail.dkim_not_aligned',
        message: `MAIL_FROM's domain (${fromDomain ?? 'none'}) is not DKIM_DOMAIN (${setup.dkimDomain}) or a subdomain of it, so DMARC will not count the signature: send from an address at ${setup.dkimDomain}, or sign for ${fromDomain ?? "MAIL_FROM's domain"}`,
      });
    }
  } else if (setup.isProduction && setup.transport === 'smtp') {
    notices.push({
      level: 'info',
      event: 'mail.dkim_off',
      message:
        "otp-app does not DKIM-sign mail: unless the SMTP provider signs it for MAIL_FROM's domain, set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (make a key with: otp-app dkim-keygen)",
    });
  }
  return notices;
}

function isSameOrSubdomain(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}
