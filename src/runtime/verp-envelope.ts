import type { BounceAddress } from '../core/verp-address.js';
import { verpAddress } from '../core/verp-address.js';
import type { VerpTokens } from '../core/verp-token.js';

/**
 * The CodeMailer's `envelopeFrom` for BOUNCE_ADDRESS: each message's own VERP address, so a bounce
 * that comes back minutes later names its message. Undefined without BOUNCE_ADDRESS.
 */
export function verpEnvelopeFrom(
  bounceAddress: BounceAddress | undefined,
  verpTokens: VerpTokens,
): ((message: { messageId: string; recipient: string }) => string) | undefined {
  if (bounceAddress === undefined) return undefined;
  return ({ messageId, recipient }) => verpAddress(bounceAddress, verpTokens.issue(messageId, recipient));
}
