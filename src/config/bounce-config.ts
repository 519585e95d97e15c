import { z } from 'zod';
import type { ApiKeyHash } from '../core/api-key.js';
import { type BounceAddress, parseBounceAddress } from '../core/verp-address.js';
import { blankAsUnset, integer, optionalText } from './env-values.js';

/** Late bounces: the VERP envelope sender, the inbound SMTP receiver, and who may post provider events. Part of Config. */
export interface BounceConfig {
  /**
   * BOUNCE_ADDRESS: when set, every code email's envelope sender (Return-Path) is a per-message VERP
   * address on its domain, `bounces+<token>@mail.example.com`. Unset: mail goes out with MAIL_FROM as
   * envelope sender, as before, and no report can be matched to its message.
   */
  address?: BounceAddress;
  /** The inbound SMTP receiver of this process (BOUNCE_SMTP_PORT set); needs `address`. */
  receiver?: BounceReceiverConfig;
  /**
   * DELIVERY_EVENTS_API_KEYS: labels (from API_KEY_HASHES) of the keys that may call
   * POST /api/v1/delivery-events. Empty: no key may (403). A delivery event withdraws a code and
   * suppresses an address, so it is not something every integrating back end should be able to say.
   */
  webhookApiKeyLabels: readonly string[];
}

export interface BounceReceiverConfig {
  /**
   * BOUNCE_SMTP_HOST. @default 127.0.0.1 — like HOST: an SMTP listener open to the internet must be a
   * deliberate choice. Behind an existing MTA that forwards the bounce domain it stays on loopback; as
   * the bounce domain's MX, set 0.0.0.0 (and map port 25 to BOUNCE_SMTP_PORT).
   */
  host: string;
  /** BOUNCE_SMTP_PORT: e.g. 2525 (port 25 needs privileges; map it in the firewall or container). */
  port: number;
  /** BOUNCE_MAX_MESSAGE_BYTES: larger reports are refused with 552. @default 262144 */
  maxMessageBytes: number;
}

/** The bounce variables, spread into config's env schema. */
export const bounceEnvShape = {
  BOUNCE_ADDRESS: optionalText,
  BOUNCE_SMTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  BOUNCE_SMTP_PORT: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(65535).optional()),
  // A DSN of one of our emails, with the original attached, is tens of kilobytes; 256 KiB leaves room
  // for verbose MTAs (Exchange adds an HTML part) while bounding memory per connection.
  BOUNCE_MAX_MESSAGE_BYTES: integer(256 * 1024, 16 * 1024, 10 * 1024 * 1024),
  DELIVERY_EVENTS_API_KEYS: optionalText,
};

type BounceEnv = z.infer<z.ZodObject<typeof bounceEnvShape>>;

/** Builds the frozen BounceConfig; pushes each problem (with its fix) onto `problems`. */
export function bounceConfigFrom(e: BounceEnv, apiKeys: readonly ApiKeyHash[], problems: string[]): BounceConfig {
  let address: BounceAddress | undefined;
  if (e.BOUNCE_ADDRESS !== undefined) {
    const parsed = parseBounceAddress(e.BOUNCE_ADDRESS);
    if (parsed.ok) address = Object.freeze(parsed.address);
    else problems.push(`BOUNCE_ADDRESS ${parsed.problem}`);
  }
  let receiver: BounceReceiverConfig | undefined;
  if (e.BOUNCE_SMTP_PORT !== undefined) {
    if (e.BOUNCE_ADDRESS === undefined) {
      problems.push(
        'BOUNCE_SMTP_PORT needs BOUNCE_ADDRESS (e.g. bounces@mail.example.com): the receiver accepts mail only for its VERP addresses',
      );
    }
    receiver = Object.freeze({ host: e.BOUNCE_SMTP_HOST, port: e.BOUNCE_SMTP_PORT, maxMessageBytes: e.BOUNCE_MAX_MESSAGE_BYTES });
  }
  const labels = (e.DELIVERY_EVENTS_API_KEYS ?? '')
    .split(',')
    .map((label) => label.trim())
    .filter(Boolean);
  const known = new Set(apiKeys.map((key) => key.label));
  for (const label of labels) {
    if (!known.has(label)) {
      problems.push(
        `DELIVERY_EVENTS_API_KEYS names "${label}", which is not a label in API_KEY_HASHES (entries are label:sha256hex)`,
      );
    }
  }
  return Object.freeze({
    ...(address === undefined ? {} : { address }),
    ...(receiver === undefined ? {} : { receiver }),
    webhookApiKeyLabels: Object.freeze(labels),
  });
}
