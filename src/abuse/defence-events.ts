/** The abuse defences that refuse requests, as the `defence` label of otp_defence_refusals_total. */
export const defences = ['subnet_limit', 'domain_limit', 'disposable_address', 'no_mail_domain'] as const;
export type Defence = (typeof defences)[number];

/**
 * What a defence did, for one log line and one metric each. Addresses are given in full here and
 * masked by whoever logs them (see logDefenceEvent).
 */
export type DefenceEvent =
  | { type: 'abuse.subnet_limited'; network: string; action: 'request' | 'verify'; retryAfterSeconds: number }
  | { type: 'abuse.domain_limited'; address: string; domain: string; limit: number; retryAfterSeconds: number }
  | { type: 'abuse.disposable_refused'; address: string; domain: string }
  | { type: 'abuse.no_mail_domain'; address: string; domain: string }
  /** The MX check could not answer (timeout, SERVFAIL, resolver down): the request went ahead unchecked. */
  | { type: 'abuse.mx_check_failed_open'; domain: string; error: string };

export type DefenceEventListener = (event: DefenceEvent) => void;

/** The defence a refusal event stands for; undefined for an event that refused nothing (a fail-open). */
export function defenceOf(event: DefenceEvent): Defence | undefined {
  switch (event.type) {
    case 'abuse.subnet_limited':
      return 'subnet_limit';
    case 'abuse.domain_limited':
      return 'domain_limit';
    case 'abuse.disposable_refused':
      return 'disposable_address';
    case 'abuse.no_mail_domain':
      return 'no_mail_domain';
    case 'abuse.mx_check_failed_open':
      return undefined;
  }
}
