/**
 * Real servers for the platform preset's tests, started natively on loopback ports in temp dirs:
 * the generated FastAPI stubs (uvicorn) and Django stub (gunicorn) on Debian's Python, Prometheus,
 * Alertmanager, and the nginx gateway; plus the static checkers of their configs (nginx -t,
 * promtool, amtool). Every wait is bounded; every process is killed by its own pid.
 *
 * Debian's packages are used on purpose (no download at test time): /usr/bin/python3 has fastapi,
 * uvicorn, prometheus_client and Django 3.2; the generated requirements.txt pin newer releases for
 * the images, and the stubs are written to run on both.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { hasCommand, requireTool, type ToolResult } from './validators.js';
import { freePort } from './postgres.js';

export { freePort };

/** Debian's Python, with the packages the stubs need (not the pyenv shim first on PATH). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export function requireBinary(name: string, path = name): boolean {
  return requireTool(name, () => hasCommand(path, ['--version']));
}

/** `python3 -c "import mod"` for each module, on Debian's Python. */
export function requirePythonModules(modules: string[]): boolean {
  return requireTool(`python3 modules ${modules.join(', ')}`, () => {
    const r = spawnSync(DEBIAN_PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore', timeout: 60_000 });
    return r.status === 0;
  });
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ToolResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts });
  if (r.error) return { ok: false, output: `${cmd} failed to run: ${r.error.message}` };
  return { ok: r.status === 0, output: [r.stdout, r.stderr].filter(Boolean).join('\n').trim() };
}

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

export interface Server {
  name: string;
  port: number;
  proc: ChildProcess;
  /** stdout + stderr so far, for failure messages. */
  log: () => string;
}

/** Starts a long-running process; its output is kept for failure messages. */
export function startProcess(name: string, port: number, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Server {
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  proc.on('error', (err) => keep(Buffer.from(`spawn error: ${err.message}\n`)));
  return { name, port, proc, log: () => out };
}

/** Kills each server by its own pid (SIGTERM, then SIGKILL after 3 s). */
export async function stopAll(servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.proc.exitCode !== null || s.proc.signalCode !== null) return resolve();
          const timer = setTimeout(() => s.proc.kill('SIGKILL'), 3000);
          s.proc.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          s.proc.kill('SIGTERM');
        }),
    ),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value, the process dies, or `timeoutMs` passes (then throws with the log). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, opts: { timeoutMs: number; server?: Server; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (opts.server && opts.server.proc.exitCode !== null) {
      throw new Error(`${opts.server.name} exited (${opts.server.proc.exitCode}) before ${what}:\n${opts.server.log()}`);
    }
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(opts.intervalMs ?? 200);
  }
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}${opts.server ? `\n${opts.server.log()}` : ''}`);
}

/** Waits until GET url answers `status` (default 200). */
export async function waitForHttp(url: string, opts: { timeoutMs: number; server?: Server; status?: number }): Promise<void> {
  await waitFor(
    `${url} to answer`,
    async () => {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return r.status === (opts.status ?? 200) ? true : undefined;
    },
    opts,
  );
}

// ---------------------------------------------------------------------------
// The generated stubs
// ---------------------------------------------------------------------------

/** A generated FastAPI service (data/<svc>/main.py) on uvicorn, Debian's Python. */
export async function startFastapiStub(codeDir: string, name: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const server = startProcess(name, port, DEBIAN_PYTHON, ['-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: codeDir,
    env: { PATH: process.env.PATH, SERVICE_NAME: name, PYTHONDONTWRITEBYTECODE: '1', ...env },
  });
  // Alive is enough to start: /ready may rightly be 503 while a dependency is down.
  await waitForHttp(`http://127.0.0.1:${port}/health`, { timeoutMs: 30_000, server });
  return server;
}

/**
 * The generated Django project (data/<svc>/) on gunicorn, Debian's Django; SQLite in `sqliteDir`.
 * With `command` (the container's argv, as Compose runs it), that command is run instead, its bind
 * address moved to a loopback port; `python` and `gunicorn` on its PATH are Debian's.
 */
