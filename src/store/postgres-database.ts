import { createRequire } from 'node:module';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { StoreUnavailableError } from '../core/store-unavailable-error.js';
import { isDatabaseUnreachable } from './postgres-errors.js';
import type { Database } from './schema.js';

export interface PostgresDatabaseOptions {
  url: string;
  poolSize: number;
  connectTimeoutMs: number;
  /** Told when an idle pooled connection breaks (e.g. the server restarted); the pool replaces it by itself. */
  onIdleConnectionError?: (error: Error) => void;
}

const int8Oid = 20;

/**
 * `pg` returns int8 (our millisecond timestamps, and count(*)) as strings to be safe above 2^53. Ours are
 * far below it, and the store and its callers treat times as numbers, so parse them as numbers here, for
 * this pool only (not through pg's global type registry, which other code in the process may rely on).
 */
function typesWithInt8AsNumber(driver: typeof pg) {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === int8Oid
        ? (value: string) => Number(value)
        : driver.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
}

/** Opens a pooled PostgreSQL connection. The schema comes from the URL's `options=-c search_path=…`, if any. */
export function openPostgresDatabase(options: PostgresDatabaseOptions): Kysely<Database> {
  // Loaded only here: an app on the embedded SQLite never pays the driver's memory.
  const driver = createRequire(import.meta.url)('pg') as typeof pg;
  const pool = new driver.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    types: typesWithInt8AsNumber(driver),
  });
  // Without a listener an idle connection killed by a server restart would crash the whole process.
  pool.on('error', (error) => options.onIdleConnectionError?.(error));
  // The same for a connection between states — just opened, or on its way in or out of the pool — when
  // the server goes: every client gets a listener from birth. (Its failed query, if any, still reaches the
  // request; the wrapper below keeps a broken connection out of the pool.)
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new UnavailabilityMappingPool(pool) }) });
}

/**
 * The one place a lost database becomes a StoreUnavailableError: wrapping the pool means every query,
 * whichever store or transaction runs it, fails the same typed way.
 */
class UnavailabilityMappingPool implements PostgresPool {
  private readonly clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();

  constructor(private readonly pool: pg.Pool) {}

  async connect(): Promise<PostgresPoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw mapUnreachable(error);
    }
    let wrapped = this.clients.get(client);
    if (wrapped === undefined) {
      wrapped = mappingClient(client);
      this.clients.set(client, wrapped);
    }
    return wrapped;
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

function mappingClient(client: pg.PoolClient): PostgresPoolClient {
  let broken = false;
  // The server can drop a connection while a request holds it (a restart). pg then emits 'error' on the
  // client as well as failing the query; unheard, that event would crash the process. The query's own
  // error is what reaches the request; here we only make sure the connection is not reused.
  client.on('error', () => {
    broken = true;
  });
  return {
    query: ((sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>) => {
      if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as never);
      return client.query(sqlOrCursor, parameters as unknown[]).catch((error: unknown) => {
        const mapped = mapUnreachable(error);
        // A connection that lost its server must not go back to the pool for the next request.
        if (mapped instanceof StoreUnavailableError) broken = true;
        throw mapped;
      });
    }) as unknown as PostgresPoolClient['query'],
    release(destroy?: boolean) {
      client.release(destroy === true || broken);
      broken = false;
    },
  };
}

function mapUnreachable(error: unknown): unknown {
  return isDatabaseUnreachable(error) ? new StoreUnavailableError(error) : error;
}
