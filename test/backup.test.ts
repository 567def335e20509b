// data/scripts/backup.sh and restore.sh of a bd-build-data stack, run for real: the commands each
// kind's manifest gives run against a real PostgreSQL and a real Redis (Debian's), through a stand-in
// for `docker compose exec/run` that runs them on this host with the service's environment (there is
// no Docker engine here). What is proven: the dump and restore commands, the file names, the
// atomic write, retention touching only the script's own files, the refusals. Not proven here: the
// commands inside the official images (same tools, same versions' flags), MongoDB (no server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, ROOT, runCli, tempDir } from './helpers/cli.js';
import { hasCommand, requireTool, shellcheckErrors } from './helpers/validators.js';
import { destroyPostgres, freePort, requirePostgres, startPostgres, type PgServer } from './helpers/postgres.js';

const work = tempDir('cs-backup-');
const gen = runCli(['new', 'shop', '--no-git', '--service', 'api:fastapi', '--service', 'db:postgres', '--service', 'cache:redis', '--service', 'docs:mongodb'], { cwd: work });
const dir = join(work, 'shop');
const shim = join(work, 'shim');
const bin = join(shim, 'bin');
mkdirSync(bin, { recursive: true });
symlinkSync(join(ROOT, 'test/helpers/compose-shim.cjs'), join(bin, 'docker'));
let pg: PgServer | undefined;
let redis: ChildProcess | undefined;
afterAll(() => {
  redis?.kill('SIGKILL');
  destroyPostgres(pg);
  removeDir(work);
});

const script = (name: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync('bash', [join(dir, 'data/scripts', name), ...args], {
    cwd: dir,
    encoding: 'utf8',
    input: '',
    timeout: 120_000,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SHIM_DIR: shim, ...env },
  });
const backups = () => (statSync(join(dir, 'bd/backups'), { throwIfNoEntry: false }) ? readdirSync(join(dir, 'bd/backups')).sort() : []);

