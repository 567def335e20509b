// The config files of a bd-build-data stack with the deploy layer, proven by the tool that reads them:
// nginx -t on the nginx kind's server block, postgres -C on the postgres kind's postgresql.conf,
// promtool on the layer's Prometheus rules, amtool on its Alertmanager config; and every app metric
// the Grafana dashboard and the rules query is one the generated stubs expose.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { createServer, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { amtoolCheckConfig, DEBIAN_PYTHON, exposedMetricNames, nginxTestHttpInclude, promtool, requireBinary, requirePythonModules } from './helpers/platform-servers.js';
import { copyForPostgres, freePort, initCluster, pgTempDir, requirePostgres, showSetting } from './helpers/postgres.js';

const work = tempDir('cs-tools-');
const gen = runCli(
  ['new', 'shop', '--no-git', '--service', 'web:node', '--service', 'api:fastapi', '--service', 'proxy:nginx', '--service', 'db:postgres', '--service', 'cache:redis', '--with', 'deploy'],
  { cwd: work },
);
const dir = join(work, 'shop');
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) removeDir(d);
  removeDir(work);
});
const read = (p: string) => readFileSync(join(dir, p), 'utf8');

describe('bd-build-data + deploy: every config read by its own tool', () => {
  it('generates', () => expect(gen.code, gen.stderr).toBe(0));

  it('nginx -t accepts the nginx kind\'s server block', () => {
    if (!requireBinary('nginx', '/usr/sbin/nginx')) return;
    const r = nginxTestHttpInclude(join(dir, 'data/proxy/config/default.conf'));
    expect(r.ok, r.output).toBe(true);
  });

  it('postgres -C reads the postgres kind\'s postgresql.conf with the values it sets', () => {
    if (!requirePostgres()) return;
    const pg = pgTempDir();
    dirs.push(pg);
    const data = initCluster(pg, 'postgres', 'test-only');
    const conf = copyForPostgres(join(dir, 'data/db/config/postgresql.conf'), pg, 'postgresql.conf');
    const text = read('data/db/config/postgresql.conf');
    const set = [...text.matchAll(/^([a-z_]+)\s*=\s*'?([^'#\n]*?)'?\s*(#.*)?$/gm)].map((m) => [m[1]!, m[2]!.trim()] as const);
    expect(set.length).toBeGreaterThan(10);
    // postgres -C prints sizes in the parameter's own unit: 8 kB pages, kB or MB.
    const UNIT_KB: Record<string, number> = { shared_buffers: 8, effective_cache_size: 8, wal_buffers: 8, work_mem: 1, maintenance_work_mem: 1, max_wal_size: 1024, min_wal_size: 1024 };
    const kb = (v: string) => {
      const m = /^(\d+)(kB|MB|GB)$/.exec(v);
      return m ? Number(m[1]) * { kB: 1, MB: 1024, GB: 1024 ** 2 }[m[2] as 'kB'] : null;
    };
    for (const [param, value] of set) {
      if (param === 'listen_addresses' || param === 'log_line_prefix') continue; // quoted text: compared below
      const shown = showSetting(data, conf, param);
      if (kb(value) !== null && UNIT_KB[param]) expect(Number(shown) * UNIT_KB[param]!, param).toBe(kb(value));
      else expect(shown.toLowerCase(), param).toBe(value.toLowerCase());
    }
    expect(showSetting(data, conf, 'listen_addresses')).toBe('*');
  });

  it('promtool check rules accepts the layer\'s Prometheus rules', () => {
    const r = promtool(['check', 'rules', join(dir, 'monitoring/prometheus/rules.yml')]);
    expect(r.ok, r.output).toBe(true);
  });

  it('amtool check-config accepts the layer\'s Alertmanager config', () => {
    const r = amtoolCheckConfig(join(dir, 'monitoring/alerts/alertmanager.yml'));
    expect(r.ok, r.output).toBe(true);
  });

  it('every app_* metric the dashboard and the rules query is exposed by the node and the FastAPI stub', async () => {
    const exprs = [
      ...[...read('monitoring/grafana/dashboards/shop.json').matchAll(/"expr":\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string),
      ...[...read('monitoring/prometheus/rules.yml').matchAll(/expr:\s*(.+)$/gm)].map((m) => m[1]!),
    ];
    const queried = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(app_[a-z_]+)\b/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''))));
    expect(queried.size).toBeGreaterThan(0);

    const nodePort = await freePort();
    const node = spawn(process.execPath, ['index.js'], { cwd: join(dir, 'data/web'), env: { ...process.env, PORT: String(nodePort), HOST: '127.0.0.1' }, stdio: 'ignore' });
    children.push(node);
    const stubs: Array<[string, number]> = [['web (node)', nodePort]];
    if (requirePythonModules(['fastapi', 'uvicorn'])) {
      const pyPort = await freePort();
      const py = spawn(DEBIAN_PYTHON, ['-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', String(pyPort)], {
        cwd: join(dir, 'data/api'),
        env: { PATH: process.env.PATH, SERVICE_NAME: 'api', PYTHONDONTWRITEBYTECODE: '1' },
        stdio: 'ignore',
      });
      children.push(py);
      stubs.push(['api (fastapi)', pyPort]);
    }
    for (const [name, port] of stubs) {
      let text = '';
      for (let i = 0; i < 150 && !text; i++) {
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => (r.ok ? r.text() : ''), () => '');
        if (!text) await new Promise((r) => setTimeout(r, 100));
      }
      expect(text, `${name} serves /metrics`).not.toBe('');
      const exposed = new Set([...exposedMetricNames(text)].map((m) => m.replace(/_(bucket|sum|count)$/, '')));
      for (const metric of queried) expect(exposed.has(metric), `${name} exposes ${metric}`).toBe(true);
    }
  }, 60_000);
});

