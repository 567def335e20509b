/**
 * `create-stack add app`: a stack joins a server. Proven on a create-stack stack (bd-build-data and
 * app-support) and a third-party compose repo (awesome-compose): labels valid for Traefik's Docker
 * provider, compose files still valid (schema + docker-compose config), comments kept, the inventory
 * equal to what the labels say; every refusal exits 2 with both repos byte-for-byte as they were;
 * a failure in the middle of the apply leaves both repos as they were.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { composeSchemaErrors, dockerComposeConfig, listFiles, shellcheckErrors } from './helpers/validators.js';
import { TraefikModel, dynamicConfigProblems, labelProblems, type Outcome } from './helpers/traefik-router.js';

// The shared corpus sits beside the repo (main checkout) or one level higher (a worktree).
const CORPUS = [join(import.meta.dirname, '..', '..', 'shared'), join(import.meta.dirname, '..', '..', '..', 'shared')]
  .map((d) => join(d, 'corpus', 'awesome-compose'))
  .find((d) => existsSync(d))!;
const HOST = 'apps.example.com';

let tmp: string;
beforeAll(() => {
  tmp = tempDir('create-stack-add-app-');
});
afterAll(() => removeDir(tmp));

function cli(cwd: string, args: string[], env?: Record<string, string>) {
  return runCli(args, { cwd, env });
}
function ok(cwd: string, args: string[]) {
  const r = cli(cwd, args);
  expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

type Snap = Map<string, string>;
function snap(dir: string): Snap {
  const m: Snap = new Map();
  for (const f of listFiles(dir)) m.set(f, `${statSync(join(dir, f)).mode & 0o777}:${readFileSync(join(dir, f), 'utf8')}`);
  return m;
}

/** A fresh parent dir with a server (https redirect unless args say otherwise) and a bd-build-data stack `shop`. */
function world(serverArgs = ['--domain', HOST, '--acme-email', 'ops@example.com']): string {
  const dir = join(tmp, `w${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  ok(dir, ['new', 'edge', '--preset', 'server', ...serverArgs, '--no-git']);
  ok(dir, ['new', 'shop', '--service', 'web:node', '--service', 'api:fastapi', '--service', 'db:postgres', '--service', 'jobs:worker', '--yes', '--no-git']);
  return dir;
}

function labelsOf(file: string, svc: string): Record<string, string> {
  const l = parse(readFileSync(file, 'utf8')).services[svc].labels ?? {};
  return Array.isArray(l) ? Object.fromEntries(l.map((x: string) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)])) : l;
}

function routed(o: Outcome) {
  if (o.kind !== 'routed') throw new Error(`expected a route, got ${o.kind}`);
  return o.answer;
}

describe('add app on a bd-build-data stack', () => {
  let dir: string;
  beforeAll(() => {
    dir = world();
    ok(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop,keep', '--route', 'api=/shop-api']);
  });

  it('labels the routed services for the Docker provider, and nothing else', () => {
    const prod = join(dir, 'shop', 'docker-compose.prod.yml');
    const web = labelsOf(prod, 'web');
    expect(web).toEqual({
      'traefik.enable': 'true',
      'traefik.docker.network': 'traefik-public',
      'traefik.http.routers.shop-web.rule': 'Host(`apps.example.com`) && (Path(`/shop`) || PathPrefix(`/shop/`))',
      'traefik.http.routers.shop-web.entrypoints': 'websecure',
      'traefik.http.routers.shop-web.service': 'shop-web',
      'traefik.http.services.shop-web.loadbalancer.server.port': '3000',
    });
    const api = labelsOf(prod, 'api');
    expect(api['traefik.http.routers.shop-api.middlewares']).toBe('shop-api-strip');
    expect(api['traefik.http.middlewares.shop-api-strip.stripprefix.prefixes']).toBe('/shop-api');
    expect(api['traefik.http.services.shop-api.loadbalancer.server.port']).toBe('8000');
    for (const s of ['web', 'api']) expect(labelProblems(labelsOf(prod, s), ['web', 'websecure']), s).toEqual([]);
    expect(labelsOf(prod, 'db')).toEqual({});
    // A kept prefix: the node kind reads its base path from BASE_PATH.
    expect(parse(readFileSync(prod, 'utf8')).services.web.environment.BASE_PATH).toBe('/shop');
    expect(parse(readFileSync(prod, 'utf8')).services.api.environment.BASE_PATH).toBeUndefined();
  });

  it('production publishes no routed port, development still does; both stay valid Compose', () => {
    const repo = join(dir, 'shop');
    const env = { DB_PASSWORD: 'x' };
    for (const f of ['docker-compose.yml', 'docker-compose.override.yml', 'docker-compose.prod.yml']) {
      expect(composeSchemaErrors(parse(readFileSync(join(repo, f), 'utf8'))), f).toEqual([]);
    }
    const prod = dockerComposeConfig(repo, ['docker-compose.yml', 'docker-compose.prod.yml'], env);
    expect(prod.ok, prod.output).toBe(true);
    const dev = dockerComposeConfig(repo, ['docker-compose.yml', 'docker-compose.override.yml'], env);
    expect(dev.ok, dev.output).toBe(true);
    if (prod.skipped) return;
    const p = parse(prod.output).services;
    const d = parse(dev.output).services;
    for (const s of ['web', 'api']) {
      expect(p[s].ports, s).toBeUndefined();
      expect(Object.keys(p[s].networks).sort()).toEqual(['app-network', 'traefik-public']);
      expect(d[s].ports, s).toHaveLength(1);
      expect(Object.keys(d[s].networks)).toEqual(['app-network']);
    }
    expect(p.web.expose).toEqual(['3000']);
    expect(Object.keys(p.db.networks)).toEqual(['app-network']);
    expect(parse(prod.output).networks['traefik-public'].external).toBe(true);
    // The prod file's own header comment survives.
    expect(readFileSync(join(repo, 'docker-compose.prod.yml'), 'utf8')).toMatch(/^# Production overrides/);
  });

  it('routes as the inventory says: the model of Traefik and inventory.yaml agree', () => {
    const model = new TraefikModel(join(dir, 'edge'), [{ dir: join(dir, 'shop'), files: ['docker-compose.yml', 'docker-compose.prod.yml'] }]);
    expect(model.problems).toEqual([]);
    const web = routed(model.route({ host: HOST, path: '/shop/cart', entrypoint: 'websecure' }));
    expect([web.service.composeService, web.forwardedPath]).toEqual(['web', '/shop/cart']);
    const api = routed(model.route({ host: HOST, path: '/shop-api/items/1', entrypoint: 'websecure' }));
    expect([api.service.composeService, api.service.port, api.forwardedPath]).toEqual(['api', 8000, '/items/1']);
    expect(model.route({ host: HOST, path: '/shopping', entrypoint: 'websecure' }).kind).toBe('not-found');
    expect(model.route({ host: HOST, path: '/shop', entrypoint: 'web' }).kind).toBe('redirect');
    const inv = parse(readFileSync(join(dir, 'edge', 'inventory.yaml'), 'utf8'));
    const routes = inv.apps[0].routes.map((r: Record<string, unknown>) => [r.router, r.prefix, r.strip, r.port]);
    expect(routes).toEqual([
      ['shop-web', '/shop', false, 3000],
      ['shop-api', '/shop-api', true, 8000],
    ]);
    for (const r of model.routers.filter((x) => x.provider === 'docker')) {
      const entry = inv.apps[0].routes.find((x: { router: string }) => `${x.router}@docker` === r.id);
      expect(entry.rule).toBe(r.rule);
      expect(entry.entrypoints).toEqual(r.entrypoints);
    }
    const backup = readFileSync(join(dir, 'edge', 'scripts', 'backup.sh'), 'utf8');
    expect(backup).toContain("container_of 'shop' 'db'");
    expect(shellcheckErrors([join(dir, 'edge', 'scripts', 'backup.sh'), join(dir, 'edge', 'scripts', 'status.sh')]).ok).toBe(true);
  });

  it('a second add of the same app is refused; --force re-adds it without change', () => {
    const before = [snap(join(dir, 'edge')), snap(join(dir, 'shop'))];
    const again = cli(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop,keep', '--route', 'api=/shop-api']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('[app-exists]');
    ok(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop,keep', '--route', 'api=/shop-api', '--force']);
    expect([snap(join(dir, 'edge')), snap(join(dir, 'shop'))]).toEqual(before);
  });
});

describe('add app on a third-party compose repo and on app-support', () => {
  let dir: string;
  beforeAll(() => {
    dir = world(['--ip', '203.0.113.10']);
    cpSync(join(CORPUS, 'nginx-flask-mysql'), join(dir, 'flask'), { recursive: true });
    // The corpus keeps compose files only: the build contexts they name.
    for (const d of ['backend', 'proxy', 'db']) mkdirSync(join(dir, 'flask', d), { recursive: true });
    ok(dir, ['new', 'demo', '--preset', 'app-support', '--yes', '--no-git']);
  });

  it('refuses the database, then routes the proxy and the backend in the file\'s own style, comments kept', () => {
    const bad = cli(dir, ['add', 'app', 'flask', '--server', 'edge', '--route', 'db=/db']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[service-not-http]');
    ok(dir, ['add', 'app', 'flask', '--server', 'edge', '--route', 'proxy=/flask,strip', '--route', 'backend=/flask-api']);
    const file = join(dir, 'flask', 'compose.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# We use a mariadb image which supports both amd64 & arm64 architecture');
    expect(text).toContain('#image: mysql:8');
    const doc = parse(text);
    expect(composeSchemaErrors(doc)).toEqual([]);
    const r = dockerComposeConfig(join(dir, 'flask'), ['compose.yaml']);
    expect(r.ok, r.output).toBe(true);
    expect(doc.services.proxy.ports).toBeUndefined();
    expect(doc.services.proxy.networks).toEqual(['frontnet', 'traefik-public']);
    expect(doc.services.backend.networks).toEqual(['backnet', 'frontnet', 'traefik-public']);
    expect(doc.services.db.networks).toEqual(['backnet']);
    expect(labelsOf(file, 'proxy')['traefik.http.services.flask-proxy.loadbalancer.server.port']).toBe('80');
    expect(labelsOf(file, 'proxy')['traefik.http.routers.flask-proxy.entrypoints']).toBe('web');
    expect(labelProblems(labelsOf(file, 'backend'), ['web', 'websecure'])).toEqual([]);
    const model = new TraefikModel(join(dir, 'edge'), [{ dir: join(dir, 'flask'), files: ['compose.yaml'] }]);
    const a = routed(model.route({ host: '203.0.113.10', path: '/flask/static/app.css', entrypoint: 'web' }));
    expect([a.service.composeService, a.forwardedPath]).toEqual(['proxy', '/static/app.css']);
    expect(routed(model.route({ host: '203.0.113.10', path: '/flask-api', entrypoint: 'web' })).service.composeService).toBe('backend');
    const inv = parse(readFileSync(join(dir, 'edge', 'inventory.yaml'), 'utf8'));
    const flask = inv.apps.find((x: { name: string }) => x.name === 'flask');
    expect(flask.origin).toBe('compose');
    expect(flask.services.find((s: { name: string }) => s.name === 'db').database).toBe(true);
  });

  it('an app-support app gets its labels in the support repo\'s production file', () => {
    ok(dir, ['add', 'app', 'demo', '--server', 'edge', '--route', 'app=/demo']);
    const prod = join(dir, 'demo-support', 'docker-compose.prod.yml');
    const doc = parse(readFileSync(prod, 'utf8'));
    expect(doc.services.app.ports).toBeUndefined();
    expect(doc.services.app.networks).toEqual(['backend', 'traefik-public']);
    expect(labelsOf(prod, 'app')['traefik.http.services.demo-app.loadbalancer.server.port']).toBe('8000');
    // The database keeps its loopback port for the backup scripts of the support repo.
    expect(doc.services.postgres.ports).toEqual(['127.0.0.1:${POSTGRES_PORT:-5432}:5432']);
    expect(composeSchemaErrors(doc)).toEqual([]);
    // The app repo itself (development) is not touched.
    expect(readFileSync(join(dir, 'demo', 'docker-compose.yml'), 'utf8')).toContain('ports:');
    const inv = parse(readFileSync(join(dir, 'edge', 'inventory.yaml'), 'utf8'));
    const demo = inv.apps.find((x: { name: string }) => x.name === 'demo');
    expect([demo.repo, demo.source, demo.origin]).toEqual(['../demo-support', '../demo', 'app-support']);
  });

  it('a host-network service gets a file-provider route in the infra repo', () => {
    ok(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'api=/shop-api', '--host-network', 'api=http://172.17.0.1:8002']);
    const cfg = parse(readFileSync(join(dir, 'edge', 'traefik', 'config', 'shop.yml'), 'utf8'));
    expect(dynamicConfigProblems(cfg, ['web', 'websecure'])).toEqual([]);
    expect(cfg.http.services['shop-api'].loadBalancer.servers).toEqual([{ url: 'http://172.17.0.1:8002' }]);
    expect(labelsOf(join(dir, 'shop', 'docker-compose.prod.yml'), 'api')).toEqual({});
    const model = new TraefikModel(join(dir, 'edge'), []);
    const a = routed(model.route({ host: '203.0.113.10', path: '/shop-api/x', entrypoint: 'web' }));
    expect([a.service.url, a.forwardedPath]).toEqual(['http://172.17.0.1:8002', '/x']);
    expect(readFileSync(join(dir, 'edge', 'INVENTORY.md'), 'utf8')).toMatch(/\| 8002 \| shop \/ api \| Host \|/);
  });
});

describe('refusals: exit 2, a named rule, nothing written in either repo', () => {
  let dir: string;
  beforeAll(() => {
    dir = world();
    ok(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop', '--route', 'api=/svc', '--host-network', 'api=http://172.17.0.1:8002']);
    ok(dir, ['new', 'blog', '--service', 'web:node', '--service', 'api:fastapi', '--service', 'db:postgres', '--yes', '--no-git']);
    ok(dir, ['new', 'a-b', '--service', 'c:fastapi', '--yes', '--no-git']);
    ok(dir, ['add', 'app', 'a-b', '--server', 'edge', '--route', 'c=/ab']);
    ok(dir, ['new', 'a', '--service', 'b-c:fastapi', '--yes', '--no-git']);
    mkdirSync(join(dir, 'two'));
    writeFileSync(join(dir, 'two', 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n');
    writeFileSync(join(dir, 'two', 'compose.prod.yaml'), 'services:\n  web:\n    restart: always\n');
    mkdirSync(join(dir, 'hostnet'));
    writeFileSync(join(dir, 'hostnet', 'compose.yaml'), 'services:\n  api:\n    image: example/api:1.0\n    network_mode: host\n');
    mkdirSync(join(dir, 'empty'));
    mkdirSync(join(dir, 'noport'));
    writeFileSync(join(dir, 'noport', 'compose.yaml'), 'services:\n  web:\n    image: example/web:1.0\n  cache:\n    image: redis:7\n');
  });

  const CASES: Array<[string, string[], string]> = [
    ['prefix already routed', ['blog', '--route', 'web=/shop'], 'prefix-taken'],
    ['prefix given twice', ['blog', '--route', 'web=/x', '--route', 'api=/x'], 'prefix-taken'],
    ['Traefik name used by another app', ['a', '--route', 'b-c=/abc'], 'name-taken'],
    ['the dashboard prefix', ['blog', '--route', 'web=/dashboard'], 'prefix-reserved'],
    ['a prefix above the API', ['blog', '--route', 'web=/api'], 'prefix-reserved'],
    ['a prefix below the API', ['blog', '--route', 'web=/api/http/x'], 'prefix-reserved'],
    ['a database', ['blog', '--route', 'db=/db'], 'service-not-http'],
    ['a worker', ['shop', '--name', 'shop2', '--route', 'jobs=/jobs'], 'service-not-http'],
    ['a foreign redis', ['noport', '--route', 'cache=/cache'], 'service-not-http'],
    ['an unknown service', ['blog', '--route', 'nope=/nope'], 'service-unknown'],
    ['the same host port twice', ['blog', '--route', 'api=/blog-api', '--host-network', 'api=http://172.17.0.1:8002'], 'host-port-taken'],
    ['web on a server that redirects', ['blog', '--route', 'web=/blog,web'], 'entrypoint-redirected'],
    ['a bad prefix', ['blog', '--route', 'web=/blog/'], 'prefix-format'],
    ['a prefix with a regexp', ['blog', '--route', 'web=/blog{x}'], 'prefix-format'],
    ['a bad route', ['blog', '--route', 'web/blog'], 'route-format'],
    ['an unknown route option', ['blog', '--route', 'web=/blog,fast'], 'route-format'],
    ['no route', ['blog'], 'route-missing'],
    ['a host-network service without a route', ['blog', '--route', 'web=/blog', '--host-network', 'api=http://172.17.0.1:9000'], 'host-network-unrouted'],
    ['a bad host-network URL', ['blog', '--route', 'api=/blog-api', '--host-network', 'api=172.17.0.1:9000'], 'host-network-format'],
    ['a bad host', ['blog', '--route', 'web=/blog', '--host', 'no_host'], 'host-format'],
    ['an app already on the server', ['shop', '--route', 'web=/shop2'], 'app-exists'],
    ['two compose files', ['two', '--route', 'web=/two'], 'compose-ambiguous'],
    ['a port nobody declares', ['noport', '--route', 'web=/np'], 'service-port-unknown'],
    ['a bad app name', ['blog', '--name', 'Blog_1', '--route', 'web=/blog'], 'app-name'],
    ['a missing server', ['blog', '--route', 'web=/blog', '--server', 'shop'], 'server-not-found'],
    ['no --server', ['blog', '--route', 'web=/blog', '--server', ''], 'server-missing'],
    ['a host-network service without --host-network', ['hostnet', '--route', 'api=/hn'], 'service-host-network'],
    ['a repo without compose file and a container route', ['empty', '--route', 'web=/e'], 'compose-missing'],
    ['a repo that does not exist', ['nowhere', '--route', 'web=/e'], 'app-repo-missing'],
    ['the server itself as the app', ['edge', '--route', 'web=/e'], 'app-is-server'],
  ];
  for (const [what, args, rule] of CASES) {
    it(`${what} [${rule}]`, () => {
      const dirs = ['edge', 'shop', 'blog', 'a', 'a-b', 'two', 'noport', 'hostnet', 'empty'].map((d) => join(dir, d));
      const before = dirs.map(snap);
      const server = args.includes('--server') ? [] : ['--server', 'edge'];
      const r = cli(dir, ['add', 'app', ...args, ...server]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(`[${rule}]`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(dirs.map(snap)).toEqual(before);
    });
  }

  it('hostile compose files are refused quickly, with their position [compose-invalid]', () => {
    const bomb = ['services:', '  web:', '    image: nginx:1.27', 'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 0; i < 9; i++) bomb.push(`x-${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    for (const [name, text] of [
      ['bomb', bomb.join('\n') + '\n'],
      ['broken', 'services:\n  web:\n    image: nginx:1.27\n   ports: [80\n'],
      ['binary', 'services:\n\0\0\0'],
    ]) {
      mkdirSync(join(dir, name!), { recursive: true });
      writeFileSync(join(dir, name!, 'compose.yaml'), text!);
      const before = snap(join(dir, 'edge'));
      const t = Date.now();
      const r = cli(dir, ['add', 'app', name!, '--server', 'edge', '--route', 'web=/h']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('[compose-invalid]');
      expect(Date.now() - t).toBeLessThan(20_000);
      expect(snap(join(dir, 'edge'))).toEqual(before);
    }
  });

  it('an https-off server refuses websecure', () => {
    const d = world(['--ip', '203.0.113.10']);
    const r = cli(d, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop,websecure']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[entrypoint-unavailable]');
  });

  it('a prefix under another app\'s on another host scope would capture its paths [prefix-captures]', () => {
    const d = world([]);
    ok(d, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop']);
    ok(d, ['new', 'blog', '--service', 'web:node', '--yes', '--no-git']);
    const before = [snap(join(d, 'edge')), snap(join(d, 'blog'))];
    for (const [route, rule] of [['web=/shop/blog', 'prefix-captures'], ['web=/shop', 'prefix-taken']]) {
      const r = cli(d, ['add', 'app', 'blog', '--server', 'edge', '--host', 'blog.example.com', '--route', route!]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`[${rule}]`);
    }
    expect([snap(join(d, 'edge')), snap(join(d, 'blog'))]).toEqual(before);
  });

  it('several problems are reported at once', () => {
    const r = cli(dir, ['add', 'app', 'blog', '--server', 'edge', '--route', 'web=/shop', '--route', 'db=/db']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[prefix-taken]');
    expect(r.stderr).toContain('[service-not-http]');
  });
});

describe('both repos or neither', () => {
  for (const fault of ['1', '4', 'commit']) {
    it(`a failure during the apply (CREATE_STACK_FAULT_AFTER=${fault}) leaves both repos as they were`, () => {
      const dir = world();
      const before = [snap(join(dir, 'edge')), snap(join(dir, 'shop'))];
      const r = cli(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop'], { CREATE_STACK_FAULT_AFTER: fault });
      expect(r.code).toBe(1);
      expect([snap(join(dir, 'edge')), snap(join(dir, 'shop'))]).toEqual(before);
      expect(listFiles(dir).filter((f) => f.includes('.create-stack-'))).toEqual([]);
    });
  }

  it('--dry-run shows the diffs of both repos and writes nothing', () => {
    const dir = world();
    const before = [snap(join(dir, 'edge')), snap(join(dir, 'shop'))];
    const r = ok(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop', '--dry-run']);
    expect(r.stdout).toContain('b/docker-compose.prod.yml');
    expect(r.stdout).toContain('b/inventory.yaml');
    expect(r.stdout).toContain('+      traefik.http.routers.shop-web.rule:');
    expect([snap(join(dir, 'edge')), snap(join(dir, 'shop'))]).toEqual(before);
    const j = ok(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop', '--json']);
    const out = JSON.parse(j.stdout);
    expect(out.dryRun).toBe(false);
    expect(out.app.routes.map((x: { prefix: string; port: number }) => [x.prefix, x.port])).toEqual([['/shop', 3000]]);
    expect(out.targets.map((t: { dir: string }) => t.dir)).toEqual([join(dir, 'edge'), join(dir, 'shop')]);
  });
});