describe('backup.sh and restore.sh', () => {
  it('generates both, executable, and shellcheck finds nothing', () => {
    expect(gen.code, gen.stderr).toBe(0);
    for (const f of ['backup.sh', 'restore.sh']) expect(statSync(join(dir, 'data/scripts', f)).mode & 0o111).not.toBe(0);
    const r = shellcheckErrors([join(dir, 'data/scripts/backup.sh'), join(dir, 'data/scripts/restore.sh')]);
    expect(r.ok, r.output).toBe(true);
  });

  it('refuses a service that is not a database, and a bad RETENTION_DAYS, with exit 2 and nothing written', () => {
    const r = script('backup.sh', ['api']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"api" is not a database of shop (db cache docs');
    expect(script('backup.sh', [], { RETENTION_DAYS: 'week' }).status).toBe(2);
    expect(script('restore.sh', ['--yes', 'db', join(dir, 'nope.dump')]).status).toBe(2);
    expect(script('restore.sh', ['--yes', 'api', join(dir, 'README.md')]).status).toBe(2);
    expect(backups()).toEqual([]);
  });

  describe('PostgreSQL: pg_dump inside the container, pg_restore back', () => {
    beforeAll(async () => {
      if (!requirePostgres()) return;
      pg = await startPostgres({ superuser: 'app', password: 'backup-test-password' });
      expect(pg.psql('CREATE DATABASE shop;').status).toBe(0);
      expect(pg.psql("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'one'), (2, 'two');", { database: 'shop' }).status).toBe(0);
      writeFileSync(
        join(shim, 'db.json'),
        JSON.stringify({ env: { POSTGRES_USER: 'app', POSTGRES_DB: 'shop', PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGPASSWORD: pg.password, PATH: `${pg.bindir}:${process.env.PATH}` } }),
      );
    }, 120_000);

    it('a backup file db-<UTC time>.dump, 0600, and a restore that brings the rows back', () => {
      if (!pg) return;
      const r = script('backup.sh', ['db']);
      expect(r.status, r.stderr).toBe(0);
      const [file] = backups();
      expect(file).toMatch(/^db-\d{8}T\d{6}Z\.dump$/);
      expect(statSync(join(dir, 'bd/backups', file!)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, 'bd/backups', file!)).subarray(0, 5).toString()).toBe('PGDMP');
      expect(pg.psql("DELETE FROM items WHERE id = 2; UPDATE items SET name = 'changed';", { database: 'shop' }).status).toBe(0);
      const back = script('restore.sh', ['--yes', 'db', join('bd/backups', file!)]);
      expect(back.status, back.stderr).toBe(0);
      expect(pg.psql('SELECT id, name FROM items ORDER BY id;', { database: 'shop' }).stdout.trim()).toBe('1|one\n2|two');
    });

    it('restore asks first and, answered no, changes nothing', () => {
      if (!pg) return;
      const [file] = backups();
      expect(pg.psql('DELETE FROM items WHERE id = 1;', { database: 'shop' }).status).toBe(0);
      const r = script('restore.sh', ['db', join('bd/backups', file!)]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('nothing changed');
      expect(pg.psql('SELECT count(*) FROM items;', { database: 'shop' }).stdout.trim()).toBe('1');
    });

    it('a failed dump leaves no file that looks like a backup, and exits 1', () => {
      if (!pg) return;
      const before = backups();
      writeFileSync(join(shim, 'db.json'), JSON.stringify({ env: { POSTGRES_USER: 'app', POSTGRES_DB: 'missing', PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGPASSWORD: pg.password, PATH: `${pg.bindir}:${process.env.PATH}` } }));
      const r = script('backup.sh', ['db']);
      expect(r.status).toBe(1);
      expect(backups()).toEqual(before);
      writeFileSync(join(shim, 'db.json'), JSON.stringify({ env: { POSTGRES_USER: 'app', POSTGRES_DB: 'shop', PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGPASSWORD: pg.password, PATH: `${pg.bindir}:${process.env.PATH}` } }));
    });

    it('retention removes only its own old files', () => {
      if (!pg) return;
      const old = join(dir, 'bd/backups/db-20200101T000000Z.dump');
      const foreign = join(dir, 'bd/backups/db-keep-me.dump');
      const other = join(dir, 'bd/backups/notes.txt');
      for (const f of [old, foreign, other]) {
        writeFileSync(f, 'x');
        utimesSync(f, new Date('2020-01-01'), new Date('2020-01-01'));
      }
      const r = script('backup.sh', ['db'], { RETENTION_DAYS: '7' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('removed (older than 7 days)');
      const left = backups();
      expect(left).not.toContain('db-20200101T000000Z.dump');
      expect(left).toEqual(expect.arrayContaining(['db-keep-me.dump', 'notes.txt']));
      rmSync(foreign);
      rmSync(other);
    });
  });

  describe('Redis: an RDB snapshot from redis-cli --rdb, restored into a stopped service', () => {
    let port = 0;
    const data = join(work, 'redis-data');
    const cli = (...args: string[]) => spawnSync('redis-cli', ['-p', String(port), '--no-auth-warning', '-a', 'redis-test-password', ...args], { encoding: 'utf8' }).stdout.trim();
    const start = async () => {
      // The generated redis.conf, its dir (/data in the container) moved to a temp dir and its port to a free one.
      const conf = join(work, 'redis.conf');
      // Its include of the password file the container's start script writes: the password is given here instead.
      writeFileSync(conf, readFileSync(join(dir, 'data/cache/config/redis.conf'), 'utf8').replace(/^dir \/data$/m, `dir ${data}`).replace(/^include .*$/m, ''));
      redis = spawn('redis-server', [conf, '--port', String(port), '--requirepass', 'redis-test-password', '--bind', '127.0.0.1'], { stdio: 'ignore' });
      for (let i = 0; i < 100 && cli('PING') !== 'PONG'; i++) await new Promise((r) => setTimeout(r, 100));
      expect(cli('PING')).toBe('PONG');
    };
    beforeAll(async () => {
      if (!requireTool('redis-server', () => hasCommand('redis-server', ['--version']))) return;
      port = await freePort();
      mkdirSync(data);
      await start();
      writeFileSync(join(shim, 'cache.json'), JSON.stringify({ env: { REDIS_PASSWORD: 'redis-test-password' }, map: { 'redis-cli ': `redis-cli -p ${port} `, '/data': data } }));
      writeFileSync(join(shim, 'stop-cache.sh'), `redis-cli -p ${port} --no-auth-warning -a redis-test-password shutdown >/dev/null 2>&1; sleep 0.5\n`);
    }, 60_000);

    it('backs up, and a restore brings the keys back (append-only files moved aside)', async () => {
      if (!port) return;
      cli('SET', 'a', '1');
      cli('SET', 'b', '2');
      const r = script('backup.sh', ['cache']);
      expect(r.status, r.stderr).toBe(0);
      const file = backups().find((f) => f.startsWith('cache-'))!;
      expect(file).toMatch(/^cache-\d{8}T\d{6}Z\.rdb$/);
      expect(readFileSync(join(dir, 'bd/backups', file)).subarray(0, 5).toString()).toBe('REDIS');
      cli('SET', 'a', 'changed');
      cli('DEL', 'b');
      cli('SET', 'c', '3');
      writeFileSync(join(shim, 'start-cache.sh'), `echo started >> ${join(shim, 'started')}\n`);
      const back = script('restore.sh', ['--yes', 'cache', join('bd/backups', file)]);
      expect(back.status, back.stderr).toBe(0);
      expect(readFileSync(join(shim, 'calls'), 'utf8')).toMatch(/"stop","cache"[\s\S]*"run",[^\n]*"cache","-c"[\s\S]*"start","cache"/);
      expect(readdirSync(data).some((f) => f.startsWith('appendonlydir.before-restore-'))).toBe(true);
      await start(); // what `compose start` does: the server starts on the restored snapshot
      expect([cli('GET', 'a'), cli('GET', 'b'), cli('EXISTS', 'c')]).toEqual(['1', '2', '0']);
    }, 60_000);
  });

  it('MongoDB: the dump never puts the password on a command line', () => {
    const text = readFileSync(join(dir, 'data/scripts/backup.sh'), 'utf8');
    const line = text.split('\n').find((l) => l.includes('mongodump'))!;
    expect(line).toContain('--config "$f"');
    expect(line).not.toContain('--password');
  });
});
