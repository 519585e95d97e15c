import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** A new DKIM key and what to publish for it. */
export interface DkimKey {
  /** PKCS#8 PEM, the value (or file) for DKIM_PRIVATE_KEY. */
  privateKeyPem: string;
  /** Where receivers look the public key up: `<selector>._domainkey.<domain>`. */
  dnsName: string;
  /** The TXT record's value: `v=DKIM1; k=rsa; p=<base64 of the public key>`. */
  txtValue: string;
}

/**
 * Makes a 2048-bit RSA key (the size RFC 8301 asks signers to use; Ed25519 is not yet verified by every
 * large receiver) and the DNS record that publishes its public half.
 *
 * @example
 *   const { privateKeyPem, dnsName, txtValue } = generateDkimKey('example.com', 'otp1');
 *   // dnsName === 'otp1._domainkey.example.com'; publish txtValue there as a TXT record
 */
export function generateDkimKey(domain: string, selector: string): DkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    dnsName: `${selector}._domainkey.${domain}`,
    txtValue: dkimTxtValue(publicKey),
  };
}

/** The DKIM TXT record value for a key (private or public): the public key as base64 SubjectPublicKeyInfo DER. */
export function dkimTxtValue(key: KeyObject): string {
  const der = (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' });
  return `v=DKIM1; k=rsa; p=${der.toString('base64')}`;
}
