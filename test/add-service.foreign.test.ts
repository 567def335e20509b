// add service / remove service on compose repos create-stack did not write: every file of the
// awesome-compose corpus, hand-written files in other styles, built kinds, .env and refusals.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { diffLines } from 'diff';
import { parse } from 'yaml';
import { removeDir, ROOT, runCli, tempDir } from './helpers/cli.js';
import { composeSchemaErrors, dockerComposeConfig, dockerfileLintProblems, pyCompileErrors } from './helpers/validators.js';
import { snap } from './helpers/tree.js';

// The corpus sits beside the checkout (../shared) or beside its worktree directory (../../shared).
const corpusDir = [resolve(ROOT, '..', 'shared'), resolve(ROOT, '..', '..', 'shared')]
  .map((d) => join(d, 'corpus', 'awesome-compose'))
  .find((d) => existsSync(d))!;
const work = tempDir('cs-addsvc-foreign-');
afterAll(() => removeDir(work));
let n = 0;

/** Lines the second text lost from the first (a pure insertion loses none). */
function removedLines(before: string, after: string): string[] {
  // A last line that only gains its newline (a line appended after it) lost nothing.
  const nl = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);
  return diffLines(nl(before), nl(after)).filter((p) => p.removed).flatMap((p) => p.value.split('\n').filter((l) => l !== ''));
}

/** The build contexts, secret and env files the compose file names, made so docker-compose config can run. */
function materialize(dir: string, file: string): void {
  const doc = parse(readFileSync(join(dir, file), 'utf8')) ?? {};
  for (const svc of Object.values<any>(doc.services ?? {})) {
    const ctx = typeof svc?.build === 'string' ? svc.build : svc?.build?.context;
    if (typeof ctx === 'string' && !ctx.includes('://')) mkdirSync(join(dir, ctx), { recursive: true });
    for (const e of [svc?.env_file ?? []].flat()) if (typeof e === 'string' && !existsSync(join(dir, e))) writeFileSync(join(dir, e), '');
  }
  for (const s of Object.values<any>({ ...(doc.secrets ?? {}), ...(doc.configs ?? {}) })) {
    if (typeof s?.file === 'string' && !existsSync(join(dir, s.file))) {
      mkdirSync(dirname(join(dir, s.file)), { recursive: true });
      writeFileSync(join(dir, s.file), 'x');
    }
  }
}

function composeOk(dir: string, file: string): { schema: boolean; config: boolean | null } {
  const schema = composeSchemaErrors(parse(readFileSync(join(dir, file), 'utf8'))).length === 0;
  const r = dockerComposeConfig(dir, [file]);
  return { schema, config: r.skipped ? null : r.ok };
}

if (!corpusDir) throw new Error('the awesome-compose corpus (../shared/corpus/awesome-compose) is missing');
const corpus = readdirSync(corpusDir).sort().map((d) => {
  const file = readdirSync(join(corpusDir, d)).find((f) => /^(docker-)?compose\.ya?ml$/.test(f))!;
  return { name: d, file };
});