export async function startDjangoStub(codeDir: string, name: string, sqliteDir: string, env: Record<string, string> = {}, command?: string[]): Promise<Server> {
  const port = await freePort();
  const bin = join(sqliteDir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [link, target] of [['python', DEBIAN_PYTHON], ['gunicorn', '/usr/bin/gunicorn']] as const) {
    if (!existsSync(join(bin, link))) symlinkSync(target, join(bin, link));
  }
  const argv = command
    ? command.map((a) => a.replace(/0\.0\.0\.0:\d+/g, `127.0.0.1:${port}`))
    : [DEBIAN_PYTHON, '-m', 'gunicorn', 'core.wsgi:application', '--config', 'core/gunicorn.py', '--bind', `127.0.0.1:${port}`, '--workers', '1'];
  const server = startProcess(
    name,
    port,
    argv[0]!,
    argv.slice(1),
    {
      cwd: codeDir,
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        SERVICE_NAME: name,
        PYTHONDONTWRITEBYTECODE: '1',
        DJANGO_SECRET_KEY: 'test-only-' + 'x'.repeat(60),
        SQLITE_PATH: join(sqliteDir, 'db.sqlite3'),
        GUNICORN_WORKERS: '1',
        ...env,
      },
    },
  );
  await waitForHttp(`http://127.0.0.1:${port}/health`, { timeoutMs: 30_000, server });
  return server;
}

// ---------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------

/**
 * Copies the gateway's config dir into a temp dir and points it at that dir, ready for `nginx -t` or
 * a real start: absolute paths under /etc/<gateway>/config/ become the temp dir, a self-signed pair is
 * made with the generated dev-cert.sh, and upstreams.conf (the one file naming Compose hosts) gets
 * its host names mapped to loopback addresses (`hosts`: service → "127.0.0.1:<port>"; by default
 * each service keeps its port on 127.0.0.1). That substitution is the test's "hosts mapping":
 * nginx resolves upstream names at start, and Docker's DNS does not exist here.
 */
export function gatewayConfigForTest(stackDir: string, gateway: string, hosts: Record<string, string> = {}): { dir: string; conf: string; upstreams: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cs-nginx-'));
  cpSync(join(stackDir, 'data', gateway, 'config'), dir, { recursive: true });
  const cert = run('bash', [join(stackDir, 'data/scripts/dev-cert.sh')], { env: { ...process.env, CERT_DIR: join(dir, 'certs') } });
  if (!cert.ok) throw new Error(`dev-cert.sh failed: ${cert.output}`);
  const conf = join(dir, 'nginx.conf');
  for (const f of ['nginx.conf']) {
    const p = join(dir, f);
    writeFileSync(p, readFileSync(p, 'utf8').split(`/etc/${gateway}/config/`).join(`${dir}/`));
  }
  const upstreamsPath = join(dir, 'upstreams.conf');
  const original = readFileSync(upstreamsPath, 'utf8');
  const mapped = original.replace(/server ([a-z][a-z0-9-]*):(\d+)/g, (_, host: string, port: string) => `server ${hosts[host] ?? `127.0.0.1:${port}`}`);
  writeFileSync(upstreamsPath, mapped);
  return { dir, conf, upstreams: original };
}

/**
 * `nginx -t` on a config file (prefix = its directory). Its stdout and stderr are a file, as in a
 * container: Node's stdio pipes are sockets, and nginx cannot open /dev/stdout on a socket.
 */
export function nginxTest(conf: string, prefix: string): ToolResult {
  if (!requireBinary('nginx', 'nginx')) return { ok: true, skipped: true, output: 'SKIPPED: nginx' };
  const logFile = join(prefix, 'nginx-t.log');
  const fd = openSync(logFile, 'w');
  try {
    const r = spawnSync('nginx', ['-t', '-c', conf, '-p', `${prefix}/`], { stdio: ['ignore', fd, fd], timeout: 60_000 });
    const output = readFileSync(logFile, 'utf8').trim();
    if (r.error) return { ok: false, output: `nginx failed to run: ${r.error.message}` };
    return { ok: r.status === 0, output };
  } finally {
    closeSync(fd);
  }
}

/**
 * Starts nginx in the foreground on the given config, its listen ports rewritten to loopback ports
 * (8080 → http, 8443 → https, 8081 → status): the test runs as whoever it is, not on 80/443.
 */
