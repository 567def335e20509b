/**
 * The app-support preset against a real PostgreSQL (the binaries of the `postgresql` package):
 *  - `postgres -C` accepts the generated postgresql.conf for several --db-memory values and reports
 *    the tuned values;
 *  - a server started with that very file runs the support repo's 00_init.sql and the app repo's
 *    create_tables.sql + migration; the app's least-privilege role can write rows but not DDL;
 *  - the generated pipeline stores its results as that role (when psycopg is installed);
 *  - backup.sh / restore.sh round-trip the data, fail cleanly (non-zero, no file) on a wrong password
 *    or a stopped server, read the connection from .env, and prune only old backups.
 * Missing PostgreSQL: loud skip locally, failure on CI (requirePostgres → requireTool).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { removeDir, ROOT, runCli, tempDir } from './helpers/cli.js';
import {
  copyForPostgres,
  destroyPostgres,
  findPgBindir,
  freePort,
  initCluster,
  pgTempDir,
  requirePostgres,
  showSetting,
  startPostgres,
  type PgServer,
} from './helpers/postgres.js';
import { requireTool } from './helpers/validators.js';

const HAVE_PG = requirePostgres();
const work = tempDir('cs-as-pg-');
afterAll(() => removeDir(work));

function generate(name: string, extra: string[]): { app: string; support: string } {
  const r = runCli(['new', name, '--preset', 'app-support', '--yes', '--no-git', ...extra], { cwd: work });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { app: join(work, name), support: join(work, `${name}-support`) };
}

// ---------------------------------------------------------------------------------------------
// postgres -C: the generated postgresql.conf is accepted and carries the tuned values
// ---------------------------------------------------------------------------------------------

/** Base unit (in kB) in which `postgres -C` prints each memory setting when it prints no unit. */
const UNIT_KB: Record<string, number> = {
  shared_buffers: 8,
  effective_cache_size: 8,
  wal_buffers: 8,
  work_mem: 1,
  maintenance_work_mem: 1,
  min_wal_size: 1024,
  max_wal_size: 1024,
};

/** `131072` (in the setting's unit) or `1GB` → kB. */
function toKB(param: string, value: string): number {
  const m = /^(\d+)\s*(kB|MB|GB|TB)?$/.exec(value);
  if (!m) throw new Error(`${param}: not a size: ${value}`);
  const n = Number(m[1]);
  if (!m[2]) return n * UNIT_KB[param]!;
  return n * { kB: 1, MB: 1024, GB: 1024 ** 2, TB: 1024 ** 3 }[m[2] as 'kB']!;
}

const KB = (text: string) => toKB('x', text);

// The expected tuning, written out by hand from the rules (not computed by the code under test).
const EXPECTED: Record<string, Record<string, string>> = {
  '512MB': {
    shared_buffers: '128MB',
    effective_cache_size: '384MB',
    work_mem: '1310kB',
    maintenance_work_mem: '32MB',
    wal_buffers: '4MB',
    min_wal_size: '256MB',
    max_wal_size: '1GB',
  },
  '4GB': {
    shared_buffers: '1GB',
    effective_cache_size: '3GB',
    work_mem: '10485kB',
    maintenance_work_mem: '256MB',
    wal_buffers: '16MB',
    min_wal_size: '1GB',
    max_wal_size: '4GB',
  },
  '64GB': {
    shared_buffers: '16GB',
    effective_cache_size: '48GB',
    work_mem: '167772kB',
    maintenance_work_mem: '2GB',
    wal_buffers: '16MB',
    min_wal_size: '4GB',
    max_wal_size: '16GB',
  },
};

const FIXED: Record<string, string> = {
  max_connections: '100',
  default_toast_compression: 'lz4',
  wal_compression: 'lz4',
  wal_level: 'replica',
  checkpoint_completion_target: '0.9',
  random_page_cost: '1.1',
  jit: 'off',
  shared_preload_libraries: 'pg_stat_statements',
  password_encryption: 'scram-sha-256',
};

