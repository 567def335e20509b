/**
 * A real, throwaway PostgreSQL server for tests: initdb in a temp dir, listening on a free loopback
 * port (and a socket dir inside the temp dir), password (scram) auth over TCP, stopped by stop().
 *
 * PostgreSQL refuses to run as root: when the tests run as root, every server binary runs as the
 * `postgres` user through runuser, and the temp dir is chowned to it. Client tools (psql, pg_dump)
 * come from the same bin directory and run as the current user over TCP.
 *
 * Missing server binaries: a loud skip locally, a hard failure on CI (requireTool).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { requireTool } from './validators.js';

const isRoot = process.getuid?.() === 0;

/** Directory of initdb / postgres / pg_ctl / psql / pg_dump, or null when PostgreSQL is not installed. */
export function findPgBindir(): string | null {
  const hasServer = (dir: string) => ['initdb', 'postgres', 'pg_ctl', 'psql', 'pg_dump'].every((b) => existsSync(join(dir, b)));
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (r.status === 0 && hasServer(r.stdout.trim())) return r.stdout.trim();
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (hasServer(join(root, v, 'bin'))) return join(root, v, 'bin');
  }
  return null;
}

/** True when a PostgreSQL server can be run here; throws on CI when it cannot (see requireTool). */
export function requirePostgres(): boolean {
  return requireTool('postgresql', () => {
    if (!findPgBindir()) return false;
    if (!isRoot) return true;
    return spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status === 0 && existsSync('/usr/sbin/runuser');
  });
}

/** A free TCP port on 127.0.0.1 (free when asked; the server binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function pgUid(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid };
}

/** Runs a server binary as the postgres user when we are root, as ourselves otherwise. */
export function runAsPostgres(bin: string, args: string[], opts: { timeout?: number } = {}): SpawnSyncReturns<string> {
  const [cmd, argv] = isRoot ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return spawnSync(cmd as string, argv as string[], { encoding: 'utf8', timeout: opts.timeout ?? 120_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' } });
}

function must(r: SpawnSyncReturns<string>, what: string): string {
  if (r.error || r.status !== 0) throw new Error(`${what} failed (${r.status ?? r.error?.message}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A temp directory the postgres user owns (we stay able to read it as root). */
export function pgTempDir(prefix = 'cs-pg-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  if (isRoot) {
    const { uid, gid } = pgUid();
    chownSync(dir, uid, gid);
  }
  return dir;
}

/** A file copied into a postgres-owned directory, so the postgres user can read it. */
export function copyForPostgres(src: string, dir: string, name: string): string {
  const dest = join(dir, name);
  copyFileSync(src, dest);
  chmodSync(dest, 0o644);
  if (isRoot) {
    const { uid, gid } = pgUid();
    chownSync(dest, uid, gid);
  }
  return dest;
}

/** initdb's data directory with `superuser` (password `password`), scram over TCP, trust on the socket. */
export function initCluster(dir: string, superuser: string, password: string): string {
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot) {
    const { uid, gid } = pgUid();
    chownSync(pwfile, uid, gid);
  }
  const data = join(dir, 'data');
  const bindir = findPgBindir()!;
  must(
    runAsPostgres(join(bindir, 'initdb'), ['-D', data, '-U', superuser, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']),
    'initdb',
  );
  rmSync(pwfile, { force: true });
  return data;
}

/** `postgres -C <param>` for a config file: the value the server would run with (no server started). */
export function showSetting(dataDir: string, configFile: string, param: string): string {
  const bindir = findPgBindir()!;
  return must(runAsPostgres(join(bindir, 'postgres'), ['-C', param, '-c', `config_file=${configFile}`, '-D', dataDir]), `postgres -C ${param}`).trim();
}

export interface PgServer {
  bindir: string;
  dir: string;
  dataDir: string;
  host: string;
  port: number;
  socketDir: string;
  superuser: string;
  password: string;
  logFile: string;
  /** libpq variables for a TCP connection as the superuser to `database`. */
  env(database?: string): Record<string, string>;
  /** psql as the superuser over TCP; SQL on stdin, ON_ERROR_STOP; returns stdout (-tA). */
  psql(sql: string, opts?: { database?: string; user?: string; password?: string; env?: Record<string, string>; file?: string }): SpawnSyncReturns<string>;
  start(): void;
  stop(): void;
  running(): boolean;
}

/**
 * Starts a server on a fresh cluster. `configFile` (e.g. a generated postgresql.conf) is used as the
 * server's config_file; port, listen address and socket dir are forced from the command line.
 */
export async function startPostgres(opts: { superuser: string; password: string; configFile?: string }): Promise<PgServer> {
  const bindir = findPgBindir();
  if (!bindir) throw new Error('PostgreSQL server binaries not found');
  const dir = pgTempDir();
  const dataDir = initCluster(dir, opts.superuser, opts.password);
  const socketDir = join(dir, 'sock');
  must(runAsPostgres('/bin/mkdir', ['-p', socketDir]), 'mkdir socket dir');
  const port = await freePort();
  const logFile = join(dir, 'server.log');
  const config = opts.configFile ? copyForPostgres(opts.configFile, dir, 'postgresql.conf') : null;
  const serverOpts = [
    ...(config ? [`-c config_file=${config}`] : []),
    `-c port=${port}`,
    `-c listen_addresses=127.0.0.1`,
    `-c unix_socket_directories=${socketDir}`,
    '-c fsync=off',
  ].join(' ');
  let isUp = false;

  const server: PgServer = {
    bindir,
    dir,
    dataDir,
    host: '127.0.0.1',
    port,
    socketDir,
    superuser: opts.superuser,
    password: opts.password,
    logFile,
    env(database = 'postgres') {
      return { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: opts.superuser, PGPASSWORD: opts.password, PGDATABASE: database };
    },
    psql(sql, o = {}) {
      const env = {
        PATH: `${bindir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        LANG: 'C.UTF-8',
        ...server.env(o.database ?? 'postgres'),
        ...(o.user ? { PGUSER: o.user } : {}),
        ...(o.password !== undefined ? { PGPASSWORD: o.password } : {}),
        ...o.env,
      };
      const args = ['-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', '--no-password', ...(o.file ? ['-f', o.file] : [])];
      return spawnSync(join(bindir, 'psql'), args, { input: sql, encoding: 'utf8', env, timeout: 60_000 });
    },
    start() {
      must(runAsPostgres(join(bindir, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-o', serverOpts, '-w', '-t', '60', 'start']), 'pg_ctl start');
      isUp = true;
    },
    stop() {
      if (!isUp) return;
      runAsPostgres(join(bindir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
      isUp = false;
    },
    running() {
      return isUp;
    },
  };
  server.start();
  // If the test process dies without afterAll, do not leave a server behind.
  process.once('exit', () => server.stop());
  return server;
}

/** Stops the server (if any) and removes its directory. */
export function destroyPostgres(server: PgServer | undefined): void {
  if (!server) return;
  server.stop();
  rmSync(server.dir, { recursive: true, force: true });
}
