/**
 * migrations/ of the deploy layer on a real PostgreSQL (test/helpers/postgres.ts): 001 up creates
 * the schema (gen_random_uuid defaults work), is safe to run twice, down removes exactly what up
 * made, and up again restores it; a pair made by `migrate.sh create` runs too. The connection URL
 * the migrate initContainer builds (postgresql://user:password@host:port/db?sslmode=disable) is one
 * libpq accepts, with a password made by deploy/scripts/secrets.sh.
 */
import { existsSync, mkdirSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

import { removeDir, runCli } from './helpers/cli.js';
import { destroyPostgres, requirePostgres, startPostgres, type PgServer } from './helpers/postgres.js';
import { composeSchemaErrors, dockerComposeConfig } from './helpers/validators.js';

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

describe('Compose applies migrations/ too (bd-build-data with the deploy layer)', () => {
  interface Svc { depends_on?: Record<string, { condition: string }>; entrypoint?: string[]; environment?: Record<string, string>; volumes?: string[] }
  const compose = () => parseYaml(readFileSync(join(repo, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Svc> };

  it('a migrate service on ./migrations after db is healthy; the app waits for it to succeed; schema and docker-compose config pass', () => {
    const doc = compose();
    expect(composeSchemaErrors(doc)).toEqual([]);
    const cfg = dockerComposeConfig(repo, ['docker-compose.yml']);
    expect(cfg.ok, cfg.output).toBe(true);
    const m = doc.services.migrate!;
    expect(m.volumes).toEqual(['./migrations:/migrations:ro']);
    expect(m.depends_on).toEqual({ db: { condition: 'service_healthy' } });
    expect(doc.services.api!.depends_on!.migrate).toEqual({ condition: 'service_completed_successfully' });
    // The same database and owner as the db service.
    expect(m.environment!.DB_OWNER).toBe(doc.services.db!.environment!.POSTGRES_USER);
    expect(m.environment!.DB_NAME).toBe(doc.services.db!.environment!.POSTGRES_DB);
  });

  it("its entrypoint hands golang-migrate the owner's URL from .env, which PostgreSQL accepts", () => {
    const m = compose().services.migrate!;
    const [sh, flag, script] = m.entrypoint!;
    const env = Object.fromEntries(readFileSync(join(repo, '.env'), 'utf8').split('\n').filter((l) => /^\w+=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2)));
    const bin = join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'migrate'), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    const r = spawnSync(sh!, [flag!, script!.replace(/\$\$/g, '$')], { encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}`, DB_OWNER: env.DB_USER!, DB_OWNER_PASSWORD: env.DB_PASSWORD!, DB_NAME: env.DB_DATABASE! } });
    expect(r.status, r.stderr).toBe(0);
    const args = r.stdout.trim().split('\n');
    expect(args).toEqual(['-path=/migrations', `-database=postgresql://${env.DB_USER}:${env.DB_PASSWORD}@db:5432/${env.DB_DATABASE}?sslmode=disable`, 'up']);
    if (!pg) return;
    ok(pg.psql(`SELECT format('CREATE ROLE %I', '${env.DB_USER}') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${env.DB_USER}') \\gexec\nALTER ROLE ${env.DB_USER} LOGIN PASSWORD '${env.DB_PASSWORD}';`));
    const url = args[1]!.slice('-database='.length).replace('@db:5432', `@127.0.0.1:${pg.port}`);
    const q = spawnSync(join(pg.bindir, 'psql'), ['-X', '-tA', '-c', 'SELECT current_user;', url.replace(`/${env.DB_DATABASE}?`, '/postgres?')], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(q.status, q.stderr).toBe(0);
    expect(q.stdout.trim()).toBe(env.DB_USER);
  });

  it('remove service db names the apps that use it, not the migrate service the stack wrote; --force drops both', () => {
    const made = runCli(['new', 'rmdb', '--service', 'api:fastapi', '--service', 'db:postgres', '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
    expect(made.code, made.stderr).toBe(0);
    const dir = join(tmp, 'rmdb');
    const refused = runCli(['remove', 'service', 'db'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"db" is used by api (depends_on or links)');
    const forced = runCli(['remove', 'service', 'db', '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    const doc = parseYaml(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Svc> };
    expect(Object.keys(doc.services)).not.toContain('migrate');
    expect(doc.services.api!.depends_on ?? {}).toEqual({});
  });

  it('a service named migrate is refused with the deploy layer (exit 2, nothing written)', () => {
    const r = runCli(['new', 'clash', '--service', 'migrate:fastapi', '--service', 'db:postgres', '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[service-reserved]');
    expect(existsSync(join(tmp, 'clash'))).toBe(false);
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

/**
 * app-support with the deploy layer: the Kubernetes database is database/'s (same postgresql.conf,
 * same 00_init.sql, same memory), migrations connect as the owner, and the app pods as the
 * least-privilege role, never with the owner's password.
 */
describe('app-support: the deploy layer runs database/ and connects the app as its least-privilege role', () => {
  const base = () => join(tmp, 'least-support', 'deploy', 'kubernetes', 'base');
  const docs = (file: string) => parseAllDocuments(readFileSync(join(base(), file), 'utf8')).map((d) => d.toJS() as Record<string, any>);
  const configEnv = () => Object.fromEntries(readFileSync(join(base(), 'config.env'), 'utf8').split('\n').filter((l) => /^\w+=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2)));
  const containers = () => docs('app-deployment.yaml')[0]!.spec.template.spec as { initContainers: any[]; containers: any[] };
  const envNames = (c: { env: Array<{ name: string }> }) => c.env.map((e) => e.name);

  beforeAll(() => {
    const r = runCli(['new', 'least', '--preset', 'app-support', '--with', 'deploy', '--db-memory', '2GB', '--yes', '--no-git'], { cwd: tmp });
    if (r.code !== 0) throw new Error(r.stderr);
  });

  it("the StatefulSet's ConfigMaps hold database/postgresql.conf and database/init/00_init.sql, byte for byte", () => {
    const cms = Object.fromEntries(docs('db-config.yaml').map((d) => [d.metadata.name, d.data]));
    const support = join(tmp, 'least-support');
    expect(cms['db-files']['postgresql.conf']).toBe(readFileSync(join(support, 'database', 'postgresql.conf'), 'utf8'));
    expect(cms['db-initdb']['00_init.sql']).toBe(readFileSync(join(support, 'database', 'init', '00_init.sql'), 'utf8'));
    const db = docs('db-statefulset.yaml')[0]!.spec.template.spec.containers[0];
    expect(db.args).toEqual(['postgres', '-c', 'config_file=/etc/db/config/postgresql.conf']);
    // postgresql.conf is tuned for --db-memory: the pod gets that memory, and /dev/shm as Compose's shm_size.
    expect(db.resources.limits.memory).toBe('2Gi');
    expect(db.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain('/dev/shm');
    const shm = docs('db-statefulset.yaml')[0]!.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'dshm');
    expect(shm.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '256Mi' });
    expect(envNames(db)).toEqual(expect.arrayContaining(['APP_DB_USER', 'APP_DB_PASSWORD']));
  });

  it('migrations connect as the owner; the app as APP_DB_USER, and never sees the owner password', () => {
    expect(configEnv()).toMatchObject({ DB_USER: 'least_admin', APP_DB_USER: 'least_app' });
    const { initContainers, containers: [app] } = containers();
    const migrate = initContainers.find((c) => c.name === 'migrate');
    expect(migrate.env.find((e: { name: string }) => e.name === 'DATABASE_URL').value).toBe('postgresql://$(DB_USER):$(DB_PASSWORD)@db:5432/$(DB_DATABASE)?sslmode=disable');
    expect(app.env.find((e: { name: string }) => e.name === 'DATABASE_URL').value).toBe('postgresql://$(APP_DB_USER):$(APP_DB_PASSWORD)@db:5432/$(DB_DATABASE)');
    expect(envNames(app)).not.toContain('DB_PASSWORD');
    expect(envNames(app)).not.toContain('DB_USER');
    for (const env of ['staging', 'production']) {
      const example = readFileSync(join(tmp, 'least-support', 'deploy', 'kubernetes', 'overlays', env, 'secrets.env.example'), 'utf8');
      expect(example).toMatch(/^APP_DB_PASSWORD=$/m);
    }
  });

  it('on PostgreSQL: the ConfigMap init, migration 001 as the owner, then the app role writes rows and cannot change the schema', () => {
    if (!pg) return;
    const cms = Object.fromEntries(docs('db-config.yaml').map((d) => [d.metadata.name, d.data]));
    const cfg = configEnv();
    const owner = { user: cfg.DB_USER!, password: 'owner-pw' };
    // What the image's entrypoint does on first start: POSTGRES_USER is a superuser owning POSTGRES_DB.
    ok(pg.psql(`CREATE ROLE ${owner.user} SUPERUSER LOGIN PASSWORD '${owner.password}'; CREATE DATABASE least OWNER ${owner.user};`));
    const db = { database: 'least', ...owner };
    ok(pg.psql(cms['db-initdb']['00_init.sql'], { ...db, env: { APP_DB_USER: cfg.APP_DB_USER!, APP_DB_PASSWORD: 'app-pw' } }));
    // golang-migrate makes its table before the first file runs (as the owner, so the app role's default grants reach it).
    ok(pg.psql('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);', db));
    ok(pg.psql(readFileSync(join(tmp, 'least-support', 'migrations', '001_initial_schema.up.sql'), 'utf8'), db));
    const app = { database: 'least', user: cfg.APP_DB_USER!, password: 'app-pw' };
    expect(ok(pg.psql("INSERT INTO projects (id, name) VALUES ('p', 'P') RETURNING id;", app))).toBe('p');
    for (const ddl of ['CREATE TABLE intruder (id int);', 'DROP TABLE projects;', 'ALTER TABLE projects ADD COLUMN x int;', 'INSERT INTO schema_migrations VALUES (99, true);', 'UPDATE schema_migrations SET dirty = true;']) {
      const r = pg.psql(ddl, app);
      expect(r.status, ddl).not.toBe(0);
      expect(r.stderr, ddl).toMatch(/permission denied|must be owner/);
    }
  });
});