describe.skipIf(!HAVE_PG)('postgresql.conf is accepted by postgres -C', () => {
  let pgDir: string;
  let dataDir: string;

  beforeAll(() => {
    pgDir = pgTempDir('cs-as-pgconf-');
    dataDir = initCluster(pgDir, 'postgres_conf_check', 'unused-password');
  });
  afterAll(() => removeDir(pgDir));

  for (const [memory, expected] of Object.entries(EXPECTED)) {
    it(`--db-memory ${memory}`, () => {
      const name = `conf-${memory.toLowerCase()}`;
      const { support } = generate(name, ['--db-memory', memory]);
      const conf = copyForPostgres(join(support, 'database', 'postgresql.conf'), pgDir, `${name}.conf`);
      for (const [param, want] of Object.entries(expected)) {
        expect(toKB(param, showSetting(dataDir, conf, param)), `${param} for ${memory}`).toBe(KB(want));
      }
      for (const [param, want] of Object.entries(FIXED)) {
        expect(showSetting(dataDir, conf, param), param).toBe(want);
      }
      // The container's memory limit matches the tuning in every place it is written.
      const k8sMem = memory.replace(/B$/, 'i');
      expect(readFileSync(join(support, 'kubernetes', 'postgres', 'statefulset.yaml'), 'utf8')).toContain(`memory: ${k8sMem}`);
      expect(readFileSync(join(support, 'docker-compose.prod.yml'), 'utf8')).toContain(`memory: ${memory.replace(/B$/, '')}`);
    });
  }

  it('postgres -C is a real check: it refuses a broken setting', () => {
    const { support } = generate('conf-broken', ['--db-memory', '1GB']);
    const conf = join(pgDir, 'broken.conf');
    copyFileSync(join(support, 'database', 'postgresql.conf'), conf);
    appendFileSync(conf, '\nshared_buffers = 12XB\n');
    const copied = copyForPostgres(conf, pgDir, 'broken-owned.conf');
    expect(() => showSetting(dataDir, copied, 'shared_buffers')).toThrow(/shared_buffers/);
  });
});

// ---------------------------------------------------------------------------------------------
// A live server: init, schema, least privilege, pipeline, backup and restore
// ---------------------------------------------------------------------------------------------

const ADMIN_PASSWORD = 'admin-Pa55-word';
const APP_PASSWORD = 'app-Pa55-word';

