/**
 * migrations/ of the deploy layer on a real PostgreSQL (test/helpers/postgres.ts): 001 up creates
 * the schema (gen_random_uuid defaults work), is safe to run twice, down removes exactly what up
 * made, and up again restores it; a pair made by `migrate.sh create` runs too. The connection URL
 * the migrate initContainer builds (postgresql://user:password@host:port/db?sslmode=disable) is one
 * libpq accepts, with a password made by deploy/scripts/secrets.sh.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { removeDir, runCli } from './helpers/cli.js';
import { destroyPostgres, requirePostgres, startPostgres, type PgServer } from './helpers/postgres.js';

let tmp: string;
let repo: string;
let pg: PgServer | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'create-stack-deploy-migrations-'));
  const r = runCli(['new', 'shop', '--service', 'api:fastapi', '--service', 'db:postgres', '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
  if (r.code !== 0) throw new Error(r.stderr);
  repo = join(tmp, 'shop');
  if (requirePostgres()) pg = await startPostgres({ superuser: 'postgres', password: 'test-superuser' });
});

afterAll(() => {
  destroyPostgres(pg);
  removeDir(tmp);
});

function sql(file: string): string {
  return readFileSync(join(repo, 'migrations', file), 'utf8');
}

function ok(r: ReturnType<PgServer['psql']>): string {
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('migrations on PostgreSQL', () => {
  it('up, up again, down, up: each leaves the schema it should', () => {
    if (!pg) return;
    ok(pg.psql('CREATE DATABASE shop;'));
    const db = { database: 'shop' };
    const exists = () => ok(pg!.psql("SELECT to_regclass('shop.sync_logs') IS NOT NULL;", db));
    expect(exists()).toBe('f');
    ok(pg.psql(sql('001_initial_schema.up.sql'), db));
    expect(exists()).toBe('t');
    ok(pg.psql(sql('001_initial_schema.up.sql'), db)); // IF NOT EXISTS: a re-run is harmless
    const id = ok(pg.psql("INSERT INTO shop.sync_logs (sync_type, status) VALUES ('full', 'done') RETURNING id;", db));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok(pg.psql("SELECT count(*) FROM pg_indexes WHERE schemaname = 'shop';", db))).toBe('3');
    ok(pg.psql('DELETE FROM shop.sync_logs;', db));
    ok(pg.psql(sql('001_initial_schema.down.sql'), db));
    expect(exists()).toBe('f');
    expect(ok(pg.psql("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'shop';", db))).toBe('0');
    ok(pg.psql(sql('001_initial_schema.up.sql'), db));
    expect(exists()).toBe('t');
  });

  it('a pair made by migrate.sh create runs', () => {
    if (!pg) return;
    const r = spawnSync('bash', ['deploy/scripts/migrate.sh', 'create', 'add_orders'], { cwd: repo, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    ok(pg.psql(sql('002_add_orders.up.sql'), { database: 'shop' }));
    ok(pg.psql(sql('002_add_orders.down.sql'), { database: 'shop' }));
  });

  it('the initContainer URL shape, with a password from secrets.sh, is one libpq accepts', () => {
    if (!pg) return;
    expect(spawnSync('bash', ['deploy/scripts/secrets.sh', 'staging'], { cwd: repo }).status).toBe(0);
    const password = /^DB_PASSWORD=(.*)$/m.exec(readFileSync(join(repo, 'deploy/kubernetes/overlays/staging/secrets.env'), 'utf8'))![1]!;
    ok(pg.psql(`CREATE ROLE app LOGIN PASSWORD '${password}'; GRANT ALL ON SCHEMA shop TO app;`, { database: 'shop' }));
    // The same template as the migrate initContainer's DATABASE_URL (host db:5432 → this server).
    const deployment = readFileSync(join(repo, 'deploy/kubernetes/base/api-deployment.yaml'), 'utf8');
    const template = /name: DATABASE_URL\n\s+value: "([^"]+)"/.exec(deployment)![1]!;
    expect(template).toBe('postgresql://$(DB_USER):$(DB_PASSWORD)@db:5432/$(DB_DATABASE)?sslmode=disable');
    const url = template
      .replace('$(DB_USER)', 'app')
      .replace('$(DB_PASSWORD)', password)
      .replace('$(DB_DATABASE)', 'shop')
      .replace('@db:5432', `@127.0.0.1:${pg.port}`);
    const r = spawnSync(join(pg.bindir, 'psql'), ['-X', '-tA', '-c', 'SELECT current_user, current_database();', url], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('app|shop');
  });
});

describe('app-support: migration 001 is the app repo schema', () => {
  it('up creates the app tables beside golang-migrate, down drops them, up again restores them', async () => {
    if (!pg) return;
    const r = runCli(['new', 'crypto', '--preset', 'app-support', '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
    expect(r.code, r.stderr).toBe(0);
    const mig = (f: string) => readFileSync(join(tmp, 'crypto-support', 'migrations', f), 'utf8');
    expect(mig('001_initial_schema.up.sql')).toContain(readFileSync(join(tmp, 'crypto', 'db', 'create_tables.sql'), 'utf8'));
    ok(pg.psql('CREATE DATABASE crypto;'));
    const db = { database: 'crypto' };
    // golang-migrate's own bookkeeping table (version bigint, dirty bool) must not collide with the app's.
    ok(pg.psql('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);', db));
    const tables = () => ok(pg!.psql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public';", db));
    ok(pg.psql(mig('001_initial_schema.up.sql'), db));
    expect(Number(tables())).toBeGreaterThan(5);
    ok(pg.psql("INSERT INTO projects (id, name) VALUES ('p1', 'P1');", db));
    ok(pg.psql(mig('001_initial_schema.down.sql'), db));
    expect(tables()).toBe('1'); // only golang-migrate's table is left
    ok(pg.psql(mig('001_initial_schema.up.sql'), db));
    expect(ok(pg.psql('SELECT count(*) FROM projects;', db))).toBe('0');
  });
});
