import type { IssueCodeInput, IssueCodeResult, OtpStore } from '../core/otp-store.js';
import type { DailyMailCap } from './daily-mail-cap.js';

/**
 * An OtpStore whose issueCode first takes a send from the deployment's daily mail cap, outside the code's
 * transaction (a counter in it would hold its row lock until commit and serialize every request on
 * PostgreSQL), and gives it back when the code is refused or the transaction fails.
 */
export function dailyCappedOtpStore(store: OtpStore, cap: DailyMailCap): OtpStore {
  return {
    deliveryStatus: (codeId, flowKey) => store.deliveryStatus(codeId, flowKey),
    reserveAttempt: (input) => store.reserveAttempt(input),
    consumeCode: (input) => store.consumeCode(input),
    findCodeByLinkHash: (linkHash) => store.findCodeByLinkHash(linkHash),
    withdrawUndeliveredCode: (input) => store.withdrawUndeliveredCode(input),
    async issueCode(input: IssueCodeInput): Promise<IssueCodeResult> {
      const taken = await cap.take(input.nowMs);
      if (!taken.ok) return { ok: false, reason: 'unavailable', retryAfterMs: taken.retryAfterMs };
      let issued: IssueCodeResult;
      try {
        issued = await store.issueCode(input);
      } catch (error) {
        await taken.release().catch(() => {});
        throw error;
      }
      if (!issued.ok) await taken.release();
      return issued;
    },
  };
}
