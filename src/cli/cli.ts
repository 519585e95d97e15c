import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../config/config.js';
import { StoreUnavailableError } from '../core/store-unavailable-error.js';
import { createLogger } from '../ops/logger.js';
import { startConfiguredBounceReceiver } from '../runtime/bounce-listener.js';
import { openOtpRuntime } from '../runtime/otp-runtime.js';
import { buildApp } from '../web/app.js';
import { pagePaths } from '../web/page-paths.js';
import { apiKeyCommand } from './api-key-command.js';
import { bouncesCommand } from './bounces-command.js';
import { migrateCommand, outboxCommand, purgeCommand } from './database-commands.js';
import { dkimKeygenCommand } from './dkim-keygen-command.js';
import { sendTestEmail } from './send-test-email.js';
import { suppressionCommand } from './suppression-command.js';

const commands = {
  serve: 'run the web app; it also delivers queued mail unless OUTBOX_WORKER=off',
  worker: 'deliver queued mail only (run as many as you like beside the servers)',
  migrate: 'apply pending database migrations and exit (use with AUTO_MIGRATE=false)',
  purge: 'delete expired, used and dead codes once and exit',
  'send-test-email': 'send a test email through the configured transport: send-test-email --to ADDRESS [--transport N]',
  outbox: 'print outbox counts by status and the age of the oldest undelivered email',
  'api-key': 'print a new API key and the SHA-256 hash to add to API_KEY_HASHES',
  'dkim-keygen': 'print a new DKIM key and its DNS TXT record: dkim-keygen --domain DOMAIN --selector NAME',
  suppression: 'addresses that get no mail: suppression list | add ADDRESS | remove ADDRESS',
  bounces: 'run the bounce receiver alone (an SMTP listener on BOUNCE_SMTP_HOST:BOUNCE_SMTP_PORT)',
  help: 'show this text',
} as const;
type Command = keyof typeof commands;

const usage = `Usage: otp-app <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, description]) => `  ${name.padEnd(18)}${description}`)
  .join('\n')}

Options:
  --to ADDRESS      recipient of send-test-email
  --transport N     send-test-email: test only the Nth transport of SMTP_URL (1 = primary)
  --domain DOMAIN   dkim-keygen: the signing domain (MAIL_FROM's domain)
  --selector NAME   dkim-keygen: the key's selector, e.g. otp1
  -h, --help        show this text

Configuration comes from the environment (and .env when present); see .env.example.
DATABASE_URL picks the database (empty: SQLite under DATA_DIR; postgres://…: PostgreSQL).
Exit codes: 0 done, 1 failed (the reason is printed), 2 wrong usage.`;

function isCommand(name: string): name is Command {
  return Object.hasOwn(commands, name);
}

/** Returns the exit code, or -1 for a long-running command that exits on a signal. */
async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  const { command, to, domain, selector, help, args, transport } = parsed;
  if (help || command === 'help') {
    console.log(usage);
    return 0;
  }
  if (!isCommand(command)) {
    console.error(`Unknown command "${command}".\n\n${usage}`);
    return 2;
  }
  if (command === 'api-key') return apiKeyCommand();
  if (command === 'dkim-keygen') return dkimKeygenCommand(domain, selector);
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();

  switch (command) {
    case 'migrate':
      return migrateCommand(config);
    case 'purge':
      return purgeCommand(config);
    case 'outbox':
      return outboxCommand(config);
    case 'suppression':
      return suppressionCommand(config, args);
    case 'send-test-email':
      return sendTestEmail(config, to, transport);
    case 'worker':
      return runWorker(config);
    case 'serve':
      return serve(config);
    case 'bounces':
      return bouncesCommand(config, onShutdownSignal);
    case 'help':
      return 0;
  }
}

function parseCommandLine(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      transport: { type: 'string' },
      domain: { type: 'string' },
      selector: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  // Only `suppression` takes arguments of its own (list | add ADDRESS | remove ADDRESS).
  const maxPositionals = positionals[0] === 'suppression' ? 3 : 1;
  if (positionals.length > maxPositionals) throw new Error(`Unexpected argument "${positionals[maxPositionals]}".`);
  return {
    command: positionals[0] ?? 'help',
    to: values.to,
    domain: values.domain,
    selector: values.selector,
    transport: values.transport,
    help: values.help === true,
    args: positionals.slice(1),
  };
}

async function runWorker(config: Readonly<Config>): Promise<number> {
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const runtime = await openOtpRuntime(config, logger, { runWorker: true });
  logger.info({ event: 'outbox.worker_started' }, 'delivering queued mail');
  onShutdownSignal(async (signal) => {
    logger.info({ signal }, 'worker shutting down: finishing sends under way');
    await runtime.close();
  });
  return -1;
}

async function serve(config: Readonly<Config>): Promise<number> {
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const runtime = await openOtpRuntime(config, logger);
  const app = await buildApp(runtime, logger);
  await app.listen({ port: config.port, host: config.host });
  const bounceReceiver = await startConfiguredBounceReceiver(config, runtime, logger);
  if (runtime.devMailbox !== undefined) {
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    logger.info(
      `No mail transport configured: emails are kept in the dev mailbox at http://${config.host}:${port}${pagePaths().devMailbox}`,
    );
  }
  onShutdownSignal(async (signal) => {
    logger.info({ signal }, 'shutting down: no new requests, finishing sends under way');
    await app.close();
    await bounceReceiver?.close();
    await runtime.close();
  });
  return -1;
}

/** SIGTERM/SIGINT: run `shutdown` once, then exit 0 (1 if it failed). */
function onShutdownSignal(shutdown: (signal: string) => Promise<void>): void {
  let started = false;
  const handle = (signal: string) => {
    if (started) return;
    started = true;
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('SIGINT', () => handle('SIGINT'));
}

/** What went wrong, in words an operator can act on; the stack only for the unexpected. */
function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof StoreUnavailableError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `Cannot reach the database${cause}. Is it running, and is DATABASE_URL right?`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(describeFailure(error));
    process.exit(1);
  },
);
