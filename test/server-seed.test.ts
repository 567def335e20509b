/**
 * Seed 004's server rebuilt from create-stack commands: one infra repo, five apps, the ten routes of
 * the seed's route table (with their strip settings and entry points) plus the systemd dashboard.
 * Routing is proven from the generated configuration by test/helpers/traefik-router.ts (there is no
 * Traefik binary here): each route, its sub-paths, and look-alike paths that must not match.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { TraefikModel, parseRuleAst, type AppRepoInput, type Outcome } from './helpers/traefik-router.js';
import { composeSchemaErrors, dockerComposeConfig, shellcheckErrors } from './helpers/validators.js';

const HOST = 'vps.example.com';

// The trading bot's compose file, as its team wrote it (seed 004 §3.1): a repo create-stack did not make.
const BOT_COMPOSE = `# bot-trading: the bot, its Streamlit dashboard, monitoring and stores.
services:
  bot:
    image: python:3.12-slim
    command: ["python", "-m", "bot.api"]
    expose:
      - "8080"   # FastAPI
    depends_on: [postgres, redis]
  dashboard:
    image: python:3.12-slim
    command: ["streamlit", "run", "app.py", "--server.port", "8501"]
    ports:
      - "8501:8501"
  prometheus:
    image: prom/prometheus:v2.53.0
    ports:
      - "9090:9090"
    volumes:
      - prometheus_data:/prometheus
  grafana:
    image: grafana/grafana:11.1.0
    ports:
      - "3000:3000"
    volumes:
      - grafana_data:/var/lib/grafana
  postgres:
    image: postgres:15
    environment:
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:?set it in .env}
    volumes:
      - postgres_data:/var/lib/postgresql/data
  redis:
    image: redis:7
    volumes:
      - redis_data:/data

volumes:
  prometheus_data:
  grafana_data:
  postgres_data:
  redis_data:
`;

interface SeedRoute {
  app: string;
  prefix: string;
  service: string;
  strip: boolean;
  entrypoint: 'web' | 'websecure';
  /** Host-network services: the URL Traefik forwards to. */
  url?: string;
}

// Seed 004 §3.6 "Configuración de rutas" (HTTPS → websecure, HTTP → web), plus Bresca's systemd dashboard.
const SEED_ROUTES: SeedRoute[] = [
  { app: 'bot-trading', prefix: '/bot', service: 'dashboard', strip: true, entrypoint: 'websecure' },
  { app: 'bot-trading', prefix: '/api/trading', service: 'bot', strip: false, entrypoint: 'websecure' },
  { app: 'investment-dashboard', prefix: '/Investment-portfolio', service: 'frontend', strip: false, entrypoint: 'web' },
  { app: 'investment-dashboard', prefix: '/Investment-portfolio-api', service: 'backend', strip: true, entrypoint: 'web' },
  { app: 'invoice-extractor', prefix: '/invoice-dashboard', service: 'frontend', strip: true, entrypoint: 'web' },
  { app: 'invoice-extractor', prefix: '/invoice-api', service: 'backend', strip: true, entrypoint: 'web', url: 'http://172.17.0.1:8002' },
  { app: 'command-center', prefix: '/command-center', service: 'frontend', strip: false, entrypoint: 'web' },
  { app: 'command-center', prefix: '/command-center-api', service: 'backend', strip: true, entrypoint: 'web' },
  { app: 'bot-trading', prefix: '/infra', service: 'prometheus', strip: true, entrypoint: 'websecure' },
  { app: 'bot-trading', prefix: '/grafana', service: 'grafana', strip: false, entrypoint: 'websecure' },
  { app: 'bresca-reportes', prefix: '/bresca', service: 'dashboard', strip: true, entrypoint: 'web', url: 'http://172.17.0.1:8501' },
];

const routeArg = (r: SeedRoute) => `${r.service}=${r.prefix},${r.strip ? 'strip' : 'keep'},${r.entrypoint}`;

let tmp: string;
let infra: string;
let model: TraefikModel;
const repos: Record<string, AppRepoInput> = {};