describe.skipIf(!HAVE_PG)('a real PostgreSQL server', () => {
  let pg: PgServer;
  let app: string;
  let support: string;
  let bindir: string;

  /** The environment a user's shell would give the scripts: no PG* variables unless asked for. */
  function scriptEnv(extra: Record<string, string> = {}): Record<string, string> {
    return { PATH: `${bindir}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', ...extra };
  }

  function script(name: string, args: string[], env: Record<string, string>, input = ''): SpawnSyncReturns<string> {
    // Spawned directly: proves the exec bit and the shebang too.
    return spawnSync(join(support, 'scripts', name), args, { env, input, encoding: 'utf8', timeout: 120_000 });
  }

  function sql(query: string, database = 'shop', as?: { user: string; password: string }): string {
    const r = pg.psql(query, { database, ...as });
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
    return r.stdout.trim();
  }

  const backupFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

  beforeAll(async () => {
    ({ app, support } = generate('shop', ['--db-memory', '512MB']));
    bindir = findPgBindir()!;
    // The server runs with the generated postgresql.conf itself (port, socket and fsync forced).
    pg = await startPostgres({ superuser: 'shop_admin', password: ADMIN_PASSWORD, configFile: join(support, 'database', 'postgresql.conf') });
    // What the official image does before running /docker-entrypoint-initdb.d/.
    sql('CREATE DATABASE shop', 'postgres');
  });
  afterAll(() => destroyPostgres(pg));

  it('runs with the generated postgresql.conf (tuned values, pg_stat_statements preloaded)', () => {
    expect(sql('SHOW shared_buffers')).toBe('128MB');
    expect(sql('SHOW work_mem')).toBe('1310kB');
    expect(sql('SHOW shared_preload_libraries')).toBe('pg_stat_statements');
  });

  it('00_init.sql refuses to run without APP_DB_PASSWORD', () => {
    const r = pg.psql('', { database: 'shop', file: join(support, 'database', 'init', '00_init.sql') });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/APP_DB_PASSWORD is not set/);
  });

  it('loads 00_init.sql, then create_tables.sql and the migration, each twice (idempotent)', () => {
    for (let i = 0; i < 2; i++) {
      const init = pg.psql('', { database: 'shop', file: join(support, 'database', 'init', '00_init.sql'), env: { APP_DB_PASSWORD: APP_PASSWORD } });
      // A second run only notices what exists already ("skipping"): never an error.
      expect(init.stderr).not.toMatch(/ERROR|FATAL/);
      expect(init.status).toBe(0);
      for (const f of [join(app, 'db', 'create_tables.sql'), join(app, 'db', 'migrations', '001_add_insights_score.sql')]) {
        const r = pg.psql('', { database: 'shop', file: f });
        expect(r.stderr, f).not.toMatch(/ERROR|FATAL/);
        expect(r.status, f).toBe(0);
      }
    }
    expect(sql("SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension WHERE extname <> 'plpgsql'")).toBe('pg_stat_statements,pg_trgm,pgcrypto');
    expect(sql('SELECT count(*) >= 0 FROM pg_stat_statements')).toBe('t');
    expect(sql('SELECT version FROM applied_migrations')).toBe('001_add_insights_score');
  });

  it("the app's role writes rows but cannot change the schema", () => {
    const asApp = { user: 'shop_app', password: APP_PASSWORD };
    expect(sql("INSERT INTO projects (id, name) VALUES ('probe', 'Probe') RETURNING id", 'shop', asApp)).toBe('probe');
    expect(sql("DELETE FROM projects WHERE id = 'probe' RETURNING id", 'shop', asApp)).toBe('probe');
    for (const ddl of ['CREATE TABLE intruder (id int)', 'DROP TABLE insights', 'ALTER TABLE projects ADD COLUMN x int', 'CREATE DATABASE other']) {
      const r = pg.psql(ddl, { database: 'shop', ...asApp });
      expect(r.status, ddl).not.toBe(0);
      expect(r.stderr, ddl).toMatch(/permission denied|must be owner/);
    }
    const wrong = pg.psql('SELECT 1', { database: 'shop', user: 'shop_app', password: 'not-it' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/password authentication failed/);
  });

  it('the generated pipeline stores its results as the app role, through the libpq variables', () => {
    const python = ['python3', '/usr/bin/python3'].find(
      (py) => spawnSync(py, ['-c', 'import psycopg, yaml'], { stdio: 'ignore' }).status === 0,
    );
    if (!requireTool('python3-psycopg', () => python !== undefined)) return;
    // Exactly how docker-compose.prod.yml and the Kubernetes ConfigMap configure the app.
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      PYTHONDONTWRITEBYTECODE: '1',
      PGHOST: '127.0.0.1',
      PGPORT: String(pg.port),
      PGDATABASE: 'shop',
      PGUSER: 'shop_app',
      PGPASSWORD: APP_PASSWORD,
    };
    const run = spawnSync(python!, ['run_pipeline.py', '--project-id', 'example'], { cwd: app, env, encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/Traceback/);
    expect(run.status).toBe(0);
    expect(sql("SELECT status || ' ' || (stats->>'insights') FROM pipeline_runs WHERE project_id = 'example'")).toBe('succeeded 3');
    const query = spawnSync(python!, ['query_insights.py', '--project-id', 'example'], { cwd: app, env, encoding: 'utf8' });
    expect(query.status).toBe(0);
    const rows = query.stdout.trim().split('\n').map((l) => JSON.parse(l) as { subject: string; score: number | null });
    expect(rows.map((r) => r.subject).sort()).toEqual(['forks', 'open_issues', 'stars']);
    expect(rows.find((r) => r.subject === 'stars')!.score).toBe(0.125);
  });

  const ROWS = `
    INSERT INTO projects (id, name, config) VALUES ('p1', 'Project one', '{"tags": ["a", "b"]}');
    INSERT INTO raw_events (project_id, source, payload) VALUES
      ('p1', 'api', '{"metric": "stars", "value": 1}'),
      ('p1', 'api', '{"metric": "stars", "value": 2, "nested": {"k": [1, 2, 3]}}'),
      ('p1', 'api', '{"metric": "forks", "value": 3}');
    INSERT INTO insights (project_id, kind, subject, data, score) VALUES
      ('p1', 'metric_summary', 'stars', '{"mean": 1.5}', 1.0),
      ('p1', 'metric_summary', 'forks', '{"mean": 3}', NULL);`;
  const FINGERPRINT = `SELECT (SELECT count(*) FROM projects) || '/' || (SELECT count(*) FROM raw_events) || '/' ||
    (SELECT count(*) FROM insights) || '/' || (SELECT md5(string_agg(payload::text, '|' ORDER BY id)) FROM raw_events)`;
  let fingerprint = '';
  let backup = '';

  it('backup.sh writes one complete, private, timestamped .sql.gz', () => {
    sql(ROWS);
    fingerprint = sql(FINGERPRINT);
    const dir = join(work, 'backups-1');
    const r = script('backup.sh', [], scriptEnv({ ...pg.env('shop'), BACKUP_DIR: dir }));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const files = backupFiles(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^shop_\d{8}T\d{6}Z\.sql\.gz$/);
    backup = join(dir, files[0]!);
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(spawnSync('gzip', ['-t', backup]).status).toBe(0);
    const text = spawnSync('gzip', ['-dc', backup], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
    expect(text).toContain('PostgreSQL database dump complete');
    expect(text).toContain('Project one');
  });

  it('restore.sh brings the rows back after DROP DATABASE', () => {
    sql('DROP DATABASE shop WITH (FORCE)', 'postgres');
    expect(sql("SELECT count(*) FROM pg_database WHERE datname = 'shop'", 'postgres')).toBe('0');
    const r = script('restore.sh', [backup, '--yes'], scriptEnv(pg.env('shop')));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/does not exist: creating it/);
    expect(sql(FINGERPRINT)).toBe(fingerprint);
    // Grants, identity sequences and JSONB indexes came back too.
    expect(sql("SELECT count(*) FROM raw_events WHERE project_id = 'p1' AND payload @> '{\"metric\": \"stars\"}'", 'shop', { user: 'shop_app', password: APP_PASSWORD })).toBe('2');
    expect(sql("INSERT INTO raw_events (project_id, source, payload) VALUES ('p1', 'api', '{}') RETURNING id > 3")).toBe('t');
    sql("DELETE FROM raw_events WHERE payload = '{}'");
    expect(sql("SELECT count(*) FROM pg_indexes WHERE indexname = 'raw_events_payload_idx'")).toBe('1');
  });

  it('restore.sh asks first: anything but "yes" changes nothing', () => {
    sql("UPDATE projects SET name = 'changed' WHERE id = 'p1'");
    const no = script('restore.sh', [backup], scriptEnv(pg.env('shop')), 'no\n');
    expect(no.status).not.toBe(0);
    expect(no.stderr).toMatch(/aborted/);
    expect(sql("SELECT name FROM projects WHERE id = 'p1'")).toBe('changed');
    const silent = script('restore.sh', [backup], scriptEnv(pg.env('shop')), '');
    expect(silent.status).not.toBe(0);
    expect(sql("SELECT name FROM projects WHERE id = 'p1'")).toBe('changed');
    // "yes" restores over the existing database (--clean), back to the backup's state.
    const yes = script('restore.sh', [backup], scriptEnv(pg.env('shop')), 'yes\n');
    expect(yes.status).toBe(0);
    expect(sql(FINGERPRINT)).toBe(fingerprint);
    expect(sql("SELECT name FROM projects WHERE id = 'p1'")).toBe('Project one');
  });

  it('restore.sh refuses a truncated backup before touching the database', () => {
    const bad = join(work, 'truncated.sql.gz');
    const bytes = readFileSync(backup);
    writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 2)));
    sql("UPDATE projects SET name = 'kept' WHERE id = 'p1'");
    const r = script('restore.sh', [bad, '--yes'], scriptEnv(pg.env('shop')));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not a complete gzip file/);
    expect(sql("SELECT name FROM projects WHERE id = 'p1'")).toBe('kept');
    const usage = script('restore.sh', [], scriptEnv(pg.env('shop')));
    expect(usage.status).toBe(2);
  });

  it('without PG* variables the scripts read the connection from the repo .env; the environment wins over it', () => {
    const envFile = join(support, '.env');
    writeFileSync(
      envFile,
      [
        '# what a user makes from .env.prod.example',
        'POSTGRES_USER=shop_admin',
        `POSTGRES_PASSWORD="${ADMIN_PASSWORD}"`,
        'POSTGRES_DB=shop',
        'POSTGRES_HOST=127.0.0.1',
        `POSTGRES_PORT=${pg.port}`,
        `BACKUP_DIR=${join(work, 'backups-env')}`,
        '',
      ].join('\n'),
    );
    try {
      const r = script('backup.sh', [], scriptEnv());
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(backupFiles(join(work, 'backups-env'))).toHaveLength(1);

      const wins = script('backup.sh', [], scriptEnv({ PGPASSWORD: 'wrong', BACKUP_DIR: join(work, 'backups-env-2') }));
      expect(wins.status).not.toBe(0);
      expect(backupFiles(join(work, 'backups-env-2'))).toEqual([]);
    } finally {
      removeDir(envFile);
    }
  });

  it('backup.sh with a wrong password exits non-zero and leaves no file (and prunes nothing)', () => {
    const dir = join(work, 'backups-wrong');
    mkdirSync(dir);
    const old = join(dir, 'shop_20200101T000000Z.sql.gz');
    writeFileSync(old, 'old');
    spawnSync('touch', ['-d', '30 days ago', old]);
    const r = script('backup.sh', [], scriptEnv({ ...pg.env('shop'), PGPASSWORD: 'wrong', BACKUP_DIR: dir, BACKUP_RETENTION_DAYS: '7' }));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/password authentication failed/);
    expect(r.stderr).toMatch(/no backup was written/);
    expect(backupFiles(dir)).toEqual(['shop_20200101T000000Z.sql.gz']);
  });

  it('retention deletes only this database\'s backups older than BACKUP_RETENTION_DAYS', () => {
    const dir = join(work, 'backups-retention');
    mkdirSync(dir);
    const files: Record<string, string> = {
      'shop_20200101T000000Z.sql.gz': '10 days ago', // old backup of this db: deleted
      'shop_20200102T000000Z.sql.gz': '8 days ago', // old backup of this db: deleted
      'shop_20200103T000000Z.sql.gz': '6 days ago', // recent: kept
      'other_20200101T000000Z.sql.gz': '10 days ago', // another database's: kept
      'shop_notes.txt': '10 days ago', // not a backup: kept
    };
    for (const [f, when] of Object.entries(files)) {
      writeFileSync(join(dir, f), 'x');
      expect(spawnSync('touch', ['-d', when, join(dir, f)]).status).toBe(0);
    }
    const r = script('backup.sh', [], scriptEnv({ ...pg.env('shop'), BACKUP_DIR: dir, BACKUP_RETENTION_DAYS: '7' }));
    expect(r.status).toBe(0);
    const left = backupFiles(dir);
    expect(left.filter((f) => !f.startsWith('shop_2020'))).toEqual(expect.arrayContaining(['other_20200101T000000Z.sql.gz', 'shop_notes.txt']));
    expect(left).toContain('shop_20200103T000000Z.sql.gz');
    expect(left).not.toContain('shop_20200101T000000Z.sql.gz');
    expect(left).not.toContain('shop_20200102T000000Z.sql.gz');
    expect(left.filter((f) => /^shop_\d{8}T\d{6}Z\.sql\.gz$/.test(f) && !f.startsWith('shop_2020'))).toHaveLength(1);
    expect(r.stdout).toMatch(/deleted \(older than 7 days\)/);

    const bad = script('backup.sh', [], scriptEnv({ ...pg.env('shop'), BACKUP_DIR: join(work, 'backups-bad-days'), BACKUP_RETENTION_DAYS: 'a week' }));
    expect(bad.status).toBe(2);
    expect(backupFiles(join(work, 'backups-bad-days'))).toEqual([]);
  });

  it('BACKUP_MODE=compose: pg_dump and psql run inside the postgres service (docker compose exec), not on this host', () => {
    // A stand-in for docker (no engine here) runs the command with the service's environment: the
    // container's own socket connection becomes this host's loopback to the test server.
    const shim = join(work, 'shim');
    const bin = join(shim, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(join(ROOT, 'test/helpers/compose-shim.cjs'), join(bin, 'docker'));
    writeFileSync(join(shim, 'postgres.json'), JSON.stringify({ env: { PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGPASSWORD: ADMIN_PASSWORD, PATH: `${bindir}:${process.env.PATH}` } }));
    const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', SHIM_DIR: shim, BACKUP_MODE: 'compose' };
    const dir = join(work, 'backups-compose');
    const r = script('backup.sh', [], { ...env, BACKUP_DIR: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('on the postgres service');
    const [file] = backupFiles(dir);
    expect(file).toMatch(/^shop_\d{8}T\d{6}Z\.sql\.gz$/);
    sql('DROP DATABASE shop WITH (FORCE)', 'postgres');
    const back = script('restore.sh', [join(dir, file!), '--yes'], env);
    expect(back.status, back.stderr).toBe(0);
    expect(sql(FINGERPRINT)).toBe(fingerprint);
    const calls = readFileSync(join(shim, 'calls'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(calls.some((c) => c.includes('exec') && c.includes('postgres') && c.includes('pg_dump'))).toBe(true);
    expect(calls.some((c) => c.includes('exec') && c.includes('postgres') && c.includes('psql'))).toBe(true);
    // The password never reaches docker's command line (inside, the server's socket needs none).
    expect(calls.flat().join(' ')).not.toContain(ADMIN_PASSWORD);
    expect(script('backup.sh', [], { ...env, BACKUP_MODE: 'ssh' }).status).toBe(2);
  });

  it('backup.sh against a stopped server exits non-zero and leaves no file', async () => {
    pg.stop();
    const dir = join(work, 'backups-stopped');
    const r = script('backup.sh', [], scriptEnv({ ...pg.env('shop'), BACKUP_DIR: dir }));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no backup was written/);
    expect(backupFiles(dir)).toEqual([]);
    // And against a port where nothing ever listened.
    const nowhere = script('backup.sh', [], scriptEnv({ ...pg.env('shop'), PGPORT: String(await freePort()), BACKUP_DIR: dir }));
    expect(nowhere.status).not.toBe(0);
    expect(backupFiles(dir)).toEqual([]);
  });
});
