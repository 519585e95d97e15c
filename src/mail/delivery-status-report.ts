/**
 * The `message/delivery-status` part of a DSN (RFC 3464 §2): one block of per-message fields, then one
 * block per recipient, blocks separated by blank lines, each field `Name: value` with RFC 5322 folding.
 * No maintained npm package parses this structure (the bounce parsers on npm guess from the human
 * text), and the grammar is small, so it is read here. Pure; the part's text comes from mailparser.
 */

/** One recipient's block, the fields we act on. Addresses without their `rfc822;` type prefix. */
export interface RecipientStatus {
  action: string;
  /** `5.1.1`; empty when missing or not of the form class.subject.detail. */
  status: string;
  finalRecipient?: string;
  originalRecipient?: string;
  /** The remote server's reply (`smtp; 550 5.1.1 …`) without the type, unfolded, at most 500 characters. */
  diagnostic?: string;
}

export interface DeliveryStatusReport {
  reportingMta?: string;
  recipients: RecipientStatus[];
}

/** What a recipient's block means for its message. */
export type RecipientVerdict =
  | { kind: 'bounce'; permanent: boolean }
  | { kind: 'delivered' }
  /** `relayed`, `expanded`, a failure without a status: nothing we can act on. */
  | { kind: 'none' };

const maxBlocks = 101;
const maxDiagnosticLength = 500;

/** Parses the part; null when it has no recipient block (then it is no DSN we can use). */
export function parseDeliveryStatus(text: string): DeliveryStatusReport | null {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map(parseFieldBlock)
    .filter((fields) => fields.size > 0)
    .slice(0, maxBlocks);
  const [perMessage, ...perRecipient] = blocks;
  if (perMessage === undefined) return null;
  const recipients = perRecipient.filter((fields) => fields.has('action')).map(recipientStatusOf);
  if (recipients.length === 0) return null;
  const reportingMta = stripType(perMessage.get('reporting-mta'));
  return { ...(reportingMta === undefined ? {} : { reportingMta }), recipients };
}

/**
 * RFC 3464 §2.3.3 and the classes of RFC 3463: `failed` with a 5.x.x status can never be delivered;
 * `delayed`, or any 4.x.x status, is transient — Postfix's final "gave up after 5 days" notice is
 * `failed` with 4.4.x, and an address that timed out is no reason to suppress it.
 */
export function verdictOf(recipient: RecipientStatus): RecipientVerdict {
  const action = recipient.action.toLowerCase();
  const statusClass = recipient.status.charAt(0);
  if (action === 'delivered') return { kind: 'delivered' };
  if (action === 'delayed' || (action === 'failed' && statusClass === '4')) {
    return { kind: 'bounce', permanent: false };
  }
  if (action === 'failed' && statusClass === '5') return { kind: 'bounce', permanent: true };
  return { kind: 'none' };
}

function recipientStatusOf(fields: Map<string, string>): RecipientStatus {
  const status = /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(fields.get('status') ?? '')?.[1] ?? '';
  const finalRecipient = stripType(fields.get('final-recipient'));
  const originalRecipient = stripType(fields.get('original-recipient'));
  // The remote server's words reach the store and maybe a page: no control characters, bounded length.
  const diagnostic = stripType(fields.get('diagnostic-code')?.replace(/\p{Cc}+/gu, ' '))?.slice(0, maxDiagnosticLength);
  return {
    // Logged when it names no verdict: bounded and clean like the diagnostic (a sender picks its length).
    action: (fields.get('action') ?? '')
      .replace(/\p{Cc}+/gu, ' ')
      .trim()
      .slice(0, 32),
    status,
    ...(finalRecipient === undefined ? {} : { finalRecipient }),
    ...(originalRecipient === undefined ? {} : { originalRecipient }),
    ...(diagnostic === undefined ? {} : { diagnostic }),
  };
}

/** `rfc822; anna@example.com` → `anna@example.com`; `smtp; 550 …` → `550 …`. */
function stripType(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semicolon = value.indexOf(';');
  const stripped = (semicolon < 0 ? value : value.slice(semicolon + 1)).trim();
  return stripped === '' ? undefined : stripped;
}

/** Field names lower-cased; folded lines joined with one space; the first of a repeated field wins. */
function parseFieldBlock(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let current: { name: string; value: string } | undefined;
  const flush = () => {
    if (current !== undefined && !fields.has(current.name)) fields.set(current.name, current.value.trim());
    current = undefined;
  };
  for (const line of block.split('\n')) {
    if (/^[ \t]/.test(line)) {
      if (current !== undefined) current.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (/^[a-z0-9-]+$/.test(name)) current = { name, value: line.slice(colon + 1) };
  }
  flush();
  return fields;
}
