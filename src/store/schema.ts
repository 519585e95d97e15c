import type { DeliveryStatus } from '../core/code-delivery.js';
import type { SuppressionCause } from '../core/delivery-events.js';

/** Row types as the database holds them. Times are milliseconds since the epoch. */
export interface OtpChallengeRow {
  id: string;
  address: string;
  purpose: string;
  /** SHA-256 of the flow that asked (verification-flow.ts); '' for callers that name none (migration 0005). */
  flow_hash?: string;
  /** Bumped when a fresh set of codes starts: codes of an older generation are dead. */
  generation: number;
  /** Attempts counted against the current generation; shared by its live codes. */
  attempts: number;
  last_sent_at: number;
  updated_at: number;
}

export const codeStatuses = ['live', 'used', 'superseded', 'withdrawn'] as const;
export type CodeStatus = (typeof codeStatuses)[number];

export interface OtpCodeRow {
  id: string;
  challenge_id: string;
  generation: number;
  key_id: string;
  /** HMAC-SHA256 of the code and what it is bound to; never the code itself. */
  code_hash: string;
  status: CodeStatus;
  created_at: number;
  expires_at: number;
  requested_ip: string | null;
  /** SHA-256 of the one-time link mailed with the code (migration 0004); null for codes sent without one. */
  link_hash?: string | null;
}

/** A fixed-window counter: sends per address, wrong attempts per address. */
export interface RateWindowRow {
  key: string;
  window_start: number;
  count: number;
}

/** A mailbox's consecutive wrong attempts: only a success, or the window's end, starts them over. */
export interface AddressFailuresRow {
  /** The canonical mailbox (canonical-mailbox.ts). */
  mailbox: string;
  failures: number;
  first_failure_at: number;
}

/** A code email waiting for, or done with, delivery. The body is sealed and wiped once finished. */
export interface OutboxMessageRow {
  id: string;
  recipient: string;
  sealed_body: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  /** While `sending`: when another worker may take the message over (its claimer is presumed dead). */
  lease_until: number | null;
  created_at: number;
  expires_at: number;
  sent_at: number | null;
  updated_at: number;
  last_error: string | null;
  /** SHA-256 of the flow that asked for the code (migration 0005): only it may ask where the email is. */
  flow_hash?: string;
  /** When a mail system confirmed delivery (a provider's webhook; migration 0007). */
  delivered_at?: number | null;
  /** The transport that accepted the message (host:port, never credentials; migration 0008); null until sent. */
  transport?: string | null;
  /** The sending slot this message holds at its recipient's domain (domain-pacing.ts; migration 0008). */
  pacing_slot_at?: number | null;
}

/** An address that gets no mail (migration 0007): keyed by its delivery key (deliveryKeyOf). */
export interface SuppressionRow {
  /** deliveryKeyOf(address): the exact address; at Gmail the inbox, so its aliases are suppressed too. */
  mailbox: string;
  /** The exact address that bounced or was added, for display. */
  address: string;
  cause: SuppressionCause;
  diagnostic: string | null;
  created_at: number;
  /** Null: until an operator removes it (complaints, manual entries). */
  expires_at: number | null;
}

/** A recipient domain's pacing: its next free sending slot, and how much a deferral slowed it. */
export interface OutboxDomainPacingRow {
  domain: string;
  next_slot_at: number;
  slow_factor: number;
  slowed_until: number;
  updated_at: number;
}

/** Code emails queued per hour for the whole deployment (MAIL_DAILY_LIMIT), in a few shards per hour. */
export interface MailDailySendsRow {
  hour_start: number;
  shard: number;
  count: number;
}

export interface Database {
  otp_challenges: OtpChallengeRow;
  otp_codes: OtpCodeRow;
  rate_windows: RateWindowRow;
  address_failures: AddressFailuresRow;
  outbox_messages: OutboxMessageRow;
  suppressions: SuppressionRow;
  outbox_domain_pacing: OutboxDomainPacingRow;
  mail_daily_sends: MailDailySendsRow;
}
