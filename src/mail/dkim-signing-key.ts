// Its own file, free of imports: the config's types (and so the package's .d.ts) name it without
// pulling in nodemailer's.
/** One DKIM key; its public half is published at `<selector>._domainkey.<domain>`. */
export interface DkimSigningKey {
  /** The signing domain (`d=`): the From address's domain or a parent of it, so DMARC counts the signature. */
  domain: string;
  /** The selector (`s=`), e.g. `otp1`. */
  selector: string;
  /**
   * The RSA private key, PEM. Check it before use (the config does): nodemailer sends a message unsigned
   * when it cannot sign. Never logged.
   */
  privateKeyPem: string;
}
