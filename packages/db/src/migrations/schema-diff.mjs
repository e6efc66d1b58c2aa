// schema-diff.mjs — diff a live PostgreSQL DB (or a Prisma migrations directory)
// against a schema.prisma datamodel with Prisma's real schema engine compiled
// to WebAssembly (@prisma/schema-engine-wasm), driven through @prisma/adapter-pg.
// No native engine binary, no prisma.config.ts, no env vars needed.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import * as wasmRuntime from '@prisma/schema-engine-wasm/schema_engine_bg';

// ---- 1. Load the Wasm module once. The package is built with wasm-bindgen's
// "bundler" target: its main entry does `import * as wasm from "./x.wasm"`, which
// plain Node cannot load, so we instantiate it by hand (as @prisma/internals does).
// The glue reports Rust panics through this global (without it a panic surfaces
// as "Cannot read properties of undefined (reading 'set_message')").
globalThis.PRISMA_WASM_PANIC_REGISTRY ??= { message: '', set_message(m) { this.message = m; }, get() { return this.message; } };
let SchemaEngine;
function loadEngine() {
  if (SchemaEngine) return SchemaEngine;
  const wasmUrl = new URL('./schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasmUrl)), {
    './schema_engine_bg.js': wasmRuntime,
  });
  wasmRuntime.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return (SchemaEngine = wasmRuntime.SchemaEngine);
}

// ---- 2. Work-arounds for @prisma/adapter-pg 7.10.1 --------------------------
// (a) PostgreSQL's internal `"char"` type (OID 18) is unsupported: queryRaw throws
//     UnsupportedNativeDataType ("Column type 'char' could not be deserialized from
//     the database"), yet the engine's catalog queries (contype, relkind, ...) return
//     it and expect ColumnType.Character. pg already yields these values as strings.
//     Fix: relabel OID 18 as TEXT at the pg.Client level (so the adapter does not
//     throw), remember which columns those were (keyed by the `rows` array, which the
//     adapter passes through untouched), and flip them to Character afterwards.
// (b) executeScript splits the script on ';' (breaks DO $$ ... $$, functions, ';' in
//     strings). Send the whole script as one simple-protocol query instead, which is
//     what the native engine does on PostgreSQL.
// (c) connectToShadowDb builds its pool as {...config, database}; a connectionString
//     overrides `database`, so the "shadow" would be the MAIN database. Replaced below.
const OID_CHAR = 18, OID_TEXT = 25;
const charColumns = new WeakMap(); // rows array -> indexes of "char" columns
function relabel(res) {
  for (const r of Array.isArray(res) ? res : [res]) {
    const idx = [];
    (r?.fields ?? []).forEach((f, i) => { if (f.dataTypeID === OID_CHAR) { f.dataTypeID = OID_TEXT; idx.push(i); } });
    if (idx.length && r.rows) charColumns.set(r.rows, idx);
  }
  return res;
}
class CharSafeClient extends pg.Client {
  query(config, values, cb) {
    if (typeof values === 'function') { cb = values; values = undefined; }
    if (typeof cb === 'function') return super.query(config, values, (err, res) => cb(err, err ? res : relabel(res)));
    const ret = super.query(config, values);
    return ret && typeof ret.then === 'function' ? ret.then(relabel) : ret;
  }
}
function patchQueryable(q) {
  const queryRaw = q.queryRaw.bind(q);
  q.queryRaw = async (query) => {
    const res = await queryRaw(query);
    for (const i of charColumns.get(res.rows) ?? []) res.columnTypes[i] = ColumnTypeEnum.Character;
    return res;
  };
  if (q.executeScript) {
    q.executeScript = async (script) => {
      try { await q.client.query(script); } catch (e) { q.onError(e); } // onError -> DriverAdapterError
    };
  }
  if (q.startTransaction) {
    const startTransaction = q.startTransaction.bind(q);
    q.startTransaction = async (...args) => patchQueryable(await startTransaction(...args));
  }
  return q;
}
function patchedFactory(connectionString) {
  const pool = new pg.Pool({ connectionString, Client: CharSafeClient, max: 4 });
  const factory = new PrismaPg(pool); // external pool: we end() it ourselves
  const connect = factory.connect.bind(factory);
  factory.connect = async () => patchQueryable(await connect());
  return { factory, pool };
}