describe.each(corpus)('awesome-compose $name', ({ name, file }) => {
  const dir = join(work, name);
  cpSync(join(corpusDir, name), dir, { recursive: true });
  materialize(dir, file);
  const original = readFileSync(join(dir, file), 'utf8');
  const services = Object.keys(parse(original).services);
  const first = services[0]!;
  const was = composeOk(dir, file);
  const added: string[] = [];

  it.each([
    ['cache:redis', ['--link', first]],
    ['db:postgres', []],
  ] as Array<[string, string[]]>)('add service %s %j', (arg, extra) => {
    const svc = arg.split(':')[0]!;
    const before = readFileSync(join(dir, file), 'utf8');
    const r = runCli(['add', 'service', arg, ...extra], { cwd: dir });
    if (services.includes(svc)) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('[service-exists]');
      expect(readFileSync(join(dir, file), 'utf8')).toBe(before);
      return;
    }
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    added.push(svc);
    const after = readFileSync(join(dir, file), 'utf8');
    // Additions only: the link lines are added too (depends_on / environment entries of the consumer).
    expect(removedLines(before, after)).toEqual([]);
    for (const line of original.split('\n').filter((l) => l.trim().startsWith('#'))) expect(after).toContain(line);
    const now = composeOk(dir, file);
    if (was.schema) expect(composeSchemaErrors(parse(after))).toEqual([]);
    if (was.config) expect(now.config, dockerComposeConfig(dir, [file]).output).toBe(true);
    const doc = parse(after);
    const s = doc.services[svc];
    expect(s.image).toMatch(/:\d/); // pinned by version
    expect(s.healthcheck.test.length).toBeGreaterThan(1);
    expect(s.restart).toBeTruthy();
    expect(s.logging.options['max-size']).toBe('10m');
    if (doc.version === undefined || !String(doc.version).startsWith('2')) expect(s.deploy.resources.limits.memory).toBeTruthy();
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
    if (extra.length) {
      const consumer = doc.services[first];
      const deps = Array.isArray(consumer.depends_on) ? consumer.depends_on : Object.keys(consumer.depends_on);
      expect(deps).toContain(svc);
      const env = Array.isArray(consumer.environment) ? consumer.environment.join('\n') : Object.keys(consumer.environment).join('\n');
      expect(env).toContain('CACHE_URL');
    }
  });

  it('remove service of what was added gives back the original file byte for byte', () => {
    for (const svc of added.reverse()) {
      const r = runCli(['remove', 'service', svc, '--force'], { cwd: dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(readFileSync(join(dir, file), 'utf8')).toBe(original);
  });
});

function repo(files: Record<string, string>): string {
  const dir = join(work, `r${++n}`);
  mkdirSync(dir);
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), c);
  }
  return dir;
}

const FOUR_SPACES = `# four-space indent, single quotes, long ports, list environment, bind mounts
x-common: &common
    restart: 'always'

services:
    web:
        <<: *common
        image: 'nginx:1.27.3-alpine'
        ports:
            -   target: 80
                published: 8080
        environment:
            - 'MODE=prod'
        volumes:
            - './html:/usr/share/nginx/html:ro'
        networks:
            - front
        depends_on:
            - api

    api:
        image: 'node:22.12.0-alpine3.21'
        volumes:
            - './data:/srv/data'
        networks:
            - front
networks:
    front: {}
`;

