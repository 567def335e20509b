// The config files of a bd-build-data stack with the deploy layer, proven by the tool that reads them:
// nginx -t on the nginx kind's server block, postgres -C on the postgres kind's postgresql.conf,
// promtool on the layer's Prometheus rules, amtool on its Alertmanager config; and every app metric
// the Grafana dashboard and the rules query is one the generated stubs expose.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
