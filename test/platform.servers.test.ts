// The platform preset's services, run for real on this machine: the generated FastAPI and Django
// stubs (Debian's Python), Alertmanager, Prometheus on the generated config and rules, and the
// gateway (nginx) on its generated config, routing to the stubs over TLS. Each server is on a free
// loopback port in a temp dir; what had to be rewritten for that (host names, ports, paths,
// a 1 s scrape interval) is listed where it is done.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse, stringify } from 'yaml';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { destroyPostgres, requirePostgres, startPostgres, type PgServer } from './helpers/postgres.js';
import { hasCommand, requireTool } from './helpers/validators.js';
import {
  amtoolCheckConfig, DEBIAN_PYTHON, exposedMetricNames, freePort, gatewayConfigForTest, nginxTest, prometheusQuery, prometheusTargets,
  promtool, requireBinary, requirePythonModules, startAlertmanager, startDjangoStub, startFastapiStub, startNginx,   stopAll, waitFor, waitForHttp, httpsInsecure, startProcess, ALERTMANAGER_BIN, type Server,
} from './helpers/platform-servers.js';

const work = tempDir('cs-platform-run-');
const stack = join(work, 'croody');
const servers: Server[] = [];
const byName = new Map<string, Server>();
const API_KEYS: Record<string, string> = { telemetry: 'telemetry-test-key', ids: 'ids-test-key' };
let haveTools = false;

beforeAll(async () => {
  const gen = runCli(['new', 'croody', '--preset', 'platform', '--yes', '--no-git'], { cwd: work });
  if (gen.code !== 0) throw new Error(`generation failed: ${gen.stderr}`);
  haveTools =
    requirePythonModules(['fastapi', 'uvicorn', 'prometheus_client', 'django', 'gunicorn']) &&
    requireBinary('prometheus') &&
    requireBinary('alertmanager', ALERTMANAGER_BIN) &&
    requireBinary('nginx');
  if (!haveTools) return;
  const add = (s: Server) => {
    servers.push(s);
    byName.set(s.name, s);
    return s;
  };
  const sqlite = join(work, 'sqlite');
  mkdirSync(sqlite);
  await Promise.all([
    startFastapiStub(join(stack, 'data/telemetry'), 'telemetry', { API_KEY: API_KEYS.telemetry! }).then(add),
    startFastapiStub(join(stack, 'data/ids'), 'ids', { API_KEY: API_KEYS.ids! }).then(add),
    startDjangoStub(webCopy(), 'web', sqlite, {}, parse(readFileSync(join(stack, 'docker-compose.yml'), 'utf8')).services.web.command).then(add),
  ]);
  const amData = join(work, 'alertmanager-data');
  mkdirSync(amData);
  add(await startAlertmanager(join(stack, 'data/alertmanager/config/routing.yml'), amData));
}, 120_000);

/** The web app's code in a copy: its container command writes staticfiles/ next to it. */
function webCopy(): string {
  const dir = join(work, 'web-run');
  cpSync(join(stack, 'data/web'), dir, { recursive: true });
  return dir;
}

afterAll(async () => {
  await stopAll(servers);
  removeDir(work);
});

