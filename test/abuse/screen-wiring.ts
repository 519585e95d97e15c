import type { DefenceEvent } from '../../src/abuse/defence-events.js';
import type { MailDomainResolver } from '../../src/abuse/mail-domain-resolver.js';
import { type AbuseConfig, loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/core/clock.js';
import type { RequestScreen } from '../../src/core/request-screen.js';
import { requestScreenFor } from '../../src/runtime/request-screen-for.js';
import type { OtpDatabase } from '../../src/store/database.js';

/** The abuse settings a given environment yields (through the real config parser, so defaults are the real ones). */
export function abuseConfigOf(env: Record<string, string>): AbuseConfig {
  return loadConfig({ NODE_ENV: 'test', SECRET_KEY: 'x'.repeat(48), DATA_DIR: '/nonexistent', ...env }).abuse;
}

/**
 * The screen the runtime builds for `env`, on the harness's database and clock, for `makeService`'s
 * `requestScreen` wiring; every defence event lands in `events`.
 */
export function screenFor(env: Record<string, string>, events: DefenceEvent[] = [], resolver?: MailDomainResolver) {
  const config = abuseConfigOf(env);
  return (db: OtpDatabase, clock: Clock): RequestScreen =>
    requestScreenFor(config, {
      db,
      clock,
      ...(resolver === undefined ? {} : { resolver }),
      events: (event) => events.push(event),
    });
}
