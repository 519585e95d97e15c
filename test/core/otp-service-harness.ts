import type { CodeDelivery, CodeEmail } from '../../src/core/code-delivery.js';
import { CodeHasher } from '../../src/core/code-hash.js';
import { type CodeGenerator, cryptoCodeGenerator } from '../../src/core/one-time-code.js';
import { defaultOtpPolicy, type OtpPolicy } from '../../src/core/otp-policy.js';
import { OtpService } from '../../src/core/otp-service.js';
import type { RequestScreen } from '../../src/core/request-screen.js';
import { SealedBox } from '../../src/core/sealed-box.js';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { MailDeliveryError } from '../../src/mail/mail-delivery-error.js';
import { OutboxWorker } from '../../src/mail/outbox-worker.js';
import type { OtpDatabase } from '../../src/store/database.js';
import { KyselyOtpStore } from '../../src/store/kysely-otp-store.js';
import { KyselyOutboxStore } from '../../src/store/kysely-outbox-store.js';
import { KyselySuppressionList } from '../../src/store/suppressions.repository.js';
import type { TestDialect } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { openFreshDatabase } from './harness-databases.js';

export {
  destroyOpenDatabases,
  dropPostgresOfThisFile,
  openAnotherHandle,
  openFreshDatabase,
} from './harness-databases.js';

/** The same HKDF purposes the runtime uses, so the keys here are the keys in production. */
export const codeHmacPurpose = 'otp code hmac v1';
export const outboxSealPurpose = 'outbox seal v1';
export const secretA = 'test secret A, long enough to be a real one: 0123456789abcdef';
export const secretB = 'test secret B, the one that replaced A: fedcba9876543210';

/** Keeps every email the outbox worker hands over, so a test can type the code back; can be told to fail. */
export class RecordingDelivery implements CodeDelivery {
  readonly emails: CodeEmail[] = [];
  /** 'permanent' answers like "550 no such user" (the worker gives up at once); 'transient' like "421 try later". */
  failing: 'permanent' | 'transient' | false = false;

  async deliverCode(email: CodeEmail): Promise<void> {
    if (this.failing === 'permanent')
      throw new MailDeliveryError('simulated 550 mailbox unavailable', { responseCode: 550, errorCode: 'EENVELOPE' });
    if (this.failing === 'transient')
      throw new MailDeliveryError('simulated 421 try again later', { responseCode: 421, errorCode: 'EENVELOPE' });
    this.emails.push(email);
  }

  get codes(): string[] {
    return this.emails.map((email) => email.code);
  }

  lastCode(): string {
    const last = this.emails.at(-1);
    if (last === undefined) throw new Error('no code has been delivered');
    return last.code;
  }
}

/** Hands out the given codes in order, so a test knows them in advance (and can pick a wrong one). */
export function codesInOrder(...codes: string[]): CodeGenerator {
  const queue = [...codes];
  return {
    generate(length) {
      const code = queue.shift();
      if (code === undefined) throw new Error('the test ran out of predictable codes');
      if (code.length !== length) throw new Error(`predictable code ${code} is not ${length} digits`);
      return code;
    },
  };
}

export interface Wiring {
  /** The database a fresh service gets when `db` is not given; SQLite unless a suite runs on PostgreSQL. */
  dialect?: TestDialect;
  codeGenerator?: CodeGenerator;
  currentSecret?: string;
  oldSecrets?: string[];
  /** Reuse an open database (a second service on the same handle, or a rebuilt one). */
  db?: OtpDatabase;
  clock?: FakeClock;
  delivery?: RecordingDelivery;
  /** The request screen (abuse defences), built on the test's database and clock. @default none */
  requestScreen?: (db: OtpDatabase, clock: FakeClock) => RequestScreen;
}

export function makeHasher(currentSecret = secretA, oldSecrets: string[] = []): CodeHasher {
  return new CodeHasher(new SecretKeyring(currentSecret, oldSecrets, codeHmacPurpose));
}

/**
 * OtpService wired to the real Kysely store on a fresh database (SQLite unless `wiring.dialect` says
 * otherwise), a fake clock and a recording mailbox.
 */
export async function makeService(overrides: Partial<OtpPolicy> = {}, wiring: Wiring = {}) {
  const opened =
    wiring.db === undefined ? await openFreshDatabase(wiring.dialect) : { db: wiring.db, filename: '', location: '' };
  const db = opened.db;
  const store = new KyselyOtpStore(db);
  const clock = wiring.clock ?? new FakeClock();
  const delivered = wiring.delivery ?? new RecordingDelivery();
  const policy: OtpPolicy = { ...defaultOtpPolicy, ...overrides };
  const hasher = makeHasher(wiring.currentSecret, wiring.oldSecrets);
  const sealer = new SealedBox(new SecretKeyring(wiring.currentSecret ?? secretA, wiring.oldSecrets ?? [], outboxSealPurpose));
  const suppressions = new KyselySuppressionList(db);
  const service = new OtpService({
    suppressions,
    policy,
    store,
    sealer,
    hasher,
    clock,
    codeGenerator: wiring.codeGenerator ?? cryptoCodeGenerator,
    ...(wiring.requestScreen === undefined ? {} : { requestScreen: wiring.requestScreen(db, clock) }),
  });

  /** Runs the real outbox worker once over the mail due at the fake clock's time: "the emails arrive". */
  async function deliverOutbox(): Promise<void> {
    const worker = new OutboxWorker({
      store: new KyselyOutboxStore(db),
      undeliverable: service,
      suppressions,
      delivery: delivered,
      sealer,
      clock,
      retry: { baseDelayMs: 1000, maxDelayMs: 300_000, giveUpAfterMs: 1_800_000 },
      concurrency: 5,
      pollIntervalMs: 60_000,
      leaseMs: 60_000,
      sendWindowMs: policy.sendWindowSeconds * 1000,
    });
    // Never started: no timer of its own, one pass that resolves once every due email is recorded.
    await worker.drainOnce();
  }

  /** Request, let the outbox deliver, and return the code that arrived (what a person would type back). */
  async function requestAndReceive(input: Parameters<OtpService['request']>[0]): Promise<string> {
    const outcome = await service.request(input);
    if (!outcome.ok) throw new Error(`request refused: ${outcome.reason}`);
    await deliverOutbox();
    return delivered.lastCode();
  }

  return {
    service,
    clock,
    delivered,
    db,
    store,
    hasher,
    sealer,
    filename: opened.filename,
    location: opened.location,
    deliverOutbox,
    requestAndReceive,
  };
}

/**
 * makeService on one dialect, for a suite run over every dialect:
 * `describe.each(dialects)('… (%s)', (dialect) => { const makeService = makeServiceOn(dialect); … })`.
 */
export function makeServiceOn(dialect: TestDialect) {
  return (overrides: Partial<OtpPolicy> = {}, wiring: Wiring = {}) => makeService(overrides, { dialect, ...wiring });
}