// ---- 3. Public API ------------------------------------------------------------
/** Read a Prisma migrations directory into the engine's MigrationList shape. */
export function readMigrations(migrationsDir) {
  const baseDir = path.resolve(migrationsDir);
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: fs.readdirSync(baseDir, { withFileTypes: true })
      .filter((d) => d.isDirectory()).map((d) => d.name).sort()
      .map((name) => {
        let content;
        try { content = { tag: 'ok', value: fs.readFileSync(path.join(baseDir, name, 'migration.sql'), 'utf8') }; }
        catch (e) { content = { tag: 'error', value: String(e.message) }; }
        return { path: name, migrationFile: { path: 'migration.sql', content } };
      }),
  };
}

function toTarget(t) {
  if (t === 'database') // the live DB behind the adapter (a datasource block without url)
    return { tag: 'schemaDatasource', configDir: process.cwd(), files: [{ path: 'schema.prisma', content: 'datasource db {\n  provider = "postgresql"\n}\n' }] };
  if (t === 'empty') return { tag: 'empty' };
  if (t.schemaFile) return { tag: 'schemaDatamodel', files: [{ path: t.schemaFile, content: fs.readFileSync(t.schemaFile, 'utf8') }] };
  if (t.schemaText) return { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: t.schemaText }] };
  if (t.migrationsDir) return { tag: 'migrations', ...readMigrations(t.migrationsDir) };
  throw new Error('bad diff target ' + JSON.stringify(t));
}

/**
 * SQL needed to go from `from` to `to`; '' when they are equivalent.
 *   from/to: 'database' (the DB at connectionString) | 'empty'
 *          | { schemaFile } | { schemaText }          (datamodel only)
 *          | { migrationsDir }  (replayed on a shadow DB: shadowConnectionString if
 *            given, else a throw-away DB created/dropped via connectionString, which
 *            then needs CREATEDB rights; the main DB itself is never modified)
 */
export async function diffSchemas({ connectionString, shadowConnectionString, from, to }) {
  const Engine = loadEngine();
  const main = patchedFactory(connectionString);
  const shadowPools = [];
  let dropTempShadow;
  main.factory.connectToShadowDb = async () => {
    let cs = shadowConnectionString;
    if (!cs) {
      const name = `prisma_shadow_${crypto.randomUUID().replaceAll('-', '')}`;
      await main.pool.query(`CREATE DATABASE "${name}"`);
      dropTempShadow = () => main.pool.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      const u = new URL(connectionString); u.pathname = '/' + name; cs = u.toString();
    }
    const shadow = patchedFactory(cs);
    shadowPools.push(shadow.pool);
    const adapter = await shadow.factory.connect();
    adapter.dispose = async () => {}; // pools are closed below
    return adapter;
  };

  const engine = await Engine.new({ datamodels: undefined }, () => {}, bindMigrationAwareSqlAdapterFactory(main.factory));
  globalThis.PRISMA_WASM_PANIC_REGISTRY.message = '';
  try {
    const res = await engine.diff({
      from: toTarget(from), to: toTarget(to),
      script: true, exitCode: true, // exitCode 0 = no difference, 2 = difference
      filters: { externalTables: [], externalEnums: [] },
    });
    return res.exitCode === 0 ? '' : (res.stdout ?? '');
  } catch (e) {
    const panic = globalThis.PRISMA_WASM_PANIC_REGISTRY.message;
    if (panic) e.message = `schema engine panic: ${panic}\n${e.message}`;
    throw e;
  } finally {
    engine.free();
    await Promise.all(shadowPools.map((p) => p.end()));
    if (dropTempShadow) await dropTempShadow();
    await main.pool.end();
  }
}