export function startNginx(conf: string, prefix: string, ports: { http: number; https: number; status: number }): Server {
  const text = readFileSync(conf, 'utf8')
    .replace(/listen 8081;/, `listen 127.0.0.1:${ports.status};`)
    .replace(/listen 8080 default_server;/, `listen 127.0.0.1:${ports.http} default_server;`)
    .replace(/listen 8443 ssl http2 default_server;/, `listen 127.0.0.1:${ports.https} ssl http2 default_server;`)
    .replace(/^pid .*;$/m, `pid ${prefix}/nginx.pid;`);
  const local = join(prefix, 'nginx.local.conf');
  writeFileSync(local, text);
  // stdout/stderr to a file (see nginxTest); the log is read back for failure messages.
  const logFile = join(prefix, 'nginx.log');
  const fd = openSync(logFile, 'w');
  const proc = spawn('nginx', ['-c', local, '-p', `${prefix}/`, '-g', 'daemon off;'], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return { name: 'nginx', port: ports.https, proc, log: () => readFileSync(logFile, 'utf8') };
}

// ---------------------------------------------------------------------------
// Prometheus and Alertmanager
// ---------------------------------------------------------------------------

export function promtool(args: string[]): ToolResult {
  if (!requireBinary('promtool', 'promtool')) return { ok: true, skipped: true, output: 'SKIPPED: promtool' };
  return run('promtool', args);
}

export function amtoolCheckConfig(file: string): ToolResult {
  if (!requireBinary('amtool', 'amtool')) return { ok: true, skipped: true, output: 'SKIPPED: amtool' };
  return run('amtool', ['check-config', file]);
}

/** Debian names the Alertmanager binary prometheus-alertmanager. */
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export async function startAlertmanager(configFile: string, dataDir: string): Promise<Server> {
  const port = await freePort();
  const server = startProcess('alertmanager', port, ALERTMANAGER_BIN, [
    `--config.file=${configFile}`,
    `--storage.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ]);
  await waitForHttp(`http://127.0.0.1:${port}/-/ready`, { timeoutMs: 30_000, server });
  return server;
}

export async function startPrometheus(configFile: string, dataDir: string): Promise<Server> {
  const port = await freePort();
  const server = startProcess('prometheus', port, 'prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  await waitForHttp(`http://127.0.0.1:${port}/-/ready`, { timeoutMs: 30_000, server });
  return server;
}

export interface ActiveTarget {
  job: string;
  health: string;
  lastError: string;
  scrapeUrl: string;
}

/** /api/v1/targets of a running Prometheus: its active targets. */
export async function prometheusTargets(port: number): Promise<ActiveTarget[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(3000) });
  const body = (await r.json()) as { data: { activeTargets: Array<{ labels: { job: string }; health: string; lastError: string; scrapeUrl: string }> } };
  return body.data.activeTargets.map((t) => ({ job: t.labels.job, health: t.health, lastError: t.lastError, scrapeUrl: t.scrapeUrl }));
}

/** Instant query through the HTTP API: the result vector as { labels, value }. */
export async function prometheusQuery(port: number, query: string): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(3000) });
  const body = (await r.json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`query ${query}: ${body.error}`);
  return body.data.result.map((x) => ({ labels: x.metric, value: Number(x.value[1]) }));
}

/** Metric names in a Prometheus text exposition (the families, and the samples' own names). */
export function exposedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

export function tempWorkDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface SimpleResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTPS request that accepts a self-signed certificate (the gateway's development pair), no redirects followed. */
export function httpsInsecure(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: init.method ?? 'GET', headers: init.headers, rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/**
 * `nginx -t` on a file meant for the http block of an image's stock nginx.conf (conf.d/default.conf):
 * it is wrapped in a main config like the unprivileged image's (mime types, sendfile, keepalive),
 * with its upstream hosts mapped to loopback as in gatewayConfigForTest.
 */
export function nginxTestHttpInclude(file: string): ToolResult {
  const dir = mkdtempSync(join(tmpdir(), 'cs-nginx-inc-'));
  try {
    const body = readFileSync(file, 'utf8').replace(/server ([a-z][a-z0-9-]*):(\d+)/g, 'server 127.0.0.1:$2');
    writeFileSync(join(dir, 'default.conf'), body);
    writeFileSync(
      join(dir, 'nginx.conf'),
      `pid ${dir}/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n    sendfile on;\n    keepalive_timeout 65;\n    include ${dir}/default.conf;\n}\n`,
    );
    return nginxTest(join(dir, 'nginx.conf'), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
