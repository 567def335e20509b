// The generated code runs: the node stub serves /health and /metrics, the generated monitor script
// and the kind's own health-check command see it healthy, and unhealthy once it stops.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { requireTool, hasCommand } from './helpers/validators.js';
import { freePort } from './helpers/postgres.js';

const work = tempDir('cs-runtime-');
const gen = runCli(['new', 'rt', '--no-git', '--service', 'web:node', '--service', 'jobs:worker', '--service', 'api:fastapi'], { cwd: work });
const dir = join(work, 'rt');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  removeDir(work);
});

async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

function compose() {
  return parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'));
}

/** Runs a compose healthcheck `test` on this host, the way Docker would inside the container (async: servers in this process keep answering). */
function runHealthcheck(test: string[], env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const [form, ...rest] = test;
  const args = form === 'CMD-SHELL' ? ['sh', '-c', rest.join(' ').replace(/\$\$/g, '$')] : rest;
  return new Promise((resolve) => {
    const child = spawn(args[0]!, args.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 15_000 });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('generated node service + monitor script', () => {
  it('generates', () => expect(gen.code).toBe(0));

  it('is healthy while the stub runs and unhealthy once it stops', async () => {
    if (!requireTool('curl', () => hasCommand('curl'))) return;
    const port = await freePort();
    const child = spawn(process.execPath, ['index.js'], { cwd: join(dir, 'data/web'), env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'pipe' });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => fetch(`${url}/health`).then((r) => r.ok, () => false));

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^app_requests_total\{service="web"\} \d+$/m);

    const monitor = join(dir, 'data/monitoring/monitor_web.sh');
    expect(statSync(monitor).mode & 0o111).not.toBe(0);
    const env = { ...process.env, HEALTH_URL: `${url}/health`, METRICS_URL: `${url}/metrics` };
    const ok = spawnSync('sh', [monitor], { env, encoding: 'utf8' });
    expect(ok.stdout).toMatch(/web: healthy/);
    expect(ok.stdout).toMatch(/metrics endpoint is accessible/);
    expect(ok.status).toBe(0);

    // The kind's Compose health check, with its port pointed at the stub.
    const test: string[] = compose().services.web.healthcheck.test.map((a: string) => a.replace('127.0.0.1:3000', `127.0.0.1:${port}`));
    expect((await runHealthcheck(test, {})).status).toBe(0);

    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null || child.signalCode !== null);
    const down = spawnSync('sh', [monitor], { env, encoding: 'utf8' });
    expect(down.stdout).toMatch(/ERROR: not healthy/);
    expect(down.status).toBe(1);
    expect((await runHealthcheck(test, {})).status).not.toBe(0);
  });

  it('with BASE_PATH (a proxy that keeps the prefix) it answers under the prefix and without it', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['index.js'], { cwd: join(dir, 'data/web'), env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', BASE_PATH: '/shop/' }, stdio: 'pipe' });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => fetch(`${url}/health`).then((r) => r.ok, () => false));
    for (const p of ['/shop/health', '/shop/ready', '/health']) expect((await fetch(`${url}${p}`)).status, p).toBe(200);
    expect(await (await fetch(`${url}/shop/metrics`)).text()).toMatch(/^app_requests_total/m);
    // Only the whole segment is a prefix.
    expect((await fetch(`${url}/shopping/health`)).status).toBe(404);
    child.kill('SIGTERM');
  });

  it('the monitor script rejects a bad MONITOR_INTERVAL with exit 2', () => {
    const r = spawnSync('sh', [join(dir, 'data/monitoring/monitor_web.sh')], { env: { ...process.env, MONITOR_INTERVAL: 'soon' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});

describe('generated python worker', () => {
  it('beats its heartbeat, and the kind health check reads it', async () => {
    if (!requireTool('python3', () => hasCommand('python3'))) return;
    const heartbeat = join(work, 'heartbeat');
    const test: string[] = compose().services.jobs.healthcheck.test.map((a: string) => a.replace('/tmp/heartbeat', heartbeat).replace(/^python$/, 'python3'));
    // No heartbeat yet: the check must fail, not pass on a missing file.
    expect((await runHealthcheck(test, {})).status).not.toBe(0);
    const child = spawn('python3', ['main.py'], {
      cwd: join(dir, 'data/jobs'),
      env: { ...process.env, WORKER_INTERVAL_SECONDS: '0.2', HEARTBEAT_FILE: heartbeat },
      stdio: 'pipe',
    });
    children.push(child);
    await waitFor(() => {
      try {
        return statSync(heartbeat).isFile();
      } catch {
        return false;
      }
    });
    const hc = await runHealthcheck(test, {});
    expect(hc.stderr).toBe('');
    expect(hc.status).toBe(0);
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null);
    expect(child.exitCode).toBe(0); // SIGTERM finishes the loop cleanly
  });
});

describe('generated fastapi service', () => {
  // The stub itself runs on Debian's FastAPI in test/bd-build-data.tools.test.ts; its health-check
  // command is proven here against a stand-in server on the same port and path.
  it('its health check (readiness: /ready) passes against a server answering /ready and fails without one', async () => {
    const port = await freePort();
    const { createServer: http } = await import('node:http');
    const srv = http((req, res) => {
      res.writeHead(req.url === '/ready' ? 200 : 404);
      res.end('{"status":"ok"}');
    });
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    const test: string[] = compose().services.api.healthcheck.test.map((a: string) => a.replace('127.0.0.1:8000', `127.0.0.1:${port}`).replace(/^python$/, 'python3'));
    expect((await runHealthcheck(test, {})).status).toBe(0);
    await new Promise((r) => srv.close(r));
    expect((await runHealthcheck(test, {})).status).not.toBe(0);
  });
});

describe('data/scripts/setup.sh', () => {
  it('creates .env with 32-byte secrets, fills empty and missing ones later, never changes a set one', () => {
    expect(runCli(['new', 'sec', '--no-git', '--service', 'db:postgres', '--service', 'cache:redis'], { cwd: work }).code).toBe(0);
    const stack = join(work, 'sec');
    // A stand-in docker: setup.sh only asks it whether Compose is there.
    const bin = join(work, 'fakebin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const setup = () => spawnSync('bash', ['data/scripts/setup.sh'], { cwd: stack, env, encoding: 'utf8' });
    rmSync(join(stack, '.env'));

    const first = setup();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const created = readFileSync(join(stack, '.env'), 'utf8');
    expect(statSync(join(stack, '.env')).mode & 0o777).toBe(0o600);
    const db = /^DB_PASSWORD=([0-9a-f]+)$/m.exec(created)![1]!;
    expect(db).toHaveLength(64);
    expect(created).toMatch(/^CACHE_PASSWORD=[0-9a-f]{64}$/m);
    expect(statSync(join(stack, 'bd/db-data')).isDirectory()).toBe(true);

    // Empty one secret and lose the other: the next run fills both and keeps the rest.
    writeFileSync(join(stack, '.env'), created.replace(/^CACHE_PASSWORD=.*$/m, 'CACHE_PASSWORD=').replace(/^DB_PASSWORD=.*\n/m, ''));
    expect(setup().status).toBe(0);
    const mended = readFileSync(join(stack, '.env'), 'utf8');
    expect(mended).toMatch(/^CACHE_PASSWORD=[0-9a-f]{64}$/m);
    expect(mended).toMatch(/^DB_PASSWORD=[0-9a-f]{64}$/m);
    expect(mended).not.toContain(`DB_PASSWORD=${db}`);
    const again = setup();
    expect(readFileSync(join(stack, '.env'), 'utf8')).toBe(mended); // set secrets are never changed
    expect(again.stdout).not.toMatch(/generated|added/);
  });
});

describe('generated redis: the password reaches redis-server through a file, never its command line', () => {
  // The real Debian redis-server runs the container start of the generated cache service: its `sh -c`
  // start script writes /run/cache/auth.conf from REDIS_PASSWORD (the generated .env's CACHE_PASSWORD),
  // then hands `redis-server <config>` to the image's entrypoint (here a stand-in that execs it, as the
  // real one does once it has dropped root). Three starts: the Compose command on data/cache/config/
  // redis.conf; the Kubernetes args (kubelet's `$$` → `$` expansion) on the ConfigMap's redis.conf; and
  // the command `add service` writes into a foreign compose file (no redis.conf: the password file is
  // the config). Paths under /run and /etc live in a temp dir; --port/--bind come after the config.
  const REDIS = '/usr/bin/redis-server';
  const stack = join(work, 'rd');
  const made = runCli(['new', 'rd', '--no-git', '--yes', '--service', 'api:fastapi', '--service', 'cache:redis', '--with', 'deploy'], { cwd: work });
  const foreign = join(work, 'foreign-repo');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'compose.yaml'), 'services:\n  web:\n    image: "nginx:1.27.3-alpine"\n');
  const added = runCli(['add', 'service', 'cache:redis'], { cwd: foreign });

  const have = () => requireTool('redis-server', () => hasCommand(REDIS) && hasCommand('redis-cli'));
  const yamlOf = (path: string) => parse(readFileSync(path, 'utf8'));

  /** Compose interpolation of a command that must hold nothing but `$$` escapes. */
  function compose(a: string): string {
    expect(a.replace(/\$\$/g, ''), 'nothing for Compose to interpolate: the value is read inside the container').not.toContain('$');
    return a.replace(/\$\$/g, '$');
  }
  /** Kubernetes' expansion of command/args: `$$` → `$`, `$(VAR)` → the container's variable (none is used). */
  function kubelet(a: string): string {
    let out = '';
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== '$' || i + 1 >= a.length) out += a[i];
      else if (a[i + 1] === '$') (out += '$'), i++;
      else if (a[i + 1] === '(') throw new Error(`$(…) in ${a}: Kubernetes would put a variable's value into the command line`);
      else out += a[i];
    }
    return out;
  }

  interface Start {
    label: string;
    argv: () => string[];
    expand: (a: string) => string;
    conf: () => string | null;
    password: () => string;
  }
  const envPassword = (dir: string) => /^CACHE_PASSWORD=(.+)$/m.exec(readFileSync(join(dir, '.env'), 'utf8'))![1]!;
  const STARTS: Start[] = [
    {
      label: 'compose',
      argv: () => yamlOf(join(stack, 'docker-compose.yml')).services.cache.command,
      expand: compose,
      conf: () => readFileSync(join(stack, 'data/cache/config/redis.conf'), 'utf8'),
      password: () => envPassword(stack),
    },
    {
      label: 'kubernetes',
      argv: () => {
        const sts = yamlOf(join(stack, 'deploy/kubernetes/base/cache-statefulset.yaml'));
        const ct = sts.spec.template.spec.containers[0];
        expect(ct.command).toBeUndefined();
        expect(ct.env).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'rd-secrets', key: 'CACHE_PASSWORD' } } }]);
        return ct.args;
      },
      expand: kubelet,
      conf: () => {
        const conf = yamlOf(join(stack, 'deploy/kubernetes/base/cache-config.yaml')).data['redis.conf'];
        expect(conf).toBe(readFileSync(join(stack, 'data/cache/config/redis.conf'), 'utf8'));
        return conf;
      },
      password: () => envPassword(stack),
    },
    {
      label: 'add service (foreign compose file)',
      argv: () => yamlOf(join(foreign, 'compose.yaml')).services.cache.command,
      expand: compose,
      conf: () => null,
      password: () => envPassword(foreign),
    },
  ];

  function redisCli(port: number, args: string[], auth?: string): string {
    const env: Record<string, string | undefined> = { ...process.env, REDISCLI_AUTH: auth };
    if (!auth) delete env.REDISCLI_AUTH;
    const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', ...args], { env, encoding: 'utf8', timeout: 10_000 });
    return (r.stdout + r.stderr).trim();
  }

  /** A container start on this host: argv, environment, working directory (the data volume). */
  function containerStart(s: Start, root: string, port: number, password: string | undefined) {
    const at = (p: string) => join(root, p.slice(1));
    const argv = s.argv().map((a) => s.expand(a).split('/run/cache').join(at('/run/cache')).split('/etc/cache/config').join(at('/etc/cache/config')));
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'docker-entrypoint.sh'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
    mkdirSync(at('/run/cache'), { recursive: true, mode: 0o700 }); // the tmpfs / in-memory emptyDir
    mkdirSync(at('/etc/cache/config'), { recursive: true });
    mkdirSync(at('/data'));
    const conf = s.conf();
    if (conf !== null) {
      // The generated file, but for two paths: the include (the tmpfs) and `dir` (redis chdirs there while it reads the file).
      const copy = conf.split('/run/cache').join(at('/run/cache')).replace(/^dir \/data$/m, `dir ${at('/data')}`);
      const changed = copy.split('\n').filter((l, i) => l !== conf.split('\n')[i]);
      expect(changed).toEqual([`dir ${at('/data')}`, `include ${at('/run/cache/auth.conf')}`]);
      writeFileSync(at('/etc/cache/config/redis.conf'), copy);
    }
    const env: Record<string, string | undefined> = { ...process.env, PATH: `${bin}:${process.env.PATH}`, REDIS_PASSWORD: password };
    if (password === undefined) delete env.REDIS_PASSWORD;
    return { argv: [...argv, '--port', String(port), '--bind', '127.0.0.1'], env, cwd: at('/data'), auth: at('/run/cache/auth.conf') };
  }

  it('is generated: compose and kubernetes run a start script, not redis-server --requirepass', () => {
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(added.code, added.stderr).toBe(0);
    for (const s of STARTS) {
      const argv = s.argv();
      expect(argv.slice(0, 2), s.label).toEqual(['sh', '-c']);
      expect(argv, s.label).not.toContain('--requirepass');
      expect(argv.join(' '), s.label).not.toMatch(/requirepass\s+\$|CACHE_PASSWORD|\$\(REDIS_PASSWORD\)/);
    }
    expect(STARTS[0]!.argv().slice(3)).toEqual(['redis-start', 'redis-server', '/etc/cache/config/redis.conf']);
    expect(STARTS[1]!.argv()).toEqual(STARTS[0]!.argv()); // Kubernetes runs the Compose command
    expect(yamlOf(join(stack, 'docker-compose.yml')).services.cache.tmpfs).toEqual(['/run/cache']);
    expect(readFileSync(join(stack, 'data/cache/config/redis.conf'), 'utf8')).toMatch(/^include \/run\/cache\/auth\.conf$/m);
  });

  it.each(STARTS.map((s) => [s.label, s] as const))('%s: NOAUTH without the .env password, PONG with it; the password is in no argv', async (label, s) => {
    if (!have()) return;
    const password = s.password();
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url (setup.sh writes hex)
    const root = join(work, `redis-${label.replace(/\W+/g, '-')}`);
    const port = await freePort();
    const { argv, env, cwd, auth } = containerStart(s, root, port, password);
    expect(spawnSync('sh', ['-c', 'command -v redis-server'], { env, encoding: 'utf8' }).stdout.trim()).toBe(REDIS);
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const up = () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited ${child.exitCode}:\n${log}`);
      return !/Could not connect|Connection refused|^$/.test(redisCli(port, ['ping']));
    };
    await waitFor(up, 10_000).catch((e) => {
      throw new Error(`redis-server did not start (${e}):\n${log}`);
    });

    expect(redisCli(port, ['ping'])).toMatch(/^NOAUTH\b/);
    expect(redisCli(port, ['ping'], 'not-the-password')).toMatch(/WRONGPASS|invalid password/i);
    expect(redisCli(port, ['ping'], password)).toBe('PONG');
    expect(redisCli(port, ['config', 'get', 'appendonly'], password)).toBe('appendonly\nyes');
    // Compose and Kubernetes read the generated redis.conf: its cache settings hold.
    if (s.conf() !== null) expect(redisCli(port, ['config', 'get', 'maxmemory-policy'], password)).toBe('maxmemory-policy\nallkeys-lru');

    // The file the start wrote: the password alone, mode 0600, owned by "redis" when started as root.
    expect(readFileSync(auth, 'utf8')).toBe(`requirepass ${password}\n`);
    expect(statSync(auth).mode & 0o777).toBe(0o600);
    if (process.getuid?.() === 0) {
      const redisUid = spawnSync('id', ['-u', 'redis'], { encoding: 'utf8' });
      if (redisUid.status === 0) expect(statSync(auth).uid).toBe(Number(redisUid.stdout.trim()));
    }
    // The started process is redis-server itself (sh and the entrypoint exec'd); neither its argv nor
    // the argv the container was given holds the password.
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline[0]).toMatch(/redis-server/);
    expect(cmdline.join(' ')).not.toContain(password);
    expect(argv.join(' ')).not.toContain(password);

    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null || child.signalCode !== null);
  });

  it('the start refuses a missing password, and one redis.conf could not hold as a single word', () => {
    if (!have()) return;
    for (const [i, bad] of [undefined, '', 'two words', 'quo"te', 'back\\slash', 'new\nline'].entries()) {
      const { argv, env, cwd, auth } = containerStart(STARTS[0]!, join(work, `redis-bad-${i}`), 1, bad);
      const r = spawnSync(argv[0]!, argv.slice(1), { env, cwd, encoding: 'utf8', timeout: 10_000 });
      expect(r.status, JSON.stringify(bad)).not.toBe(0);
      expect(r.stderr, JSON.stringify(bad)).toMatch(/REDIS_PASSWORD/);
      expect(existsSync(auth), JSON.stringify(bad)).toBe(false);
    }
  });
});