describe('the new service is written in the file\'s own style', () => {
  it('indentation, quotes, list environment, short depends_on, bind mounts, the shared network; additions only', () => {
    const dir = repo({ 'compose.yaml': FOUR_SPACES });
    const r = runCli(['add', 'service', 'cache:redis', '--link', 'web'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const after = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    expect(removedLines(FOUR_SPACES, after)).toEqual([]);
    expect(after).toContain("\n    cache:\n        image: 'redis:7.4.1-alpine3.20'\n");
    expect(after).toContain("        volumes:\n            - './cache-data:/data'\n");
    expect(after).toContain("            - 'CACHE_URL=redis://:${CACHE_PASSWORD}@cache:6379/0'\n");
    expect(after).toContain('            - api\n            - cache\n');
    expect(after).toContain('        networks:\n            - front\n        healthcheck:');
    const doc = parse(after, { merge: true });
    // The password through a file on a tmpfs, never on the command line (no redis.conf here: the file is the config).
    expect(doc.services.cache.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(doc.services.cache.command.slice(3)).toEqual(['redis-start', 'redis-server', '/run/cache/auth.conf', '--appendonly', 'yes']);
    expect(doc.services.cache.command.join(' ')).not.toMatch(/--requirepass|CACHE_PASSWORD/);
    expect(doc.services.cache.tmpfs).toEqual(['/run/cache']);
    expect(doc.services.web.restart).toBe('always');
    expect(composeSchemaErrors(doc)).toEqual([]);
    const c = dockerComposeConfig(dir, ['compose.yaml']);
    if (!c.skipped) expect(c.ok, c.output).toBe(true);
  });

  it('long depends_on and map environment when the file uses them; named volume declared', () => {
    const text = 'services:\n  app:\n    image: "python:3.12.8-slim-bookworm"\n    environment:\n      A: "1"\n    depends_on:\n      other:\n        condition: service_started\n  other:\n    image: "busybox:1.37"\n    volumes:\n      - "stuff:/stuff"\nvolumes:\n  stuff:\n';
    const dir = repo({ 'docker-compose.yml': text });
    const r = runCli(['add', 'service', 'db:postgres', '--link', 'app'], { cwd: dir });
    expect(r.code).toBe(0);
    const after = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
    expect(removedLines(text, after)).toEqual([]);
    const doc = parse(after);
    expect(doc.services.app.depends_on.db).toEqual({ condition: 'service_healthy' });
    expect(doc.services.app.environment.DB_URL).toBe('postgresql://${DB_USER}:${DB_PASSWORD}@db:5432/${DB_DATABASE}');
    expect(doc.services.db.volumes).toEqual(['db-data:/var/lib/postgresql/data']);
    expect(Object.keys(doc.volumes)).toEqual(['stuff', 'db-data']);
    expect(after).toContain('    image: "postgres:16.6-alpine3.21"\n');
    expect(readFileSync(join(dir, '.env'), 'utf8')).toMatch(/^DB_PASSWORD=[\w-]{43}$/m);
    const c = dockerComposeConfig(dir, ['docker-compose.yml']);
    if (!c.skipped) {
      expect(c.ok, c.output).toBe(true);
      expect(c.warnings).toEqual([]);
    }
  });
});

describe('built kinds get a code stub and a Dockerfile in their own build context', () => {
  it('fastapi under ./api by default, node under --context', () => {
    const dir = repo({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27.3-alpine\n    ports:\n      - "8080:80"\n' });
    const r = runCli(['add', 'service', 'api:fastapi'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of ['api/Dockerfile', 'api/main.py', 'api/requirements.txt', 'api/.dockerignore']) expect(existsSync(join(dir, f)), f).toBe(true);
    const dockerfile = readFileSync(join(dir, 'api/Dockerfile'), 'utf8');
    expect(dockerfile).not.toContain('data/api');
    expect(dockerfile).toContain('COPY requirements.txt ./requirements.txt');
    expect(dockerfileLintProblems(dockerfile)).toEqual([]);
    const py = pyCompileErrors([join(dir, 'api/main.py')]);
    expect(py.ok, py.output).toBe(true);
    const doc = parse(readFileSync(join(dir, 'compose.yaml'), 'utf8'));
    expect(doc.services.api.build).toEqual({ context: './api' });
    expect(doc.services.api.ports).toEqual(['8000:8000']);
    expect(existsSync(join(dir, 'bd'))).toBe(false);
    const c = dockerComposeConfig(dir, ['compose.yaml']);
    if (!c.skipped) expect(c.ok, c.output).toBe(true);

    const r2 = runCli(['add', 'service', 'front:node:3001', '--context', 'services/front'], { cwd: dir });
    expect(r2.code).toBe(0);
    expect(existsSync(join(dir, 'services/front/index.js'))).toBe(true);
    expect(parse(readFileSync(join(dir, 'compose.yaml'), 'utf8')).services.front.build).toEqual({ context: './services/front' });
  });
});

describe('.env and .gitignore', () => {
  it('an existing .env is extended and made private; a .gitignore that ignores it is left alone', () => {
    const dir = repo({ 'compose.yaml': 'services:\n  a:\n    image: busybox:1.37\n', '.env': 'MINE=1\n', '.gitignore': 'node_modules/\n.env\n' });
    chmodSync(join(dir, '.env'), 0o644);
    const r = runCli(['add', 'service', 'cache:redis'], { cwd: dir });
    expect(r.code).toBe(0);
    const env = readFileSync(join(dir, '.env'), 'utf8');
    expect(env.startsWith('MINE=1\n')).toBe(true);
    expect(env).toMatch(/^CACHE_PASSWORD=/m);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n.env\n');
  });
  it('a .gitignore without .env gets it', () => {
    const dir = repo({ 'compose.yaml': 'services:\n  a:\n    image: busybox:1.37\n', '.gitignore': 'dist/' });
    expect(runCli(['add', 'service', 'cache:redis'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('dist/\n.env\n');
  });
});

describe('refusals: exit 2, nothing written', () => {
  const base = 'services:\n  web:\n    image: nginx:1.27.3-alpine\n    ports:\n      - "8080:80"\n';
  const cases: Array<[string, Record<string, string>, string[], string]> = [
    ['name exists', { 'compose.yaml': base }, ['web:node'], 'service-exists'],
    ['host port published by the base file', { 'compose.yaml': base }, ['front:node:8080'], 'port-conflict'],
    ['host port published by the override file', { 'compose.yaml': base, 'compose.override.yaml': 'services:\n  web:\n    ports:\n      - "127.0.0.1:9000:9000"\n' }, ['front:node:9000', '--file', 'compose.yaml'], 'port-conflict'],
    ['unknown kind', { 'compose.yaml': base }, ['x:rails'], 'kind-unknown'],
    ['compose file does not parse', { 'compose.yaml': 'services:\n  web:\n    image: [nginx\n' }, ['cache:redis'], 'compose-parse'],
    ['--link to a service that does not exist', { 'compose.yaml': base }, ['cache:redis', '--link', 'api'], 'link-unknown'],
    ['several compose files, no --file', { 'compose.yaml': base, 'docker-compose.yml': base }, ['cache:redis'], 'compose-ambiguous'],
    ['no compose file', { 'README.md': 'hi\n' }, ['cache:redis'], 'compose-missing'],
    ['context that exists', { 'compose.yaml': base, 'api/main.py': 'print(1)\n' }, ['api:fastapi:8001'], 'context-exists'],
    ['context outside the repo', { 'compose.yaml': base }, ['api:fastapi:8001', '--context', '../elsewhere'], 'context-outside'],
    ['remove: unknown service', { 'compose.yaml': base }, [], 'service-unknown'],
    ['remove: a service others depend on', { 'compose.yaml': 'services:\n  a:\n    image: busybox:1.37\n    depends_on:\n      - b\n  b:\n    image: busybox:1.37\n' }, [], 'service-depended-on'],
  ];
  it.each(cases)('%s', (label, files, args, rule) => {
    const dir = repo(files);
    const before = snap(dir);
    const argv = label.startsWith('remove:') ? ['remove', 'service', label.includes('unknown') ? 'nope' : 'b'] : ['add', 'service', ...args];
    const r = runCli(argv, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`[${rule}]`);
    expect(r.stderr).toMatch(/fix: /);
    if (rule === 'compose-parse') expect(r.stderr).toMatch(/compose\.yaml:\d+:\d+: /);
    if (rule === 'compose-ambiguous') expect(r.stderr).toContain('compose.yaml, docker-compose.yml');
    expect(snap(dir)).toEqual(before);
  });
});

describe('remove service on a repo create-stack did not write', () => {
  it('--force takes the references out, keeps the data volume and the build context, and lists them', () => {
    const text = 'services:\n  a:\n    build: ./a\n    depends_on:\n      - b\n      - c\n  b:\n    image: busybox:1.37\n    volumes:\n      - bdata:/data\n  c:\n    image: busybox:1.37\nvolumes:\n  bdata:\n';
    const dir = repo({ 'compose.yaml': text, 'compose.override.yaml': 'services:\n  b:\n    ports:\n      - "7000:7000"\n', 'a/Dockerfile': 'FROM busybox:1.37\n' });
    const r = runCli(['remove', 'service', 'b', '--force'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toBe('services:\n  a:\n    build: ./a\n    depends_on:\n      - c\n  c:\n    image: busybox:1.37\n');
    expect(parse(readFileSync(join(dir, 'compose.override.yaml'), 'utf8')).services).toBeNull();
    expect(r.stdout).toContain('volume bdata (data of b; no longer declared');
    const r2 = runCli(['remove', 'service', 'a'], { cwd: dir });
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('./a (build context of a)');
    expect(existsSync(join(dir, 'a/Dockerfile'))).toBe(true);
  });
});
