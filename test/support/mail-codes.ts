import type { ParsedMail } from 'mailparser';

/** The code in a received code email: the first run of 6–10 digits standing alone in the text part. */
export function codeIn(mail: ParsedMail | undefined): string {
  const code = /(?:^|\s)(\d{6,10})(?:\s|$)/m.exec(mail?.text ?? '')?.[1];
  if (code === undefined) throw new Error(`no code in mail: ${mail?.text ?? '(no mail)'}`);
  return code;
}

/** The latest code mailed to `address`. */
export function latestCodeFor(messages: ParsedMail[], address: string): string {
  const mail = messages.filter((message) => message.to !== undefined && JSON.stringify(message.to).includes(address)).at(-1);
  return codeIn(mail);
}
