import type { Config } from '../config/config.js';
import { deliveryKeyOf } from '../core/canonical-mailbox.js';
import { normalizeEmailAddress } from '../core/email-address.js';
import type { Suppression } from '../core/suppression-list.js';
import { openDatabase } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { findSuppression, listSuppressions, removeSuppression, suppressMailbox } from '../store/suppressions.repository.js';

export const suppressionUsage = 'suppression list | suppression add ADDRESS | suppression remove ADDRESS';

/** Most entries `list` prints; the total is printed beside them. */
const listLimit = 1000;

/**
 * `otp-app suppression list | add ADDRESS | remove ADDRESS`: the operator's view of the suppression list
 * (docs/suppression.md). An entry covers the exact address, at Gmail its inbox (deliveryKeyOf: dots and `+tag` ignored), so
 * `remove` takes any alias of it. Returns the exit code: 0 done, 1 failed, 2 wrong usage or a bad address.
 */
export async function suppressionCommand(config: Readonly<Config>, args: readonly string[]): Promise<number> {
  const [action, rawAddress, ...extra] = args;
  const needsAddress = action === 'add' || action === 'remove';
  if (
    !(action === 'list' || needsAddress) ||
    (needsAddress ? rawAddress === undefined : rawAddress !== undefined) ||
    extra.length > 0
  ) {
    console.error(`Usage: otp-app ${suppressionUsage}`);
    return 2;
  }
  const address = rawAddress === undefined ? null : normalizeEmailAddress(rawAddress);
  if (needsAddress && address === null) {
    // Printed as JSON so a control character or a terminal escape in the argument shows as what it is.
    console.error(`Not a valid email address: ${JSON.stringify(rawAddress)}. Give one like name@example.com.`);
    return 2;
  }
  const db = openDatabase(config.database);
  try {
    if (config.autoMigrate) await migrateToLatest(db);
    const nowMs = Date.now();
    if (action === 'list') {
      const { entries, total } = await listSuppressions(db, { nowMs, limit: listLimit });
      if (total === 0) console.log('No address is suppressed.');
      for (const entry of entries) console.log(describe(entry));
      if (total > entries.length) console.log(`… and ${total - entries.length} more (${total} in all).`);
      return 0;
    }
    const mailbox = deliveryKeyOf(address!);
    if (action === 'add') {
      const added = await suppressMailbox(db, {
        mailbox,
        address: address!,
        cause: 'manual',
        diagnostic: 'added with otp-app suppression add',
        nowMs,
        expiresAtMs: null,
      });
      const entry = await findSuppression(db, mailbox, nowMs);
      console.log(`${added ? 'Suppressed' : 'Already suppressed'}: ${entry === null ? address : describe(entry)}`);
      return 0;
    }
    const removed = await removeSuppression(db, mailbox);
    console.log(
      removed === null ? `${address} was not on the suppression list.` : `Removed: ${describe(removed)}. It gets codes again.`,
    );
    return 0;
  } finally {
    await db.destroy();
  }
}

/** One entry on one line: address, cause, since, until, and what the mail system said. */
function describe(entry: Suppression): string {
  const until = entry.expiresAtMs === null ? 'until removed' : `until ${new Date(entry.expiresAtMs).toISOString()}`;
  const covers = entry.mailbox === entry.address ? '' : ` (covers ${entry.mailbox})`;
  const said = entry.diagnostic === null ? '' : `  ${entry.diagnostic}`;
  return `${entry.address}${covers}  ${entry.cause}  since ${new Date(entry.createdAtMs).toISOString()}  ${until}${said}`;
}
