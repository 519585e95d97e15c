import type { Kysely } from 'kysely';
import { canonicalMailbox } from '../core/canonical-mailbox.js';
import { dailySendWindowSeconds } from '../core/otp-policy.js';
import type { WithdrawUndeliveredCodeInput } from '../core/otp-store.js';
import { giveBackCooldown } from './challenges.repository.js';
import { restoreReplacedCode, withdrawLiveCode } from './codes.repository.js';
import { giveUpMessage } from './outbox.repository.js';
import { deleteRateWindow, rateWindowKeys, refundRateWindow } from './rate-window.repository.js';
import type { Database } from './schema.js';

// What giving up on an email does across tables, inside the caller's transaction. Lock order: the
// message, the mailbox's send windows, the code, its challenge, its cooldown window — a code before its challenge, the reverse
// of a resend, so PostgreSQL may pick the transaction as a deadlock victim; run it in
// transactionWithRefusal, which runs it again (it finds the same rows).

/**
 * Ends a message that will not be sent and gives back its send: nobody received the email (failed or
 * expired alike). The recipient, or null when the claim no longer holds the message and nothing changed.
 */
export async function giveUpEmail(
  trx: Kysely<Database>,
  id: string,
  input: { nowMs: number; claimedAttempts: number; status: 'failed' | 'expired'; error: string; sendWindowMs: number },
): Promise<{ recipient: string } | null> {
  const message = await giveUpMessage(trx, id, input);
  if (message === null) return null;
  await giveBackSend(trx, message.recipient, input);
  return message;
}

/** Gives back the hourly and daily send an email took from its mailbox: nobody received it. */
export async function giveBackSend(
  trx: Kysely<Database>,
  recipient: string,
  input: { nowMs: number; sendWindowMs: number },
): Promise<void> {
  const mailbox = canonicalMailbox(recipient);
  const { nowMs } = input;
  await refundRateWindow(trx, { key: rateWindowKeys.sends(mailbox), windowMs: input.sendWindowMs, nowMs });
  await refundRateWindow(trx, { key: rateWindowKeys.dailySends(mailbox), windowMs: dailySendWindowSeconds * 1000, nowMs });
}

/**
 * The store's half of UndeliverableCodes.withdrawUndeliveredCode: the message ends `failed`, its send and
 * the challenge's cooldown are given back, the code is withdrawn, and the code it replaced comes back.
 */
export async function withdrawUndeliveredCode(trx: Kysely<Database>, input: WithdrawUndeliveredCodeInput): Promise<boolean> {
  const { codeId, nowMs } = input;
  const message = await giveUpEmail(trx, codeId, { ...input, status: 'failed' });
  if (message === null) return false;
  await withdrawCodeOfLostEmail(trx, codeId, nowMs);
  return true;
}

/**
 * The code's half: withdrawn if still live, the challenge's cooldown given back, and the code it replaced
 * brought back. False when the code was no longer live (used, replaced, or withdrawn before).
 */
export async function withdrawCodeOfLostEmail(trx: Kysely<Database>, codeId: string, nowMs: number): Promise<boolean> {
  const code = await withdrawLiveCode(trx, codeId);
  if (code === null) return false;
  const challenge = await giveBackCooldown(trx, code.challengeId);
  if (challenge !== null) {
    await deleteRateWindow(
      trx,
      rateWindowKeys.cooldown(canonicalMailbox(challenge.address), challenge.purpose, challenge.flowKey),
    );
  }
  // Queuing this email superseded the oldest live code; since it never arrived, that code comes back.
  await restoreReplacedCode(trx, { ...code, nowMs });
  return true;
}