describe('platform observability configs, checked by their own tools', () => {
  it('promtool check rules accepts alerts.yml, with ServiceDown, HighErrorRate and HighLatency', () => {
    const rules = join(stack, 'data/prometheus/config/alerts.yml');
    const r = promtool(['check', 'rules', rules]);
    expect(r.ok, r.output).toBe(true);
    if (!r.skipped) expect(r.output).toMatch(/SUCCESS: 3 rules found/);
    const names = parse(readFileSync(rules, 'utf8')).groups.flatMap((g: any) => g.rules.map((x: any) => x.alert));
    expect(names).toEqual(['ServiceDown', 'HighErrorRate', 'HighLatency']);
  });

  it('promtool test rules: ServiceDown, HighErrorRate and HighLatency fire on the series that should fire them, and not before', () => {
    const file = join(work, 'rules.test.yml');
    writeFileSync(
      file,
      stringify({
        rule_files: [join(stack, 'data/prometheus/config/alerts.yml')],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              // web goes down at minute 2; telemetry answers 10% 5xx; ids answers in ~1 s.
              { series: 'up{job="web", instance="web:8000"}', values: '1 1 0 0 0 0 0 0' },
              { series: 'http_requests_total{job="telemetry", status="200"}', values: '0+90x15' },
              { series: 'http_requests_total{job="telemetry", status="500"}', values: '0+10x15' },
              { series: 'http_request_duration_seconds_bucket{job="ids", le="0.1"}', values: '0+1x15' },
              { series: 'http_request_duration_seconds_bucket{job="ids", le="1"}', values: '0+10x15' },
              { series: 'http_request_duration_seconds_bucket{job="ids", le="+Inf"}', values: '0+10x15' },
            ],
            alert_rule_test: [
              { eval_time: '3m', alertname: 'ServiceDown', exp_alerts: [] },
              {
                eval_time: '5m',
                alertname: 'ServiceDown',
                exp_alerts: [{ exp_labels: { severity: 'critical', job: 'web', instance: 'web:8000' }, exp_annotations: { summary: 'web is down', description: 'Prometheus has not reached web:8000 (web) for 2 minutes.' } }],
              },
              {
                eval_time: '12m',
                alertname: 'HighErrorRate',
                exp_alerts: [{ exp_labels: { severity: 'warning', job: 'telemetry' }, exp_annotations: { summary: 'telemetry answers more than 5% of requests with 5xx', description: '5xx ratio over 5 minutes: 10%.' } }],
              },
              {
                eval_time: '12m',
                alertname: 'HighLatency',
                exp_alerts: [{ exp_labels: { severity: 'warning', job: 'ids' }, exp_annotations: { summary: 'ids is slow', description: '95th percentile latency over 5 minutes: 950ms.' } }],
              },
            ],
          },
        ],
      }),
    );
    const r = promtool(['test', 'rules', file]);
    expect(r.ok, r.output).toBe(true);
    if (!r.skipped) expect(r.output).toContain('SUCCESS');
  });

  it('promtool check config accepts scrape.yml (its rule file at the path the container mounts, mapped here)', () => {
    const dir = join(work, 'promtool');
    mkdirSync(dir, { recursive: true });
    const cfg = readFileSync(join(stack, 'data/prometheus/config/scrape.yml'), 'utf8').split('/etc/prometheus/config/').join(`${dir}/`);
    writeFileSync(join(dir, 'scrape.yml'), cfg);
    writeFileSync(join(dir, 'alerts.yml'), readFileSync(join(stack, 'data/prometheus/config/alerts.yml')));
    const r = promtool(['check', 'config', join(dir, 'scrape.yml')]);
    expect(r.ok, r.output).toBe(true);
  });

  it('amtool check-config accepts the Alertmanager routing', () => {
    const r = amtoolCheckConfig(join(stack, 'data/alertmanager/config/routing.yml'));
    expect(r.ok, r.output).toBe(true);
  });

  it('Django: manage.py check --deploy is clean with the production settings (Debian Django 3.2)', () => {
    if (!haveTools) return;
    const r = spawnSync(DEBIAN_PYTHON, ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'], {
      cwd: join(stack, 'data/web'),
      env: { PATH: process.env.PATH, ENVIRONMENT: 'production', DJANGO_SECRET_KEY: readEnv('WEB_SECRET_KEY'), SQLITE_PATH: join(work, 'check.sqlite3') },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('no issues');
  });
});

function readEnv(key: string): string {
  const line = readFileSync(join(stack, '.env'), 'utf8').split('\n').find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`${key} not in .env`);
  return line.slice(key.length + 1);
}

