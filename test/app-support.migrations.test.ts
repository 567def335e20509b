/**
 * app-support with the deploy layer: one schema history. migrations/ builds the database in
 * Kubernetes and in both Compose files (a migrate service the app waits for), and the check rule
 * drift/migrations-match-app-schema says when the app repo's db/create_tables.sql has moved on
 * without them. The generated pair is proven equal on a real PostgreSQL: the columns and indexes
 * create_tables.sql makes are the ones the migrations make.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { applySql, blank, emptySchema } from '../src/check/rules/drift/_sql.js';
import { ident } from '../src/check/rules/drift/migrations-match-app-schema.js';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { destroyPostgres, requirePostgres, startPostgres, type PgServer } from './helpers/postgres.js';
import { composeSchemaErrors, dockerComposeConfig } from './helpers/validators.js';

const work = tempDir('cs-asm-');
let app: string;
let support: string;
let pg: PgServer | undefined;

const PROD_ENV = { POSTGRES_USER: 'x_admin', POSTGRES_PASSWORD: 'p1', POSTGRES_DB: 'x', APP_DB_PASSWORD: 'p2' };
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

beforeAll(async () => {
  const r = runCli(['new', 'shop', '--preset', 'app-support', '--with', 'deploy', '--yes', '--no-git'], { cwd: work });
  if (r.code !== 0) throw new Error(r.stderr);
  app = join(work, 'shop');
  support = join(work, 'shop-support');
  if (requirePostgres()) pg = await startPostgres({ superuser: 'postgres', password: 'test-superuser' });
});

afterAll(() => {
  destroyPostgres(pg);
  removeDir(work);
});

interface Svc {
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  entrypoint?: string[];
  environment?: Record<string, string>;
  user?: string;
}

describe('both Compose files apply migrations/ before the app, as Kubernetes does', () => {
  for (const [file, dir] of [['docker-compose.prod.yml', ''], ['database/docker-compose.yml', 'database']] as const) {
    it(`${file}: no schema by initdb, a migrate service on migrations/ (schema and docker-compose config pass)`, () => {
      const doc = parseYaml(read(support, file)) as { services: Record<string, Svc> };
      expect(composeSchemaErrors(doc)).toEqual([]);
      const cfg = dockerComposeConfig(join(support, dir), [file.split('/').pop()!], PROD_ENV);
      expect(cfg.ok, cfg.output).toBe(true);
      expect(cfg.warnings).toEqual([]);
      const initdb = (doc.services.postgres!.volumes ?? []).filter((v) => v.includes('/docker-entrypoint-initdb.d/'));
      expect(initdb).toEqual([]);
      const migrate = doc.services.migrate!;
      const mount = migrate.volumes!.map((v) => v.split(':')).find((v) => v[1] === '/migrations')!;
      expect(resolve(support, dir, mount[0]!)).toBe(join(support, 'migrations'));
      expect(mount[2]).toBe('ro');
      expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(migrate.user).toBe('65532:65532');
      if (doc.services.app) expect(doc.services.app.depends_on!.migrate).toEqual({ condition: 'service_completed_successfully' });
    });
  }

  it("the migrate entrypoint hands golang-migrate the owner's URL, built in the container; PostgreSQL accepts it", () => {
    const doc = parseYaml(read(support, 'docker-compose.prod.yml')) as { services: Record<string, Svc> };
    const [sh, flag, script] = doc.services.migrate!.entrypoint!;
    expect([sh, flag]).toEqual(['/bin/sh', '-c']);
    expect(script).not.toMatch(/\$\{/); // nothing Compose interpolates: no password in the command
    // A stand-in migrate that prints its arguments, run the way the container runs the entrypoint ($$ is $).
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'migrate'), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
    chmodSync(join(bin, 'migrate'), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH}`, POSTGRES_USER: 'shop_admin', POSTGRES_PASSWORD: 'owner-pw', POSTGRES_DB: 'shopm' };
    const r = spawnSync(sh!, [flag!, script!.replace(/\$\$/g, '$')], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const args = r.stdout.trim().split('\n');
    expect(args).toEqual(['-path=/migrations', '-database=postgresql://shop_admin:owner-pw@postgres:5432/shopm?sslmode=disable', 'up']);
    if (!pg) return;
    expect(pg.psql("CREATE ROLE shop_admin SUPERUSER LOGIN PASSWORD 'owner-pw'; CREATE DATABASE shopm OWNER shop_admin;").status).toBe(0);
    const url = args[1]!.slice('-database='.length).replace('@postgres:5432', `@127.0.0.1:${pg.port}`);
    const q = spawnSync(join(pg.bindir, 'psql'), ['-X', '-tA', '-c', 'SELECT current_user, current_database();', url], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(q.status, q.stderr).toBe(0);
    expect(q.stdout.trim()).toBe('shop_admin|shopm');
  });
});

describe('the generated migrations build the very schema of create_tables.sql (real PostgreSQL)', () => {
  it('same tables, columns (type, nullability, default) and indexes', () => {
    if (!pg) return;
    const shape = (db: string) => {
      const q = (sql: string) => {
        const r = pg!.psql(sql, { database: db });
        expect(r.status, r.stderr).toBe(0);
        return r.stdout.trim();
      };
      return {
        columns: q("SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1, 2;"),
        indexes: q("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1;"),
      };
    };
    expect(pg.psql('CREATE DATABASE by_schema; CREATE DATABASE by_migrations;').status).toBe(0);
    expect(pg.psql('', { database: 'by_schema', file: join(app, 'db', 'create_tables.sql') }).status).toBe(0);
    expect(pg.psql('', { database: 'by_migrations', file: join(support, 'migrations', '001_initial_schema.up.sql') }).status).toBe(0);
    const a = shape('by_schema');
    expect(a.columns.split('\n').length).toBeGreaterThan(20);
    expect(shape('by_migrations')).toEqual(a);
  });
});

describe('drift/migrations-match-app-schema', () => {
  const check = () => {
    const r = runCli(['check', support, '--format', 'json'], { cwd: work });
    expect([0, 1], r.stderr).toContain(r.code);
    return (JSON.parse(r.stdout) as { findings: Array<{ rule: string; file: string; line: number; column: number; message: string }> }).findings.filter((f) => f.rule === 'drift/migrations-match-app-schema');
  };
  const schemaFile = () => join(app, 'db', 'create_tables.sql');

  it('the generated pair: no finding', () => {
    expect(check()).toEqual([]);
  });

  it('a column the app adds: one finding at its name, until a migration adds it', () => {
    const before = read(schemaFile());
    const text = before.replace(/^( {4}score {7}double precision,)$/m, '$1\n    label       text NOT NULL DEFAULT \'x\',');
    expect(text).not.toBe(before);
    writeFileSync(schemaFile(), text);
    const line = text.split('\n').findIndex((l) => l.startsWith('    label')) + 1;
    const found = check();
    expect(found.map((f) => [f.line, f.column])).toEqual([[line, 5]]);
    expect(found[0]!.file).toMatch(/(^|\/)shop\/db\/create_tables\.sql$/);
    expect(found[0]!.message).toContain("ALTER TABLE insights ADD COLUMN IF NOT EXISTS label text NOT NULL DEFAULT 'x'");
    // What the finding says to do: migrate.sh create, then the ALTER in the up file.
    const r = spawnSync('bash', ['deploy/scripts/migrate.sh', 'create', 'add_label'], { cwd: support, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    writeFileSync(join(support, 'migrations', '002_add_label.up.sql'), "BEGIN;\nALTER TABLE insights ADD COLUMN IF NOT EXISTS label text NOT NULL DEFAULT 'x';\nCOMMIT;\n");
    expect(check()).toEqual([]);
  });

  it('a table the app adds, and one a migration drops: each named where it is declared', () => {
    writeFileSync(schemaFile(), `${read(schemaFile())}\nCREATE TABLE IF NOT EXISTS orders (\n    id bigint PRIMARY KEY\n);\n`);
    writeFileSync(join(support, 'migrations', '003_drop_metrics.up.sql'), 'BEGIN;\nDROP TABLE IF EXISTS metrics;\nCOMMIT;\n');
    writeFileSync(join(support, 'migrations', '003_drop_metrics.down.sql'), 'BEGIN;\nCOMMIT;\n');
    const lines = read(schemaFile()).split('\n');
    const found = check().map((f) => `${f.line}:${f.column} ${f.message.split(' of ')[0]}`);
    expect(found.sort()).toEqual([
      `${lines.findIndex((l) => l.startsWith('CREATE TABLE IF NOT EXISTS metrics')) + 1}:28 table metrics`,
      `${lines.findIndex((l) => l.startsWith('CREATE TABLE IF NOT EXISTS orders')) + 1}:28 table orders`,
    ].sort());
  });

  it('a table only the migrations make: named in the migration that creates it', () => {
    writeFileSync(join(support, 'migrations', '004_audit.up.sql'), 'BEGIN;\n-- the audit trail\nCREATE TABLE audit (id int);\nCOMMIT;\n');
    const f = check().find((x) => x.message.startsWith('table audit'))!;
    expect(f.file).toMatch(/migrations\/004_audit\.up\.sql$/);
    expect([f.line, f.column]).toEqual([3, 14]);
  });
});

describe('the schema reader', () => {
  it('ignores comments, strings and dollar-quoted bodies, keeps offsets', () => {
    const sql = "-- CREATE TABLE no (a int);\nSELECT 'x; (' ; DO $$ BEGIN CREATE TABLE nope (a int); END $$;\n/* ; */";
    expect(blank(sql).length).toBe(sql.length);
    expect(applySql(emptySchema(), sql).tables.size).toBe(0);
  });

  it('follows CREATE, ALTER (add, drop, rename), DROP; folds case; keeps "Quoted" names and public.-less names', () => {
    const s = applySql(
      emptySchema(),
      `CREATE TABLE IF NOT EXISTS public.Orders (id int PRIMARY KEY, "Total" numeric(10,2) CHECK ("Total" > 0), CONSTRAINT c UNIQUE (id));
       ALTER TABLE orders ADD COLUMN note text, DROP COLUMN IF EXISTS "Total", RENAME COLUMN id TO order_id;
       CREATE INDEX IF NOT EXISTS orders_note_idx ON orders (note);
       CREATE TABLE gone (a int); DROP TABLE gone;`,
    );
    expect([...s.tables.keys()]).toEqual(['orders']);
    expect([...s.tables.get('orders')!.columns.keys()].sort()).toEqual(['note', 'order_id']);
    expect(s.indexes.get('orders_note_idx')!.table).toBe('orders');
  });

  it("E'…' strings with backslash escapes, and ALTER INDEX … RENAME TO", () => {
    const s = applySql(emptySchema(), "CREATE TABLE t (a text DEFAULT E'it\\'s; (', b int);\nCREATE INDEX t_a ON t (a);\nALTER INDEX t_a RENAME TO t_a_idx;");
    expect([...s.tables.get('t')!.columns.keys()]).toEqual(['a', 'b']);
    expect([...s.indexes.keys()]).toEqual(['t_a_idx']);
  });

  it('a ; or -- inside a "quoted" name is part of the name', () => {
    const s = applySql(emptySchema(), 'CREATE TABLE "we;ird" ("a--b" int, c text);\nCREATE TABLE after (x int);');
    expect([...s.tables.keys()]).toEqual(['we;ird', 'after']);
    expect([...s.tables.get('we;ird')!.columns.keys()]).toEqual(['a--b', 'c']);
  });

  it('suggested SQL quotes a name PostgreSQL would fold', () => {
    expect(ident('insights')).toBe('insights');
    expect(ident('Users')).toBe('"Users"');
    expect(ident('shop.Orders')).toBe('shop."Orders"');
  });
});