/** Starts a stub with its stdout collected; resolves once it answers /health. */
async function startStub(kind: 'node' | 'fastapi', port: number, env: Record<string, string>): Promise<{ child: ChildProcess; out: () => string }> {
  const child =
    kind === 'node'
      ? spawn(process.execPath, ['index.js'], { cwd: join(dir, 'data/web'), env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(DEBIAN_PYTHON, ['-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', String(port)], {
          cwd: join(dir, 'data/api'),
          env: { PATH: process.env.PATH, SERVICE_NAME: 'api', PYTHONDONTWRITEBYTECODE: '1', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  for (let i = 0; i < 200; i++) {
    if (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)) return { child, out: () => out };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${kind} stub did not start: ${out}`);
}

describe('the HTTP stubs: /health is liveness, /ready follows the dependencies, logs are JSON lines', () => {
  for (const kind of ['node', 'fastapi'] as const) {
    it(`${kind}`, async () => {
      if (kind === 'fastapi' && !requirePythonModules(['fastapi', 'uvicorn'])) return;
      const depPort = await freePort();
      const port = await freePort();
      const stub = await startStub(kind, port, { DB_URL: `postgresql://u:p@127.0.0.1:${depPort}/db`, LOG_LEVEL: 'info' });
      const url = `http://127.0.0.1:${port}`;
      // The dependency is down: alive, not ready, and it says which.
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const down = await fetch(`${url}/ready`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'not ready', unreachable: ['DB_URL'] });
      // The dependency comes up: ready.
      const dep: NetServer = createServer((s) => s.end());
      await new Promise<void>((r) => dep.listen(depPort, '127.0.0.1', () => r()));
      try {
        const up = await fetch(`${url}/ready`);
        expect(up.status).toBe(200);
        expect(await up.json()).toMatchObject({ status: 'ready' });
      } finally {
        dep.close();
      }
      expect((await fetch(`${url}/`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      // Every line it printed is one JSON object; the request to / is an info line, probes are not.
      const lines = stub.out().split('\n').filter((l) => l.trim());
      expect(lines.length).toBeGreaterThan(0);
      const entries = lines.map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          throw new Error(`${kind}: not a JSON line: ${l}`);
        }
      });
      for (const e of entries) expect(e, JSON.stringify(e)).toMatchObject({ level: expect.any(String), service: expect.any(String), msg: expect.any(String), time: expect.any(String) });
      expect(entries.some((e) => e.msg === 'request' && e.path === '/' && e.status === 200)).toBe(true);
      expect(entries.some((e) => e.path === '/ready')).toBe(false);
      // The Compose health check asks /ready; Kubernetes' readiness too, its liveness /health.
      const compose = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
      expect(compose).toMatch(kind === 'node' ? /3000\/ready/ : /8000\/ready/);
    }, 60_000);
  }

  it('Kubernetes: readinessProbe on /ready, livenessProbe on /health', () => {
    const text = read('deploy/kubernetes/base/web-deployment.yaml');
    expect(text).toMatch(/readinessProbe:\s+httpGet:\s+path: "\/ready"/);
    expect(text).toMatch(/livenessProbe:\s+httpGet:\s+path: "\/health"/);
    expect(text).toMatch(/startupProbe:\s+httpGet:\s+path: "\/health"/);
  });
});