describe('Prometheus scraping the generated stubs', () => {
  it('every job of the generated scrape config that runs here is up == 1, through Prometheus\'s HTTP API', async () => {
    if (!haveTools) return;
    const generated = parse(readFileSync(join(stack, 'data/prometheus/config/scrape.yml'), 'utf8'));
    const dir = join(work, 'prometheus');
    mkdirSync(join(dir, 'data'), { recursive: true });
    // Prometheus's own port, picked first so its job can point at it.
    const promPort = await freePort();
    const running = new Map<string, number>([...byName].map(([n, s]) => [n, s.port]));
    running.set('prometheus', promPort);
    // Rewritten for a native run: targets `<service>:<port>` → 127.0.0.1:<its port here>; Grafana
    // and the gateway's nginx exporter (neither installed here) are left out; scrape every second; the rule file from the temp dir.
    const cfg = structuredClone(generated);
    cfg.global.scrape_interval = '1s';
    cfg.global.evaluation_interval = '1s';
    cfg.rule_files = [join(dir, 'alerts.yml')];
    cfg.alerting.alertmanagers[0].static_configs[0].targets = [`127.0.0.1:${running.get('alertmanager')}`];
    const skipped: string[] = [];
    cfg.scrape_configs = cfg.scrape_configs.filter((job: any) => {
      const port = running.get(job.job_name);
      if (port === undefined) {
        skipped.push(job.job_name);
        return false;
      }
      const [target] = job.static_configs[0].targets as string[];
      expect(target, job.job_name).toMatch(new RegExp(`^${job.job_name}:\\d+$`));
      job.static_configs[0].targets = [`127.0.0.1:${port}`];
      return true;
    });
    expect(skipped).toEqual(['gateway-exporter', 'grafana']);
    const jobs = cfg.scrape_configs.map((j: any) => j.job_name).sort();
    expect(jobs).toEqual(['alertmanager', 'ids', 'prometheus', 'telemetry', 'web']);
    writeFileSync(join(dir, 'alerts.yml'), readFileSync(join(stack, 'data/prometheus/config/alerts.yml')));
    writeFileSync(join(dir, 'prometheus.yml'), stringify(cfg));

    const prom = await startPrometheusOn(promPort, join(dir, 'prometheus.yml'), join(dir, 'data'));
    servers.push(prom);
    const started = Date.now();
    const targets = await waitFor(
      'every target to be up',
      async () => {
        const t = await prometheusTargets(promPort);
        return t.length === jobs.length && t.every((x) => x.health === 'up') ? t : undefined;
      },
      { timeoutMs: 60_000, server: prom, intervalMs: 500 },
    );
    expect(targets.map((t) => t.job).sort()).toEqual(jobs);
    // The same through a query: up == 1 for each job.
    const up = await waitFor(
      'up == 1 for each job',
      async () => {
        const r = await prometheusQuery(promPort, 'up == 1');
        return r.length === jobs.length ? r : undefined;
      },
      { timeoutMs: 30_000, server: prom, intervalMs: 500 },
    );
    expect(up.map((x) => x.labels.job).sort()).toEqual(jobs);
    // The alert rules are loaded and evaluated.
    const rules = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/rules`)).json()) as any;
    expect(rules.data.groups.flatMap((g: any) => g.rules.map((r: any) => r.name)).sort()).toEqual(['HighErrorRate', 'HighLatency', 'ServiceDown']);
    console.log(`prometheus: ${jobs.length} targets up in ${Date.now() - started} ms`);
  }, 150_000);
});

async function startPrometheusOn(port: number, config: string, data: string): Promise<Server> {
  const server = startProcess('prometheus', port, 'prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`]);
  await waitForHttp(`http://127.0.0.1:${port}/-/ready`, { timeoutMs: 30_000, server });
  return server;
}

describe('the Django stub', () => {
  it('starts with its container command: migrations applied, static files collected, gunicorn serving', () => {
    if (!haveTools) return;
    expect(existsSync(join(work, 'web-run/staticfiles/admin/css/base.css'))).toBe(true);
    expect(existsSync(join(work, 'sqlite/db.sqlite3'))).toBe(true);
    expect(byName.get('web')!.log()).toMatch(/Applying auth\.0001_initial/);
  });

  it('passes its own tests (manage.py test on Debian\'s Django 3.2): /health, /ready 200 and 503, metrics, the home page', () => {
    if (!haveTools) return;
    const r = spawnSync(DEBIAN_PYTHON, ['manage.py', 'test', '--verbosity', '2'], {
      cwd: join(stack, 'data/web'),
      env: { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1', DJANGO_SECRET_KEY: readEnv('WEB_SECRET_KEY'), SQLITE_PATH: join(work, 'manage-test.sqlite3') },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const t of ['test_health_answers_before_host_validation', 'test_ready_when_the_database_answers', 'test_not_ready_but_alive_while_the_database_is_unreachable']) {
      expect(r.stderr, t).toContain(`${t} (core.tests.HealthTests`);
    }
    expect(r.stderr).toMatch(/^Ran 5 tests .*\n\nOK$/m);
  });
});

describe('the FastAPI stubs', () => {
  it('need the API key on /api/<svc>/, validate input, and count requests in http_requests_total', async () => {
    if (!haveTools) return;
    for (const name of ['telemetry', 'ids']) {
      const base = `http://127.0.0.1:${byName.get(name)!.port}`;
      const key = { 'X-API-Key': API_KEYS[name]!, 'Content-Type': 'application/json' };
      expect((await fetch(`${base}/api/${name}/`)).status).toBe(401);
      expect((await fetch(`${base}/api/${name}/`, { headers: { 'X-API-Key': 'wrong' } })).status).toBe(401);
      expect((await fetch(`${base}/api/${name}/`, { headers: key })).status).toBe(200);
      const bad = await fetch(`${base}/api/${name}/events`, { method: 'POST', headers: key, body: JSON.stringify({ source: 'bad source!', value: 'x' }) });
      expect(bad.status).toBe(422);
      const ok = await fetch(`${base}/api/${name}/events`, { method: 'POST', headers: key, body: JSON.stringify({ source: 'robot-1', value: 3.5 }) });
      expect(ok.status).toBe(201);
      const last = (await (await fetch(`${base}/api/${name}/events/last`, { headers: key })).json()) as any;
      expect(last.source).toBe('robot-1');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`http_requests_total\\{method="POST",path="/api/${name}/events",status="201"\\} 1`));
    }
  });

  it('log each request as one JSON object', async () => {
    if (!haveTools) return;
    const log = byName.get('telemetry')!.log();
    const lines = log.split('\n').filter((l) => l.includes('"message": "request"'));
    expect(lines.length).toBeGreaterThan(0);
    const entry = JSON.parse(lines.at(-1)!);
    expect(entry).toMatchObject({ service: 'telemetry', level: 'INFO', message: 'request' });
    expect(typeof entry.duration_ms).toBe('number');
    // Django (its own lines and gunicorn's access log) writes JSON too.
    const web = byName.get('web')!.log().split('\n').filter((l) => l.startsWith('{'));
    expect(web.length).toBeGreaterThan(0);
    for (const l of web) expect(JSON.parse(l).service).toBe('web');
  });
});

describe('/health (alive) and /ready (dependencies reachable), neither asking for the API key', () => {
  const REDIS = '/usr/bin/redis-server';
  let pg: PgServer | undefined;
  afterAll(() => destroyPostgres(pg));

  /** The generated Compose health check of `service`, run by Debian's Python against its stub's port here. */
  function composeHealthcheck(service: string, port: number): number | null {
    const svc = parse(readFileSync(join(stack, 'docker-compose.yml'), 'utf8')).services[service];
    const [cmd, python, flag, code] = svc.healthcheck.test as string[];
    expect([cmd, python, flag]).toEqual(['CMD', 'python', '-c']);
    const local = code!.replace(new RegExp(`127\\.0\\.0\\.1:${svc.environment.PORT}/`), `127.0.0.1:${port}/`);
    expect(local, 'the health check names the port the service listens on').not.toBe(code);
    return spawnSync(DEBIAN_PYTHON, ['-c', local], { timeout: 30_000 }).status;
  }
  const get = async (port: number, path: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
    return { status: r.status, body: (await r.json()) as any };
  };

  it('FastAPI: /health is 200 with nothing else running; /ready is 503 naming what is unreachable, 200 once PostgreSQL and redis-server answer, 503 again when redis stops', async () => {
    if (!haveTools) return;
    // Real dependencies where this machine has them: a throwaway PostgreSQL (started, then stopped to
    // keep its port) and redis-server; otherwise only the unreachable half runs.
    const havePg = requirePostgres();
    const haveRedis = requireTool('redis-server', () => hasCommand(REDIS));
    if (havePg) {
      pg = await startPostgres({ superuser: 'croody', password: 'ready-test' });
      pg.stop();
    }
    const pgPort = pg?.port ?? (await freePort());
    const redisPort = await freePort();
    // The variables Compose gives telemetry (DB_URL, CACHE_URL), pointed at this machine's ports.
    const compose = parse(readFileSync(join(stack, 'docker-compose.yml'), 'utf8')).services.telemetry.environment;
    expect(compose.DB_URL).toMatch(/^postgresql:\/\/.*@db:5432\//);
    expect(compose.CACHE_URL).toMatch(/^redis:\/\/.*@cache:6379\//);
    const stub = await startFastapiStub(join(stack, 'data/telemetry'), 'telemetry', {
      API_KEY: 'ready-key',
      DB_URL: `postgresql://croody:ready-test@127.0.0.1:${pgPort}/postgres`,
      CACHE_URL: `redis://:secret@127.0.0.1:${redisPort}/0`,
    });
    servers.push(stub);

    expect(await get(stub.port, '/health')).toMatchObject({ status: 200, body: { status: 'ok', service: 'telemetry' } });
    const down = await get(stub.port, '/ready');
    expect(down.status).toBe(503);
    expect(down.body.unreachable).toEqual(['CACHE_URL', 'DB_URL']);
    expect(JSON.stringify(down.body), 'no URL (and no password) in the answer').not.toContain('ready-test');
    expect(composeHealthcheck('telemetry', stub.port)).not.toBe(0);
    if (!havePg || !haveRedis) return;

    pg!.start();
    const redis = startProcess('redis', redisPort, REDIS, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    servers.push(redis);
    const up = await waitFor('/ready to answer 200', async () => {
      const r = await get(stub.port, '/ready');
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 20_000, server: redis });
    expect(up.body).toEqual({ status: 'ready', service: 'telemetry', dependencies: ['CACHE_URL', 'DB_URL'] });
    expect(composeHealthcheck('telemetry', stub.port)).toBe(0);

    await stopAll([redis]);
    const cacheDown = await get(stub.port, '/ready');
    expect(cacheDown).toMatchObject({ status: 503, body: { unreachable: ['CACHE_URL'] } });
    expect((await get(stub.port, '/health')).status).toBe(200);
  }, 120_000);

  it('Django: the web stub is ready on its database; a copy whose database cannot be opened is alive (/health 200) and not ready (/ready 503)', async () => {
    if (!haveTools) return;
    const web = byName.get('web')!;
    expect(await get(web.port, '/health')).toMatchObject({ status: 200, body: { status: 'ok', service: 'web' } });
    expect(await get(web.port, '/ready')).toMatchObject({ status: 200, body: { status: 'ready', problems: {} } });
    expect(composeHealthcheck('web', web.port)).toBe(0);
    // Debian's Django 3.2 has no PostgreSQL driver it can use (psycopg2): the unreachable database is
    // SQLite's, a file in a directory that does not exist, which ensure_connection() cannot open.
    const sqlite = join(work, 'sqlite-unreachable');
    mkdirSync(sqlite);
    const broken = await startDjangoStub(join(work, 'web-run'), 'web', sqlite, { SQLITE_PATH: join(work, 'no-such-dir/db.sqlite3') });
    servers.push(broken);
    expect((await get(broken.port, '/health')).status).toBe(200);
    expect(await get(broken.port, '/ready')).toMatchObject({ status: 503, body: { status: 'not ready', problems: { database: 'OperationalError' } } });
    expect(composeHealthcheck('web', broken.port)).not.toBe(0);
    // Django logs the 503 as JSON like every other line.
    const line = broken.log().split('\n').find((l) => l.includes('/ready'));
    expect(line, broken.log()).toBeTruthy();
    expect(JSON.parse(line!)).toMatchObject({ service: 'web' });
  }, 90_000);
});

describe('Grafana dashboards', () => {
  it('one per routed service, and every panel query names a metric the running stubs expose', async () => {
    const dir = join(stack, 'data/grafana/config/dashboards');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(['ids.json', 'telemetry.json', 'web.json']);
    if (!haveTools) return;
    // Every stub has served requests above (or now), so its labelled series are in its exposition.
    await fetch(`http://127.0.0.1:${byName.get('web')!.port}/es/`, { headers: { 'X-Forwarded-Proto': 'https' } });
    for (const f of files) {
      const svc = f.replace(/\.json$/, '');
      const exposed = exposedMetricNames(await (await fetch(`http://127.0.0.1:${byName.get(svc)!.port}/metrics`)).text());
      exposed.add('up'); // Prometheus's own, per target
      const dash = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      expect(dash.panels.length).toBeGreaterThan(0);
      for (const panel of dash.panels) {
        for (const t of panel.targets) {
          expect(t.expr, `${f}: ${panel.title}`).toContain(`job="${svc}"`);
          for (const metric of metricNamesIn(t.expr)) expect(exposed.has(metric), `${f}: ${panel.title}: ${metric}`).toBe(true);
        }
      }
    }
  });
});

/** Metric names in a PromQL expression: identifiers followed by a selector `{`, leaving out functions and keywords. */
function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)].map((m) => m[1]!).filter((n) => !['by', 'without'].includes(n));
}

describe('the gateway (nginx) in front of the stubs', () => {
  it('routes / to Django and /api/<svc>/ to each FastAPI service over TLS, with the security headers', async () => {
    if (!haveTools) return;
    const hosts = Object.fromEntries([...byName].map(([n, s]) => [n, `127.0.0.1:${s.port}`]));
    const { dir, conf } = gatewayConfigForTest(stack, 'gateway', hosts);
    expect(nginxTest(conf, dir).ok).toBe(true);
    const ports = { http: await freePort(), https: await freePort(), status: await freePort() };
    const nginx = startNginx(conf, dir, ports);
    servers.push(nginx);
    await waitForHttp(`http://127.0.0.1:${ports.http}/healthz`, { timeoutMs: 20_000, server: nginx });
    const https = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => httpsInsecure(`https://127.0.0.1:${ports.https}${path}`, init);

    const redirect = await fetch(`http://127.0.0.1:${ports.http}/anything`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('https://127.0.0.1/anything');

    const home = await https('/es/');
    expect(home.status, home.text).toBe(200);
    expect(home.text).toContain('<h1>');
    for (const h of ['strict-transport-security', 'content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy']) {
      expect(home.headers[h], h).toBeTruthy();
    }
    const api = await https('/api/telemetry/', { headers: { 'X-API-Key': API_KEYS.telemetry! } });
    expect(api.status).toBe(200);
    expect(JSON.parse(api.text).service).toBe('telemetry');
    expect((await https('/api/ids/')).status).toBe(401);
    // /metrics is never exposed through the gateway.
    expect((await https('/metrics')).status).toBe(404);
    // Request size limit.
    const big = await https('/api/telemetry/events', { method: 'POST', headers: { 'X-API-Key': API_KEYS.telemetry!, 'Content-Type': 'application/json' }, body: 'x'.repeat(11 * 1024 * 1024) });
    expect(big.status).toBe(413);
    // The counters the gateway's exporter reads (stub_status), on the internal port.
    const status = await (await fetch(`http://127.0.0.1:${ports.status}/stub_status`)).text();
    expect(status).toMatch(/^Active connections: \d+/);
    // The access log is JSON (nginx's stdout, captured to a file here).
    const line = nginx.log().split('\n').find((l) => l.includes('"uri":"/api/telemetry/"'));
    expect(line, nginx.log()).toBeTruthy();
    expect(JSON.parse(line!)).toMatchObject({ service: 'gateway', status: 200, method: 'GET' });
  }, 90_000);
});
