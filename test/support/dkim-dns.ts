import { type DKIMResult, dkimVerify } from 'mailauth';

/**
 * A DNS resolver for mailauth that answers TXT queries from `records` (name → value) and nothing else,
 * so DKIM is verified offline. Values are split into 255-byte strings, as DNS carries them.
 */
export function fakeTxtResolver(records: Record<string, string>) {
  return async (name: string, rrtype: string): Promise<string[][]> => {
    const value = rrtype === 'TXT' ? records[name.toLowerCase()] : undefined;
    if (value === undefined) throw Object.assign(new Error(`no ${rrtype} record for ${name}`), { code: 'ENOTFOUND' });
    return [value.match(/.{1,255}/g) ?? []];
  };
}

/** The DKIM results of a raw message, each signature checked against the key published in `records`. */
export async function verifyDkim(raw: Buffer | string, records: Record<string, string>): Promise<DKIMResult[]> {
  const { results } = await dkimVerify(raw, { resolver: fakeTxtResolver(records) });
  return results;
}

/** The raw message with one character of its body (after the blank line ending the headers) changed. */
export function withOneBodyCharacterChanged(raw: Buffer, find: string): Buffer {
  const text = raw.toString('latin1');
  const bodyStart = text.indexOf('\r\n\r\n') + 4;
  const at = text.indexOf(find, bodyStart);
  if (bodyStart < 4 || at < 0) throw new Error(`"${find}" is not in the message body`);
  const changed = find[0] === 'X' ? 'Y' : 'X';
  return Buffer.from(text.slice(0, at) + changed + text.slice(at + 1), 'latin1');
}