function cli(args: string[]) {
  const r = runCli(args, { cwd: tmp });
  expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

function addApp(app: string, extra: string[] = []) {
  const routes = SEED_ROUTES.filter((r) => r.app === app);
  const hostNet = routes.filter((r) => r.url).flatMap((r) => ['--host-network', `${r.service}=${r.url}`]);
  cli(['add', 'app', app, '--server', 'vps', ...routes.flatMap((r) => ['--route', routeArg(r)]), ...hostNet, ...extra]);
}

beforeAll(() => {
  tmp = tempDir('create-stack-seed004-');
  infra = join(tmp, 'vps');
  cli(['new', 'vps', '--preset', 'server', '--domain', HOST, '--acme-email', 'ops@example.com', '--https', 'on', '--no-git']);
  // bot-trading: a Compose repo of its own.
  mkdirSync(join(tmp, 'bot-trading'));
  writeFileSync(join(tmp, 'bot-trading', 'docker-compose.yml'), BOT_COMPOSE);
  // Three create-stack stacks.
  cli(['new', 'investment-dashboard', '--service', 'frontend:node', '--service', 'backend:fastapi', '--service', 'db:postgres', '--yes', '--no-git']);
  cli(['new', 'invoice-extractor', '--service', 'frontend:nginx', '--service', 'backend:fastapi', '--service', 'db:postgres', '--yes', '--no-git']);
  cli(['new', 'command-center', '--service', 'frontend:nginx', '--service', 'backend:fastapi', '--yes', '--no-git']);
  // bresca-reportes: Streamlit under systemd, no compose file at all.
  mkdirSync(join(tmp, 'bresca-reportes'));
  writeFileSync(join(tmp, 'bresca-reportes', 'README.md'), '# bresca-reportes\nstreamlit run app.py --server.port 8501 (systemd)\n');
  for (const app of ['bot-trading', 'investment-dashboard', 'invoice-extractor', 'command-center', 'bresca-reportes']) addApp(app);

  repos['bot-trading'] = { dir: join(tmp, 'bot-trading'), files: ['docker-compose.yml'] };
  for (const app of ['investment-dashboard', 'invoice-extractor', 'command-center']) {
    repos[app] = { dir: join(tmp, app), files: ['docker-compose.yml', 'docker-compose.prod.yml'] };
  }
  model = new TraefikModel(infra, Object.values(repos));
});
afterAll(() => removeDir(tmp));

function routed(o: Outcome) {
  if (o.kind !== 'routed') throw new Error(`expected a route, got ${o.kind}${o.kind === 'ambiguous' ? ': ' + o.routers.map((r) => r.id).join(', ') : ''}`);
  return o.answer;
}

function expectTarget(o: Outcome, r: SeedRoute): void {
  const a = routed(o);
  if (r.url) {
    expect(a.router.provider).toBe('file');
    expect(a.service.url).toBe(r.url);
  } else {
    expect(a.router.provider).toBe('docker');
    expect(a.router.origin.repo).toBe(repos[r.app]!.dir);
    expect(a.service.composeService).toBe(r.service);
  }
}

describe('seed 004 rebuilt with create-stack', () => {
  it('has five apps and the eleven routes, every router leading to a defined service and middleware', () => {
    expect(model.problems).toEqual([]);
    const inventory = parse(readFileSync(join(infra, 'inventory.yaml'), 'utf8'));
    expect(inventory.apps.map((a: { name: string }) => a.name).sort()).toEqual(['bot-trading', 'bresca-reportes', 'command-center', 'investment-dashboard', 'invoice-extractor']);
    expect(model.routers.filter((r) => r.id !== 'dashboard@file')).toHaveLength(SEED_ROUTES.length);
  });

  for (const r of SEED_ROUTES) {
    it(`${r.prefix} → ${r.app}/${r.service} (${r.strip ? 'strip' : 'keep'}, ${r.entrypoint})`, () => {
      const req = (path: string) => model.route({ host: HOST, path, entrypoint: r.entrypoint });
      // The prefix itself, with a trailing slash, and a deep sub-path.
      for (const [path, rest] of [
        [r.prefix, '/'],
        [`${r.prefix}/`, '/'],
        [`${r.prefix}/assets/app.js`, '/assets/app.js'],
        [`${r.prefix}/a/b/c`, '/a/b/c'],
      ] as const) {
        const o = req(path);
        expectTarget(o, r);
        expect(routed(o).forwardedPath, path).toBe(r.strip ? rest : path);
      }
      // The other entry point does not serve it (the server has --https on: no redirect).
      const other = r.entrypoint === 'web' ? 'websecure' : 'web';
      expect(model.route({ host: HOST, path: `${r.prefix}/x`, entrypoint: other }).kind).toBe('not-found');
      // Another host does not reach it.
      expect(model.route({ host: 'evil.example.net', path: r.prefix, entrypoint: r.entrypoint }).kind).toBe('not-found');
    });
  }

  it('look-alike paths reach no app, or the app that owns them', () => {
    const lookAlikes = ['/bottle', '/bot-admin', '/botx/', '/infra2', '/infrastructure', '/grafana-old', '/grafanax/login', '/api/tradingx', '/api/trading-v2', '/api', '/api/', '/invoice-api-v2', '/invoice-dashboardx', '/command-centerx', '/investment-portfolio', '/INVESTMENT-PORTFOLIO', '/Bot', '/brescax'];
    for (const path of lookAlikes) {
      for (const entrypoint of ['web', 'websecure']) {
        const o = model.route({ host: HOST, path, entrypoint });
        expect(o.kind, `${entrypoint} ${path}: ${o.kind === 'routed' ? o.answer.router.id : ''}`).toBe('not-found');
      }
    }
    // Prefixes that extend another app's prefix go to their own service, never to the shorter one.
    const pairs: Array<[string, string, string]> = [
      ['/Investment-portfolio-api/prices', 'investment-dashboard', 'backend'],
      ['/Investment-portfolio/prices', 'investment-dashboard', 'frontend'],
      ['/command-center-api/containers', 'command-center', 'backend'],
      ['/command-center/containers', 'command-center', 'frontend'],
    ];
    for (const [path, app, service] of pairs) {
      const a = routed(model.route({ host: HOST, path, entrypoint: 'web' }));
      expect(a.service.composeService, path).toBe(service);
      expect(a.router.origin.repo).toBe(repos[app]!.dir);
    }
  });

  it('the dashboard answers its own paths only, behind basic auth, and /api/trading is the bot', () => {
    for (const path of ['/dashboard/', '/api/overview', '/api/http/routers', '/api/entrypoints', '/api/version']) {
      const a = routed(model.route({ host: HOST, path, entrypoint: 'websecure' }));
      expect(a.service.id, path).toBe('api@internal');
      expect(a.router.middlewares).toEqual(['dashboard-auth@file']);
    }
    expect(routed(model.route({ host: HOST, path: '/api/trading/orders', entrypoint: 'websecure' })).service.composeService).toBe('bot');
    // Never on plain HTTP: basic auth would send the password in clear.
    expect(model.route({ host: HOST, path: '/dashboard/', entrypoint: 'web' }).kind).toBe('not-found');
  });

  it('a bare PathPrefix would capture look-alikes (why the rules are written as they are)', () => {
    const bare = parseRuleAst('PathPrefix(`/bot`)');
    const ours = parseRuleAst('Path(`/bot`) || PathPrefix(`/bot/`)');
    const m = new TraefikModel(infra, []);
    m.routers.splice(0, m.routers.length);
    m.routers.push({ id: 'bare@file', provider: 'file', rule: 'PathPrefix(`/bot`)', ast: bare, priority: 1, entrypoints: null, service: 'x@file', middlewares: [], origin: { repo: '', file: '' } });
    m.services.set('x@file', { id: 'x@file', url: 'http://x' });
    expect(m.route({ host: HOST, path: '/bottle', entrypoint: 'web' }).kind).toBe('routed');
    m.routers[0] = { ...m.routers[0]!, ast: ours };
    expect(m.route({ host: HOST, path: '/bottle', entrypoint: 'web' }).kind).toBe('not-found');
  });

  it('inventory.yaml says what the labels and file-provider files say', () => {
    const inventory = parse(readFileSync(join(infra, 'inventory.yaml'), 'utf8'));
    const fromInventory = inventory.apps.flatMap((a: { name: string; routes: Array<Record<string, unknown>> }) =>
      a.routes.map((r) => ({ app: a.name, router: r.router, rule: r.rule, strip: r.strip, entrypoints: r.entrypoints, target: r.url ?? r.port })),
    );
    const fromConfig = model.routers
      .filter((r) => r.id !== 'dashboard@file')
      .map((r) => {
        const app = Object.entries(repos).find(([, v]) => v.dir === r.origin.repo)?.[0] ?? /([^/]+)\.yml$/.exec(r.origin.file)![1];
        const svc = model.services.get(r.service)!;
        const strip = r.middlewares.some((m) => (model.strips.get(m) ?? []).length > 0);
        return { app, router: r.id.replace(/@\w+$/, ''), rule: r.rule, strip, entrypoints: r.entrypoints, target: svc.url ?? svc.port };
      });
    const key = (x: { router: string }) => x.router;
    expect([...fromInventory].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...fromConfig].sort((a, b) => key(a).localeCompare(key(b))));
  });

  it('INVENTORY.md has the seed route table: each prefix with its entry point and strip setting', () => {
    const md = readFileSync(join(infra, 'INVENTORY.md'), 'utf8');
    for (const r of SEED_ROUTES) {
      const row = md.split('\n').find((l) => l.includes(`| \`${r.prefix}\` |`));
      expect(row, r.prefix).toBeDefined();
      expect(row).toContain(r.entrypoint === 'web' ? 'HTTP (web)' : 'HTTPS (websecure)');
      expect(row).toContain(r.strip ? '| Yes |' : '| No |');
    }
    // Port map: only Traefik is public; nothing of an app is published.
    const portRows = md.split('## Port map')[1]!.split('##')[0]!.split('\n').filter((l) => /^\| \d/.test(l));
    expect(portRows.filter((l) => l.includes('| Public |')).map((l) => l.split('|')[1]!.trim())).toEqual(['80', '443']);
    expect(portRows.some((l) => l.includes('Published'))).toBe(false);
    expect(md).toMatch(/\| 8002 \| invoice-extractor \/ backend \| Host \|/);
    const arch = readFileSync(join(infra, 'docs', 'ARCHITECTURE.md'), 'utf8');
    expect(arch).toContain('```mermaid');
    for (const r of SEED_ROUTES) expect(arch).toContain(`|"${r.prefix}${r.strip ? ' (strip)' : ''}"|`);
    // The scripts regenerated for five apps: valid shell; the backup takes every database of the seed.
    const sc = shellcheckErrors(['backup', 'status', 'network', 'up'].map((s) => join(infra, 'scripts', `${s}.sh`)));
    expect(sc.ok, sc.output).toBe(true);
    const backup = readFileSync(join(infra, 'scripts', 'backup.sh'), 'utf8');
    for (const v of ['bot-trading_postgres_data', 'bot-trading_redis_data']) expect(backup).toContain(`backup_volume '${v}'`);
    for (const [project, svc] of [['bot-trading', 'postgres'], ['investment-dashboard', 'db'], ['invoice-extractor', 'db']]) expect(backup).toContain(`container_of '${project}' '${svc}'`);
    const status = readFileSync(join(infra, 'scripts', 'status.sh'), 'utf8');
    for (const r of SEED_ROUTES) expect(status).toContain(`'${r.prefix}'`);
    const maint = readFileSync(join(infra, 'docs', 'MAINTENANCE.md'), 'utf8');
    for (const h of ['## Daily', '## Weekly', '## Monthly', '## Quarterly']) expect(maint).toContain(h);
    for (const app of Object.keys(repos)) expect(maint).toContain(app);
    expect(maint).toContain('bot-trading/postgres');
  });

  it('the apps publish no routed port in production, and their compose files stay valid', () => {
    const bot = dockerComposeConfig(repos['bot-trading']!.dir, ['docker-compose.yml'], { POSTGRES_PASSWORD: 'x' });
    expect(bot.ok, bot.output).toBe(true);
    const botDoc = parse(readFileSync(join(repos['bot-trading']!.dir, 'docker-compose.yml'), 'utf8'));
    expect(composeSchemaErrors(botDoc)).toEqual([]);
    for (const s of ['bot', 'dashboard', 'prometheus', 'grafana']) {
      expect(botDoc.services[s].ports, s).toBeUndefined();
      expect(botDoc.services[s].networks).toEqual(['default', 'traefik-public']);
    }
    // The databases stay off traefik-public.
    expect(botDoc.services.postgres.networks).toBeUndefined();
    // The team's comments survive.
    const text = readFileSync(join(repos['bot-trading']!.dir, 'docker-compose.yml'), 'utf8');
    expect(text).toContain('# bot-trading: the bot, its Streamlit dashboard, monitoring and stores.');
    expect(text).toMatch(/"8080" +# FastAPI/);
    for (const app of ['investment-dashboard', 'invoice-extractor', 'command-center']) {
      const env = { DB_PASSWORD: 'x' };
      const r = dockerComposeConfig(repos[app]!.dir, ['docker-compose.yml', 'docker-compose.prod.yml'], env);
      expect(r.ok, `${app}: ${r.output}`).toBe(true);
      if (r.skipped) continue;
      const merged = parse(r.output);
      for (const [name, svc] of Object.entries<Record<string, unknown>>(merged.services)) {
        const isRouted = SEED_ROUTES.some((x) => x.app === app && x.service === name && !x.url);
        if (isRouted) {
          expect(svc.ports, `${app}/${name}`).toBeUndefined();
          expect(Object.keys(svc.networks as object)).toContain('traefik-public');
        }
      }
    }
  });
});
