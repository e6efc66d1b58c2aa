import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type { PrismaClient } from './generated/prisma/client.ts';

/**
 * One connection pool, two ways in: Prisma for reads and simple records, and the pool itself for
 * the job state transitions in ./queue, which are hand-written SQL (SKIP LOCKED, guarded updates).
 */
export interface Database {
  url: string;
  /** Where the worker LISTENs: a direct or session-mode URL when `url` goes through a transaction-mode pooler. */
  listenUrl: string;
  pool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

/** Where a statement can run: the pool, or one client inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

/**
 * Runs `work` in one transaction on one client of the pool: committed when it returns, rolled
 * back when it throws (the error is rethrown). `begin` may add `SET LOCAL`s in the same round trip.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A client that cannot even roll back (its link died, a statement timed out on it) must not go
    // back to the pool: released with an error, the pool closes it and opens a fresh one later.
    const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
    client.release(rolledBack ? undefined : true);
    throw error;
  }
}

/** How long a statement may go unanswered before its connection is given up: see openPool. */
export const defaultQueryTimeoutMs = 10_000;

/**
 * A plain connection pool, for code that needs SQL only (handler threads reading files).
 *
 * A link that dies without a word (a NAT or firewall forgetting the flow, a server host gone) never
 * fails a statement by itself: it would wait for ever, holding a worker's end write or heartbeat
 * until its lease lapsed. So every statement has a deadline (`queryTimeoutMs`, under half the
 * default lease, far above any statement here), after which it fails, its connection is dropped and
 * the next statement gets a new one; and TCP keepalive notices dead idle connections.
 */
export function openPool(url: string, maxConnections: number, queryTimeoutMs = defaultQueryTimeoutMs): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    query_timeout: queryTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client that loses its server (restart, network) emits here; without a listener the
  // process would crash. The pool drops that client and the next query opens a new one.
  pool.on('error', (error) => {
    console.warn(`[db] idle connection lost: ${error.message}`);
  });
  // A client checked out of the pool (a transaction, Prisma's adapter) has no listener of the pool's:
  // its server going away between two statements would crash the process too. Its pending
  // statement fails instead, and the pool drops it when it is given back (no longer queryable).
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

export interface ConnectionOptions {
  /**
   * Send the hot statements as named prepared statements (parsed and planned once per connection).
   * Off by default: PgBouncer before 1.21 in transaction mode hands each transaction to any server
   * connection, where the name is unknown or already taken.
   */
  preparedStatements?: boolean | undefined;
  /** For LISTEN; default `url`. */
  listenUrl?: string | undefined;
  /** A statement's deadline, in ms (DATABASE_QUERY_TIMEOUT_MS); default 10 s. */
  queryTimeoutMs?: number | undefined;
}

/** The pools (and their clients) that send named statements: see statementFor. */
const namedStatementsOn = new WeakSet<Queryable>();

/** A statement worth preparing once per connection, where the connection allows it. */
export interface NamedStatement {
  name: string;
  text: string;
}

/** `statement` as `db` should send it: named when its pool was opened with preparedStatements, else unnamed. */
export function statementFor(db: Queryable, statement: NamedStatement): pg.QueryConfig {
  return namedStatementsOn.has(db) ? statement : { text: statement.text };
}

/**
 * Runs `statement` with its generic plan, the one made without looking at the values. Named, that
 * is the plan the connection keeps after a few calls; unnamed, each call would be planned for its
 * values, and with stale statistics (an empty table's, right after a burst of enqueues) the claim
 * planned so reads and sorts the whole backlog. Unnamed, it runs in a transaction of its own with
 * `SET LOCAL plan_cache_mode = force_generic_plan`, which leaves nothing on a pooled connection.
 */
export async function queryWithGenericPlan<Row extends pg.QueryResultRow>(
  pool: pg.Pool,
  statement: NamedStatement,
  values: unknown[],
): Promise<pg.QueryResult<Row>> {
  if (namedStatementsOn.has(pool)) return pool.query<Row>(statement, values);
  return inTransaction(pool, (client) => client.query<Row>(statement.text, values), 'BEGIN; SET LOCAL plan_cache_mode = force_generic_plan');
}

export function openDatabase(url: string, options: { maxConnections?: number | undefined } & ConnectionOptions = {}): Database {
  const pool = openPool(url, options.maxConnections ?? 10, options.queryTimeoutMs);
  if (options.preparedStatements === true) {
    namedStatementsOn.add(pool);
    // Transactions run on one client of the pool (inTransaction): it sends them named too.
    pool.on('connect', (client) => namedStatementsOn.add(client));
  }
  // adapter-pg names a statement only with its `statementNameGenerator` option, not given here:
  // Prisma's queries are unnamed, which a transaction-mode pooler can carry.
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closing: Promise<void> | undefined;
  return {
    url,
    listenUrl: options.listenUrl ?? url,
    pool,
    prisma,
    close() {
      closing ??= prisma.$disconnect().then(() => pool.end());
      return closing;
    },
  };
}

/** The URL of another database on the same server. */
export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
