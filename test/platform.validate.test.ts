// The platform preset (seed 002): every file proven by the real tool of its kind, for the seed's
// services and for other mixes. Servers (Prometheus scraping the stubs, the gateway routing) are in
// platform.servers.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import {
  composeConfigMerged, composeSchemaErrors, dockerComposeConfig, dockerfileLintProblems, listFiles, pyCompileErrors, shellcheckErrors,
  yamllintErrors,
} from './helpers/validators.js';
import { gatewayConfigForTest, nginxTest, nginxTestHttpInclude } from './helpers/platform-servers.js';

const MIXES: Record<string, string[]> = {
  seed: [],
  'apis-only': ['--service', 'orders:fastapi:9000', '--service', 'store:postgres'],
  'web-and-one-api': ['--service', 'site:django:8001', '--service', 'search:fastapi:9200', '--service', 'sessions:redis', '--no-terraform'],
};
const COMPOSE_SETS = [['docker-compose.yml'], ['docker-compose.yml', 'docker-compose.override.yml'], ['docker-compose.yml', 'docker-compose.prod.yml']];

const work = tempDir('cs-platform-');
afterAll(() => removeDir(work));

describe.each(Object.entries(MIXES))('platform stack "%s"', (mix, args) => {
  const name = `pf-${mix}`;
  const dir = join(work, name);
  const gen = runCli(['new', name, '--preset', 'platform', '--yes', '--no-git', ...args], { cwd: work });
  const files = gen.code === 0 ? listFiles(dir) : [];
  const of = (re: RegExp) => files.filter((f) => re.test(f)).map((f) => join(dir, f));
  const base = () => parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'));
  /** The spec's services as recorded, by kind. */
  const recorded = () => (parse(readFileSync(join(dir, '.create-stack.yaml'), 'utf8')).services as Array<{ name: string; kind: string }>);
  const routedNames = () => recorded().filter((s) => s.kind === 'django' || s.kind === 'fastapi').map((s) => s.name);

  it('is generated (exit 0)', () => {
    expect(gen.stderr).toBe('');
    expect(gen.code).toBe(0);
  });

  it('has the bd/ build/ data/ layout, the gateway and the observability services', () => {
    for (const svc of ['gateway', 'prometheus', 'alertmanager', 'grafana']) {
      expect(files).toContain(`build/${svc}/Dockerfile`);
      expect(files).toContain(`data/${svc}/config/${svc}.yml`);
    }
    for (const svc of ['prometheus', 'alertmanager', 'grafana']) expect(files).toContain(`bd/${svc}-data/.gitkeep`);
    expect(files).toContain('data/gateway/config/nginx.conf');
    expect(files).toContain('data/scripts/dev-cert.sh');
    // Unprivileged images get their bd/ folders before the stack starts.
    const owners = readFileSync(join(dir, 'data/scripts/data-owners.sh'), 'utf8');
    for (const [svc, uid] of [['prometheus', '65534:65534'], ['alertmanager', '65534:65534'], ['grafana', '472:0']]) expect(owners).toContain(`'bd/${svc}-data' '${uid}'`);
    expect(readFileSync(join(dir, 'data/scripts/dev-setup.sh'), 'utf8')).toMatch(/setup\.sh\nbash data\/scripts\/data-owners\.sh\n/);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(files.filter((f) => f.startsWith('bd/') && !f.endsWith('/.gitkeep'))).toEqual([]);
    expect(existsSync(join(dir, 'terraform'))).toBe(!args.includes('--no-terraform'));
  });

  it('compose files pass the Compose JSON schema, alone and merged by docker-compose config', () => {
    for (const f of ['docker-compose.yml', 'docker-compose.override.yml', 'docker-compose.prod.yml']) {
      expect(composeSchemaErrors(parse(readFileSync(join(dir, f), 'utf8'))), f).toEqual([]);
    }
    for (const set of COMPOSE_SETS) {
      const r = dockerComposeConfig(dir, set);
      if (r.skipped) continue;
      expect(r.ok, r.output).toBe(true);
      expect(r.warnings, `${set.join(' + ')} leaves variables unset`).toEqual([]);
      expect(composeSchemaErrors(composeConfigMerged(dir, set)), set.join(' + ')).toEqual([]);
    }
  });

  it('only the gateway is published (80, 443); apps listen on the spec ports behind it', () => {
    const doc = base();
    const published = Object.entries<any>(doc.services).filter(([, s]) => s.ports).map(([n, s]) => [n, s.ports]);
    expect(published).toEqual([['gateway', ['80:8080', '443:8443']]]);
    // The gateway waits for every service it routes to.
    const routed = routedNames();
    expect(routed.length).toBeGreaterThan(0);
    expect(Object.keys(doc.services.gateway.depends_on).sort()).toEqual(routed.sort());
    for (const n of routed) {
      const port = Number(doc.services[n].environment.PORT);
      expect(JSON.stringify(doc.services[n].command)).toContain(String(port));
      expect(JSON.stringify(doc.services[n].healthcheck.test)).toContain(`:${port}/`);
    }
  });

  it('Dockerfiles pass dockerfile-utils; shell scripts pass shellcheck; Python compiles', () => {
    for (const f of of(/(^|\/)Dockerfile$/)) expect(dockerfileLintProblems(readFileSync(f, 'utf8')), f).toEqual([]);
    const sh = shellcheckErrors(of(/\.sh$/));
    expect(sh.ok, sh.output).toBe(true);
    const py = pyCompileErrors(of(/\.py$/));
    expect(py.ok, py.output).toBe(true);
  });

  it('every YAML file passes yamllint', () => {
    const r = yamllintErrors(of(/\.ya?ml$/));
    expect(r.ok, r.output).toBe(true);
  });

  it('Grafana is provisioned where Compose mounts it: the Prometheus datasource, one dashboard per routed service', () => {
    const doc = base();
    const grafana = doc.services.grafana;
    expect(grafana.volumes).toContain('./data/grafana/config:/etc/grafana/config:ro');
    expect(grafana.environment.GF_PATHS_PROVISIONING).toBe('/etc/grafana/config/provisioning');
    expect(grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);
    const ds = parse(readFileSync(join(dir, 'data/grafana/config/provisioning/datasources/prometheus.yml'), 'utf8'));
    expect(ds.datasources).toEqual([expect.objectContaining({ type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090' })]);
    const provider = parse(readFileSync(join(dir, 'data/grafana/config/provisioning/dashboards/dashboards.yml'), 'utf8')).providers[0];
    expect(provider.options.path).toBe('/etc/grafana/config/dashboards');
    const dashboards = files.filter((f) => f.startsWith('data/grafana/config/dashboards/') && f.endsWith('.json')).sort();
    expect(dashboards).toEqual(routedNames().map((n) => `data/grafana/config/dashboards/${n}.json`).sort());
    for (const f of dashboards) {
      const d = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      for (const p of d.panels) for (const t of p.targets) expect(t.datasource.uid, `${f}: ${p.title}`).toBe('prometheus');
    }
  });

  it('Prometheus scrapes every service that serves metrics, the gateway through its exporter', () => {
    const cfg = parse(readFileSync(join(dir, 'data/prometheus/config/scrape.yml'), 'utf8'));
    const jobs = cfg.scrape_configs.map((j: any) => j.job_name).sort();
    expect(jobs).toEqual([...routedNames(), 'gateway-exporter', 'prometheus', 'alertmanager', 'grafana'].sort());
    const doc = base();
    expect(doc.services['gateway-exporter'].command[0]).toBe('--nginx.scrape-uri=http://gateway:8081/stub_status');
    expect(readFileSync(join(dir, 'data/gateway/config/nginx.conf'), 'utf8')).toMatch(/listen 8081;[\s\S]*stub_status;[\s\S]*deny all;/);
  });

  it('the gateway config passes nginx -t (upstream hosts mapped to loopback)', () => {
    const { dir: conf, upstreams } = gatewayConfigForTest(dir, 'gateway');
    try {
      const r = nginxTest(join(conf, 'nginx.conf'), conf);
      expect(r.ok, r.output).toBe(true);
      // The mapping replaced exactly the Compose services the gateway routes to, on their ports.
      const doc = base();
      const upstreamHosts = [...upstreams.matchAll(/server ([a-z][a-z0-9-]*):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`).sort();
      const expected = Object.keys(doc.services.gateway.depends_on).map((n) => `${n}:${doc.services[n].environment.PORT}`).sort();
      expect(upstreamHosts).toEqual(expected);
    } finally {
      removeDir(conf);
    }
  });

  it('the gateway config for behind a TLS proxy (Kubernetes, the image\'s conf.d/default.conf) passes nginx -t too', () => {
    const r = nginxTestHttpInclude(join(dir, 'data/gateway/config/default.conf'));
    expect(r.ok, r.output).toBe(true);
    const conf = readFileSync(join(dir, 'data/gateway/config/default.conf'), 'utf8');
    for (const s of recorded()) if (s.kind === 'fastapi') expect(conf, s.name).toContain(`location /api/${s.name}/ {`);
  });

  it('the gateway terminates TLS with the security headers, rate limits, size limits, gzip and JSON logs', () => {
    const conf = readFileSync(join(dir, 'data/gateway/config/nginx.conf'), 'utf8');
    const headers = readFileSync(join(dir, 'data/gateway/config/security-headers.conf'), 'utf8');
    for (const h of ['Strict-Transport-Security', 'Content-Security-Policy', 'X-Frame-Options', 'X-Content-Type-Options', 'Referrer-Policy']) {
      expect(headers).toMatch(new RegExp(`add_header ${h} .* always;`));
    }
    expect(conf).toMatch(/listen 8443 ssl/);
    expect(conf).toMatch(/return 301 https:/);
    expect(conf).toMatch(/limit_req_zone .*zone=api/);
    expect(conf).toMatch(/client_max_body_size \d+m;/);
    expect(conf).toMatch(/gzip on;/);
    expect(conf).toMatch(/log_format json escape=json/);
    for (const s of recorded()) {
      if (s.kind === 'fastapi') expect(conf, s.name).toContain(`location /api/${s.name}/ {`);
      if (s.kind === 'django') expect(conf, s.name).toContain(`proxy_pass http://${s.name}_upstream;`);
    }
  });
});

describe('platform input errors', () => {
  it.each(['django', 'gateway', 'prometheus', 'alertmanager', 'grafana', 'nginx-exporter'])('kind %s outside the platform preset is exit 2 (kind-not-in-preset)', (kind) => {
    const cwd = tempDir('cs-platform-bad-');
    try {
      const r = runCli(['new', 'bad', '--no-git', '--service', `x:${kind}`], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('kind-not-in-preset');
      expect(existsSync(join(cwd, 'bad'))).toBe(false);
    } finally {
      removeDir(cwd);
    }
  });

  it.each([
    [['--service', 'gateway:fastapi'], 'service-reserved'],
    [['--service', 'api:node'], 'kind-not-in-preset'],
    [['--service', 'db:postgres'], 'services-empty'],
    [['--service', 'a:django:8001', '--service', 'b:django:8002'], 'service-duplicate'],
    [['--service', 'api:fastapi:9090'], 'port-conflict'],
  ])('%j is exit 2 (%s) and writes nothing', (args, rule) => {
    const cwd = tempDir('cs-platform-bad-');
    try {
      const r = runCli(['new', 'bad', '--preset', 'platform', '--no-git', ...args], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(rule);
      expect(existsSync(join(cwd, 'bad'))).toBe(false);
    } finally {
      removeDir(cwd);
    }
  });

  it('a port conflict suggests the next port free of the platform and of the other services', () => {
    const cwd = tempDir('cs-platform-port-');
    try {
      const r = runCli(['new', 'bad', '--preset', 'platform', '--no-git', '--service', 'a:fastapi:9090', '--service', 'b:fastapi:9091'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--service a:fastapi:9092\b/);
    } finally {
      removeDir(cwd);
    }
  });
});