describe('node builds use npm ci against a lockfile', () => {
  it('package-lock.json (lockfileVersion 3) matches package.json: npm ci --offline installs from it', () => {
    const copy = join(work, 'npm-ci-web');
    cpSync(join(dir, 'data/web'), copy, { recursive: true });
    expect(JSON.parse(read('data/web/package-lock.json')).lockfileVersion).toBe(3);
    const r = spawnSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: copy, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
  });

  it('the app-support node app\'s lockfile holds every dependency of package.json (npm ls --package-lock-only)', () => {
    expect(runCli(['new', 'pair', '--preset', 'app-support', '--app-kind', 'node', '--no-git', '--with', 'deploy'], { cwd: work }).code).toBe(0);
    const app = join(work, 'pair');
    const r = spawnSync('npm', ['ls', '--package-lock-only', '--all'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pg@8\.13\.1/);
  });

  it('no Dockerfile of any preset runs npm install', () => {
    const files = spawnSync('grep', ['-rl', '--include=Dockerfile*', 'npm install', work], { encoding: 'utf8' }).stdout.trim();
    expect(files).toBe('');
    const all = spawnSync('grep', ['-rl', '--include=Dockerfile*', 'npm ci', work], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(all.length).toBeGreaterThanOrEqual(3);
  });
});

describe('seed 001 mounts: monitor logs, data/shared, data/<svc>/templates', () => {
  it('each monitor appends its checks to data/logs/monitor_<svc>.log (the path Compose mounts and passes)', async () => {
    const { parse } = await import('yaml');
    const compose = parse(read('docker-compose.yml'));
    for (const svc of ['web', 'api']) {
      const monitor = compose.services[`${svc}-monitor`];
      expect(monitor.environment.LOG_FILE).toBe(`/logs/monitor_${svc}.log`);
      expect(monitor.volumes).toContain('./data/logs:/logs');
    }
    // The script as the container runs it, /logs mapped to a temp copy of data/logs.
    const logs = join(work, 'logs-as-mounted');
    cpSync(join(dir, 'data/logs'), logs, { recursive: true });
    const r = spawnSync('sh', [join(dir, 'data/monitoring/monitor_web.sh')], {
      env: { ...process.env, HEALTH_URL: 'http://127.0.0.1:9/health', METRICS_URL: '', LOG_FILE: join(logs, 'monitor_web.log') },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(readFileSync(join(logs, 'monitor_web.log'), 'utf8')).toMatch(/web: ERROR: not healthy/);
  });

  it('apps mount data/shared at /shared; every service mounts data/<svc>/templates read-only; setup.sh leaves data/logs writable', async () => {
    const { parse } = await import('yaml');
    const compose = parse(read('docker-compose.yml'));
    for (const svc of ['web', 'api', 'proxy']) expect(compose.services[svc].volumes, svc).toContain('./data/shared:/shared');
    for (const svc of ['db', 'cache']) expect(compose.services[svc].volumes, svc).not.toContain('./data/shared:/shared');
    for (const svc of ['web', 'api', 'proxy', 'db', 'cache']) expect(compose.services[svc].volumes, svc).toContain(`./data/${svc}/templates:/etc/${svc}/templates:ro`);
    expect(read('data/scripts/setup.sh')).toMatch(/^chmod 1777 data\/logs$/m);
  });
});

describe('production publishes only the way in', () => {
  it('base + prod (as docker-compose config merges them): only the nginx service has ports; development publishes the apps', async () => {
    const { composeConfigMerged } = await import('./helpers/validators.js');
    const prod = composeConfigMerged(dir, ['docker-compose.yml', 'docker-compose.prod.yml'], { TAG: 'test' }) as { services: Record<string, { ports?: unknown[] }> } | null;
    const dev = composeConfigMerged(dir, ['docker-compose.yml', 'docker-compose.override.yml']) as { services: Record<string, { ports?: unknown[] }> } | null;
    if (!prod || !dev) return; // docker-compose missing: requireTool said so
    const published = (c: typeof prod) => Object.keys(c!.services).filter((s) => (c!.services[s]!.ports ?? []).length > 0).sort();
    expect(published(prod)).toEqual(['proxy']);
    expect(published(dev)).toEqual(['api', 'cache', 'db', 'proxy', 'web']);
    expect(read('README.md')).toContain('--scale <service>=3');
  });
});
