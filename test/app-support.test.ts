/**
 * `create-stack new <name> --preset app-support`: two sibling repos (seed 000), spawned as a user runs
 * the CLI. For each app kind: every generated file passes the real tool of its kind (Compose schema and
 * docker-compose config, shellcheck, dockerfile-utils, yamllint, py_compile / node --check, the stubs'
 * own tests, kubernetes-models), the production compose's relative paths resolve into the app repo,
 * and the READMEs point at files that exist. Plus: a snapshot of both trees, bad input (exit 2,
 * neither repo created), git, dry run, atomicity, --force and --answers.
 * The PostgreSQL proofs (postgres -C, backup/restore on a live server) are in app-support.postgres.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';

import { removeDir, runCli, tempDir } from './helpers/cli.js';
import {
  composeSchemaErrors,
  dockerComposeConfig,
  dockerfileLintProblems,
  listFiles,
  nodeCheckErrors,
  pyCompileErrors,
  requireTool,
  shellcheckErrors,
  yamllintErrors,
} from './helpers/validators.js';
import { freePort } from './helpers/postgres.js';

const work = tempDir('cs-as-');
afterAll(() => removeDir(work));

interface Pair {
  name: string;
  kind: string;
  app: string;
  support: string;
}

/** Generates a pair in its own fresh directory under work/. */
function generate(name: string, args: string[], sub: string): Pair & { stdout: string } {
  const cwd = join(work, sub);
  mkdirSync(cwd, { recursive: true });
  const r = runCli(['new', name, '--preset', 'app-support', '--yes', '--no-git', ...args], { cwd });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const kind = args.includes('--app-kind') ? args[args.indexOf('--app-kind') + 1]! : 'fastapi';
  return { name, kind, app: join(cwd, name), support: join(cwd, `${name}-support`), stdout: r.stdout };
}

const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
const filesOf = (root: string, re: RegExp) => listFiles(root).filter((f) => re.test(f)).map((f) => join(root, f));

/** The environment docker-compose gets for the production files: what a filled-in .env holds. */
const PROD_ENV = {
  POSTGRES_USER: 'x_admin',
  POSTGRES_PASSWORD: 'p1',
  POSTGRES_DB: 'x',
  APP_DB_PASSWORD: 'p2',
};

// ---------------------------------------------------------------------------------------------
// Every app kind
// ---------------------------------------------------------------------------------------------

const VARIANTS: Array<{ name: string; args: string[] }> = [
  { name: 'demo', args: [] },
  { name: 'crypto-intel', args: ['--app-kind', 'node', '--db-memory', '2GB'] },
  { name: 'chores', args: ['--app-kind', 'worker', '--db-memory', '512MB'] },
];

describe.each(VARIANTS)('app-support $name $args', ({ name, args }) => {
  let p: Pair;
  beforeAll(() => {
    p = generate(name, args, `variant-${name}`);
  });

  it('creates the two sibling repos with the layout of seed 000', () => {
    const app = listFiles(p.app);
    const support = listFiles(p.support);
    for (const f of [
      'Dockerfile', 'docker-compose.yml', '.env', '.dockerignore', '.gitignore', 'project.yaml', 'README.md', '.create-stack.yaml',
      'db/create_tables.sql', 'db/migrations/001_add_insights_score.sql',
      'docs/pipeline.md', 'docs/db-schema.md', 'docs/project-schema.md', 'docs/SETUP.md', 'docs/DOCKER.md', 'docs/IMPLEMENTATION.md',
    ]) {
      expect(app, f).toContain(f);
    }
    expect(app.some((f) => f.startsWith('tests/'))).toBe(true);
    expect(app).toContain(p.kind === 'node' ? 'package.json' : 'requirements.txt');
    expect(app).toContain(p.kind === 'node' ? 'run_pipeline.js' : 'run_pipeline.py');
    for (const f of [
      'database/Dockerfile', 'database/docker-compose.yml', 'database/postgresql.conf', 'database/init/00_init.sql', 'database/.env.example', 'database/README.md',
      'kubernetes/namespace.yaml', 'kubernetes/postgres/statefulset.yaml', 'kubernetes/postgres/service.yaml', 'kubernetes/app/deployment.yaml',
      'kubernetes/app/configmap.yaml', 'kubernetes/app/secret.yaml.example', 'kubernetes/kustomization.yaml', 'kubernetes/README.md',
      'scripts/backup.sh', 'scripts/restore.sh', 'scripts/deploy.sh', 'scripts/backup.bat', 'scripts/README.md',
      'docs/DOCKER-PRODUCTION.md', 'docker-compose.prod.yml', '.env.prod.example', '.gitignore', 'README.md',
    ]) {
      expect(support, f).toContain(f);
    }
    // Production secrets are never generated: only examples, with the secrets left empty.
    expect(support).not.toContain('.env');
    expect(read(p.support, '.env.prod.example')).toMatch(/^POSTGRES_PASSWORD=$/m);
    expect(read(p.support, '.env.prod.example')).toMatch(/^APP_DB_PASSWORD=$/m);
    const ignore = read(p.support, '.gitignore').split('\n');
    for (const entry of ['.env', '.env.prod', '*.sql.gz', 'backups/']) expect(ignore).toContain(entry);
    // The app repo's .env is committed on purpose, with dummy development values only.
    expect(read(p.app, '.gitignore').split('\n')).not.toContain('.env');
    for (const f of filesOf(p.support, /\.sh$/)) expect(statSync(f).mode & 0o777, f).toBe(0o755);
    // Every template value was rendered (only deploy.sh's `docker inspect --format` template, and a
    // workflow's GitHub expressions `${{ … }}`, are literal).
    for (const [root, f] of [...listFiles(p.app).map((f) => [p.app, f]), ...listFiles(p.support).map((f) => [p.support, f])] as Array<[string, string]>) {
      if (f === '.create-stack/base.json.gz') continue; // the gzipped record of these files, not a template
      let text = read(root, f).replace(/docker inspect --format '[^']*'/g, '');
      if (f.startsWith('.github/workflows/')) text = text.replace(/\$\{\{ [\w.]+ \}\}/g, '');
      expect(text, f).not.toMatch(/\{\{|\}\}/);
    }
    // cmd.exe wants CRLF.
    expect(read(p.support, 'scripts/backup.bat')).toMatch(/^@echo off\r\n/);
    expect(read(p.support, 'scripts/backup.bat').replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('compose files pass the Compose JSON schema', () => {
    for (const f of [join(p.app, 'docker-compose.yml'), join(p.support, 'docker-compose.prod.yml'), join(p.support, 'database', 'docker-compose.yml')]) {
      expect(composeSchemaErrors(parseYaml(readFileSync(f, 'utf8'))), f).toEqual([]);
    }
  });

  it('docker-compose config accepts them, without warnings, and refuses a missing production secret', () => {
    const dev = dockerComposeConfig(p.app, ['docker-compose.yml']);
    expect(dev.output).not.toMatch(/ERROR/);
    expect(dev.ok).toBe(true);
    expect(dev.warnings).toEqual([]);

    const prod = dockerComposeConfig(p.support, ['docker-compose.prod.yml'], PROD_ENV);
    expect(prod.ok, prod.output).toBe(true);
    expect(prod.warnings).toEqual([]);
    if (!prod.skipped) {
      const missing = dockerComposeConfig(p.support, ['docker-compose.prod.yml'], { ...PROD_ENV, APP_DB_PASSWORD: '' });
      expect(missing.ok).toBe(false);
      expect(missing.output).toMatch(/APP_DB_PASSWORD must be set/);
    }

    const db = dockerComposeConfig(join(p.support, 'database'), ['docker-compose.yml'], PROD_ENV);
    expect(db.ok, db.output).toBe(true);
    expect(db.warnings).toEqual([]);
  });

  it('the production compose reaches the sibling app repo by relative paths that resolve (parsed, not grepped)', () => {
    const prod = parseYaml(read(p.support, 'docker-compose.prod.yml')) as {
      services: Record<string, { build?: { context: string; dockerfile: string }; volumes?: string[] }>;
    };
    const app = prod.services.app!;
    expect(isAbsolute(app.build!.context)).toBe(false);
    expect(resolve(p.support, app.build!.context)).toBe(p.app);
    expect(existsSync(join(resolve(p.support, app.build!.context), app.build!.dockerfile))).toBe(true);
    const binds = (svc: { volumes?: string[] }, from: string) =>
      (svc.volumes ?? []).filter((v) => v.startsWith('.')).map((v) => ({ source: resolve(from, v.split(':')[0]!), target: v.split(':')[1]! }));
    const schema = binds(prod.services.postgres!, p.support).find((b) => b.target.startsWith('/docker-entrypoint-initdb.d/'));
    expect(schema?.source).toBe(join(p.app, 'db', 'create_tables.sql'));
    for (const b of [...binds(prod.services.postgres!, p.support), ...binds(app, p.support)]) {
      expect(existsSync(b.source), b.source).toBe(true);
      expect(b.source.startsWith(p.app) || b.source.startsWith(p.support), b.source).toBe(true);
    }
    expect(existsSync(resolve(p.support, prod.services.postgres!.build!.context, 'Dockerfile'))).toBe(true);

    // The standalone database compose sits one level deeper, and still finds the schema.
    const dbCompose = parseYaml(read(p.support, 'database', 'docker-compose.yml')) as { services: Record<string, { volumes?: string[] }> };
    const dbSchema = binds(dbCompose.services.postgres!, join(p.support, 'database')).find((b) => b.target.startsWith('/docker-entrypoint-initdb.d/'));
    expect(dbSchema?.source).toBe(join(p.app, 'db', 'create_tables.sql'));
  });

  it('every .sh passes shellcheck', () => {
    const scripts = [...filesOf(p.app, /\.sh$/), ...filesOf(p.support, /\.sh$/)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    const r = shellcheckErrors(scripts);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('every Dockerfile passes dockerfile-utils lint, and runs as a numeric non-root user', () => {
    for (const f of [join(p.app, 'Dockerfile'), join(p.support, 'database', 'Dockerfile')]) {
      const text = readFileSync(f, 'utf8');
      expect(dockerfileLintProblems(text), f).toEqual([]);
      expect(text, f).toMatch(/^FROM [a-z0-9.-]+:[0-9][\w.-]*$/m); // pinned, never latest
      expect(text, f).toMatch(/^HEALTHCHECK /m);
    }
    expect(read(p.app, 'Dockerfile')).toMatch(/^USER [1-9]\d*:[1-9]\d*$/m);
  });

  it('every YAML file passes yamllint', () => {
    const yamls = [...filesOf(p.app, /(\.ya?ml|\.yaml\.example)$/), ...filesOf(p.support, /(\.ya?ml|\.yaml\.example)$/)];
    expect(yamls.length).toBeGreaterThanOrEqual(12);
    const r = yamllintErrors(yamls);
    expect(r.ok, r.output).toBe(true);
  });

  it('the code stubs compile and their own tests pass', () => {
    if (p.kind === 'node') {
      const js = filesOf(p.app, /\.js$/);
      expect(js.length).toBeGreaterThanOrEqual(6);
      const r = nodeCheckErrors(js);
      expect(r.ok, r.output).toBe(true);
      // `npm test` = `node --test`: the tests import only dependency-free modules.
      const t = spawnSync(process.execPath, ['--test'], { cwd: p.app, encoding: 'utf8', timeout: 60_000 });
      expect(t.status, t.stdout + t.stderr).toBe(0);
      expect(t.stdout).toMatch(/# pass [1-9]/);
      expect(t.stdout).toMatch(/# fail 0/);
    } else {
      const py = filesOf(p.app, /\.py$/);
      expect(py.length).toBeGreaterThanOrEqual(8);
      const r = pyCompileErrors(py);
      expect(r.ok, r.output).toBe(true);
      if (r.skipped) return;
      // The pipeline tests need only the standard library (the rest skip themselves when a dependency is missing).
      const t = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], {
        cwd: p.app,
        encoding: 'utf8',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
        timeout: 60_000,
      });
      expect(t.status, t.stderr).toBe(0);
      expect(t.stderr).toMatch(/\nOK/);
    }
  });

  it('Kubernetes manifests are valid kubernetes-models objects, meet PSS restricted and match the kustomization', () => {
    const dir = join(p.support, 'kubernetes');
    const kustomization = parseYaml(read(dir, 'kustomization.yaml')) as { namespace: string; resources: string[] };
    expect(kustomization.namespace).toBe(p.name);
    const manifests = listFiles(dir).filter((f) => /\.yaml$/.test(f) && f !== 'kustomization.yaml');
    // Every manifest is listed, every listed file exists; the example Secret is not listed.
    expect([...kustomization.resources].sort()).toEqual(manifests.sort());
    expect(kustomization.resources).not.toContain('app/secret.yaml.example');

    const kinds: string[] = [];
    for (const f of [...manifests, 'app/secret.yaml.example']) {
      for (const doc of parseAllDocuments(read(dir, f))) {
        expect(doc.errors, f).toEqual([]);
        const obj = doc.toJS() as { apiVersion: string; kind: string; metadata: { namespace?: string } };
        kinds.push(obj.kind);
        expect(obj.metadata.namespace ?? p.name, f).toBe(p.name);
        validateK8s(obj);
        if (obj.kind === 'StatefulSet' || obj.kind === 'Deployment') {
          const spec = (obj as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
          expect(restrictedProblems(spec), f).toEqual([]);
        }
      }
    }
    expect(kinds.sort()).toEqual(
      [
        'ConfigMap', 'ConfigMap', 'Namespace', 'Secret', 'Service', 'StatefulSet', 'Deployment',
        // default-deny, allow-dns, app, postgres
        'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy',
        ...(p.kind === 'worker' ? [] : ['Service', 'PodDisruptionBudget']),
      ].sort(),
    );
    const sts = parseYaml(read(dir, 'postgres', 'statefulset.yaml')) as { spec: { volumeClaimTemplates: unknown[] } };
    expect(sts.spec.volumeClaimTemplates).toHaveLength(1);

    // The ConfigMap carries the very files of database/.
    const cm = parseYaml(read(dir, 'postgres', 'configmap.yaml')) as { data: Record<string, string> };
    expect(cm.data['postgresql.conf']).toBe(read(p.support, 'database', 'postgresql.conf'));
    expect(cm.data['00_init.sql']).toBe(read(p.support, 'database', 'init', '00_init.sql'));
  });

  it('README links and the files their commands name exist', () => {
    for (const [root, readme] of [
      [p.app, 'README.md'],
      [p.support, 'README.md'],
      [p.support, 'database/README.md'],
      [p.support, 'kubernetes/README.md'],
      [p.support, 'scripts/README.md'],
      [p.support, 'docs/DOCKER-PRODUCTION.md'],
      ...listFiles(join(p.app, 'docs')).map((f) => [p.app, `docs/${f}`]),
    ] as Array<[string, string]>) {
      const here = dirname(join(root, readme));
      const text = read(root, readme);
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!) || target!.startsWith('#')) continue;
        expect(existsSync(resolve(here, target!.split('#')[0]!)), `${readme} links ${target}`).toBe(true);
      }
      // Paths in the code blocks: relative to the README, its repo, or the repos' parent (after `cd <repo>`).
      for (const [, block] of text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)) {
        for (const token of block!.split(/[\s"'=<>|;&()]+/)) {
          if (!/^(\.{1,2}\/)*[\w-]+(\/[\w.-]+)*\.(sh|py|js|ya?ml|sql|example|conf)$/.test(token)) continue;
          const found = [here, root, dirname(root)].some((base) => existsSync(resolve(base, token)));
          expect(found, `${readme} names ${token}`).toBe(true);
        }
      }
    }
    // The start commands the READMEs print.
    const appReadme = read(p.app, 'README.md');
    expect(appReadme).toContain(`cd ${p.name}\ndocker compose up -d --build`);
    const supportReadme = read(p.support, 'README.md');
    expect(supportReadme).toContain(`cd ${p.name}-support\ncp .env.prod.example .env`);
    expect(supportReadme).toContain('scripts/deploy.sh');
  });
});

// ---------------------------------------------------------------------------------------------
// Kubernetes helpers
// ---------------------------------------------------------------------------------------------

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/Secret': Secret,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

function validateK8s(obj: { apiVersion: string; kind: string }): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) throw new Error(`no kubernetes-models class for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj as never).validate();
}

interface Container {
  name: string;
  image: string;
  securityContext?: { allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] }; runAsNonRoot?: boolean };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  containers: Container[];
}

/** The Pod Security Standard "restricted" fields, plus pinned images, probes and resources. */
function restrictedProblems(spec: PodSpec): string[] {
  const out: string[] = [];
  if (spec.securityContext?.runAsNonRoot !== true) out.push('pod: runAsNonRoot is not true');
  if (!spec.securityContext?.runAsUser) out.push('pod: runAsUser is not a non-zero uid');
  if (spec.securityContext?.seccompProfile?.type !== 'RuntimeDefault') out.push('pod: seccompProfile is not RuntimeDefault');
  for (const c of spec.containers) {
    if (c.securityContext?.allowPrivilegeEscalation !== false) out.push(`${c.name}: allowPrivilegeEscalation is not false`);
    if (!c.securityContext?.capabilities?.drop?.includes('ALL')) out.push(`${c.name}: capabilities do not drop ALL`);
    if (!/:[\w][\w.-]*$/.test(c.image) || c.image.endsWith(':latest')) out.push(`${c.name}: image ${c.image} is not pinned`);
    if (!c.readinessProbe || !c.livenessProbe) out.push(`${c.name}: no readiness or liveness probe`);
    if (!c.resources?.requests?.memory || !c.resources?.limits?.memory) out.push(`${c.name}: no memory request or limit`);
  }
  return out;
}

describe('kubernetes-models validation is a real check', () => {
  it('rejects a Deployment without containers and an unknown kind', () => {
    expect(() => validateK8s({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { selector: {}, template: { spec: {} } } } as never)).toThrow();
    expect(() => validateK8s({ apiVersion: 'v1', kind: 'Pod' })).toThrow(/no kubernetes-models class/);
  });
});

// ---------------------------------------------------------------------------------------------
// Runtime of the node stub
// ---------------------------------------------------------------------------------------------

describe('the node app stub runs', () => {
  it('serves /health on the port it is given', async () => {
    const p = generate('web', ['--app-kind', 'node'], 'runtime-node');
    const port = await freePort();
    const child = spawn(process.execPath, ['src/server.js'], { cwd: p.app, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'pipe' });
    try {
      let res: Response | undefined;
      for (let i = 0; i < 50 && !res; i++) {
        res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        if (!res) await new Promise((r) => setTimeout(r, 100));
      }
      expect(res?.status).toBe(200);
      expect(await res!.json()).toEqual({ status: 'ok', service: 'web' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Snapshot
// ---------------------------------------------------------------------------------------------

/** No secret is ever generated by this preset; should one appear, the snapshot shows its place only. */
function mask(text: string): string {
  return text.replace(/\b[A-Za-z0-9_-]{43}\b/g, '<32 random bytes>');
}

describe('snapshot', () => {
  it('demo (fastapi, 4GB): both trees, file by file', async () => {
    const p = generate('demo', [], 'snapshot');
    for (const [label, dir] of [['demo', p.app], ['demo-support', p.support]] as const) {
      const files = listFiles(dir);
      const modes = files.map((f) => `${(statSync(join(dir, f)).mode & 0o777).toString(8)} ${f}`);
      await expect(modes.join('\n') + '\n').toMatchFileSnapshot(`__snapshots__/app-support/${label}.files.snap`);
      for (const f of files) {
        // The record is the gzip of the files snapshotted here: its list of paths is what it adds.
        const text = f === '.create-stack/base.json.gz' ? Object.keys(JSON.parse(gunzipSync(readFileSync(join(dir, f))).toString()).files).join('\n') + '\n' : mask(read(dir, f));
        await expect(text).toMatchFileSnapshot(`__snapshots__/app-support/${label}/${f}.snap`);
      }
    }
  });

  it('node and worker: the file lists', async () => {
    for (const kind of ['node', 'worker']) {
      const p = generate('demo', ['--app-kind', kind], `snapshot-${kind}`);
      const list = [...listFiles(p.app).map((f) => `demo/${f}`), ...listFiles(p.support).map((f) => `demo-support/${f}`)];
      await expect(list.join('\n') + '\n').toMatchFileSnapshot(`__snapshots__/app-support/${kind}.files.snap`);
    }
  });

  it('is deterministic: the same command twice gives the same bytes (nothing random, no secret)', () => {
    const a = generate('same', [], 'determinism-a');
    const b = generate('same', [], 'determinism-b');
    for (const [x, y] of [[a.app, b.app], [a.support, b.support]] as const) {
      expect(listFiles(y)).toEqual(listFiles(x));
      for (const f of listFiles(x)) expect(read(y, f), f).toBe(read(x, f));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Bad input: exit 2, a named rule, nothing written, neither repo created
// ---------------------------------------------------------------------------------------------

describe('bad input', () => {
  const CASES: Array<{ args: string[]; rule: string }> = [
    { args: ['Bad'], rule: 'name-format' },
    { args: ['a/b'], rule: 'name-format' },
    { args: ['..'], rule: 'name-format' },
    { args: ['has space'], rule: 'name-format' },
    { args: ['-lead'], rule: '' },
    { args: ['trail-'], rule: 'name-format' },
    { args: ['9lives'], rule: 'name-format' },
    { args: ['semi;colon'], rule: 'name-format' },
    { args: ['x'.repeat(56)], rule: 'name-format' }, // x…x-support would be 64 characters
    { args: ['ok', '--app-kind', 'postgres'], rule: 'app-kind-unknown' },
    { args: ['ok', '--app-kind', 'django'], rule: 'app-kind-unknown' },
    { args: ['ok', '--db-memory', '12XB'], rule: 'db-memory-format' },
    { args: ['ok', '--db-memory', '128MB'], rule: 'db-memory-format' },
    { args: ['ok', '--service', 'api:fastapi'], rule: 'services-fixed' },
  ];
  for (const { args, rule } of CASES) {
    it(`${JSON.stringify(args)} → exit 2${rule ? ` [${rule}]` : ''}`, () => {
      const cwd = tempDir('cs-as-bad-');
      try {
        const r = runCli(['new', ...args, '--preset', 'app-support', '--yes'], { cwd });
        expect(r.code).toBe(2);
        if (rule) expect(r.stderr).toContain(`[${rule}]`);
        expect(readdirSync(cwd)).toEqual([]);
      } finally {
        removeDir(cwd);
      }
    });
  }

  it('the longest name that fits (55 characters) is accepted', () => {
    const cwd = tempDir('cs-as-long-');
    try {
      const name = 'x'.repeat(55);
      const r = runCli(['new', name, '--preset', 'app-support', '--yes', '--no-git'], { cwd });
      expect(r.code).toBe(0);
      expect(readdirSync(cwd).sort()).toEqual([name, `${name}-support`]);
    } finally {
      removeDir(cwd);
    }
  });

  for (const which of ['support', 'app'] as const) {
    it(`an existing non-empty ${which === 'support' ? '<name>-support' : '<name>'} → exit 2, the other repo is not created, the existing one untouched`, () => {
      const cwd = tempDir('cs-as-exists-');
      try {
        const existing = which === 'support' ? 'shop-support' : 'shop';
        mkdirSync(join(cwd, existing));
        writeFileSync(join(cwd, existing, 'keep.txt'), 'mine\n');
        const r = runCli(['new', 'shop', '--preset', 'app-support', '--yes'], { cwd });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('[target-not-empty]');
        expect(r.stderr).toContain(existing);
        expect(readdirSync(cwd)).toEqual([existing]);
        expect(readdirSync(join(cwd, existing))).toEqual(['keep.txt']);
        expect(read(cwd, existing, 'keep.txt')).toBe('mine\n');
      } finally {
        removeDir(cwd);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// git, dry run, atomicity, --force, --answers
// ---------------------------------------------------------------------------------------------

describe('writing', () => {
  const git = (cwd: string, args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' });

  it('git init + a first commit in each repo by default; none with --no-git', () => {
    const hasGit = requireTool('git', () => spawnSync('git', ['--version'], { stdio: 'ignore' }).error === undefined);
    const cwd = tempDir('cs-as-git-');
    try {
      if (hasGit) expect(git(cwd, ['rev-parse', '--is-inside-work-tree']).status, 'the temp dir must be outside any git work tree').not.toBe(0);
      const r = runCli(['new', 'shop', '--preset', 'app-support', '--yes'], { cwd });
      expect(r.code).toBe(0);
      if (hasGit) {
        expect(r.stdout).toContain('git: shop: initialised, first commit made');
        expect(r.stdout).toContain('git: shop-support: initialised, first commit made');
        for (const repo of ['shop', 'shop-support']) {
          const dir = join(cwd, repo);
          expect(existsSync(join(dir, '.git')), repo).toBe(true);
          expect(git(dir, ['rev-list', '--count', 'HEAD']).stdout.trim(), repo).toBe('1');
          expect(git(dir, ['status', '--porcelain']).stdout, repo).toBe('');
        }
        // The app's dummy .env is committed (seed 000); the support repo holds no .env at all.
        expect(git(join(cwd, 'shop'), ['ls-files', '.env']).stdout.trim()).toBe('.env');
        expect(git(join(cwd, 'shop-support'), ['check-ignore', '-q', '.env']).status).toBe(0);
        expect(git(join(cwd, 'shop-support'), ['check-ignore', '-q', 'backups/shop_20250101T000000Z.sql.gz']).status).toBe(0);
      }

      const r2 = runCli(['new', 'other', '--preset', 'app-support', '--yes', '--no-git'], { cwd });
      expect(r2.code).toBe(0);
      expect(existsSync(join(cwd, 'other', '.git'))).toBe(false);
      expect(existsSync(join(cwd, 'other-support', '.git'))).toBe(false);
    } finally {
      removeDir(cwd);
    }
  });

  it('--dry-run lists both repos and writes nothing; --dest picks the parent', () => {
    const cwd = tempDir('cs-as-dry-');
    try {
      const r = runCli(['new', 'shop', '--preset', 'app-support', '--yes', '--dry-run'], { cwd });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^shop\/ would be created/m);
      expect(r.stdout).toMatch(/^shop-support\/ would be created/m);
      expect(r.stdout).toMatch(/scripts\/backup\.sh .*\(executable\)/);
      expect(readdirSync(cwd)).toEqual([]);

      mkdirSync(join(cwd, 'parent'));
      const j = runCli(['new', 'shop', '--preset', 'app-support', '--yes', '--no-git', '--dest', 'parent', '--json'], { cwd });
      expect(j.code).toBe(0);
      const summary = JSON.parse(j.stdout) as { targets: Array<{ dir: string }> };
      expect(summary.targets.map((t) => t.dir)).toEqual([join(cwd, 'parent', 'shop'), join(cwd, 'parent', 'shop-support')]);
      expect(readdirSync(join(cwd, 'parent')).sort()).toEqual(['shop', 'shop-support']);
    } finally {
      removeDir(cwd);
    }
  });

  for (const fault of ['45', 'commit']) {
    it(`a failure mid-apply (CREATE_STACK_FAULT_AFTER=${fault}) leaves neither repo`, () => {
      const cwd = tempDir('cs-as-fault-');
      try {
        const r = runCli(['new', 'shop', '--preset', 'app-support', '--yes', '--no-git'], { cwd, env: { CREATE_STACK_FAULT_AFTER: fault } });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('injected fault');
        expect(readdirSync(cwd)).toEqual([]);
      } finally {
        removeDir(cwd);
      }
    });
  }

  it('--force on the same command changes nothing; --answers reproduces the pair under another name', () => {
    const cwd = tempDir('cs-as-again-');
    try {
      expect(runCli(['new', 'shop', '--preset', 'app-support', '--app-kind', 'worker', '--db-memory', '8GB', '--yes', '--no-git'], { cwd }).code).toBe(0);
      const again = runCli(['new', 'shop', '--preset', 'app-support', '--app-kind', 'worker', '--db-memory', '8GB', '--yes', '--no-git', '--force'], { cwd });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/Updated shop\/ \(0 new, 0 changed, \d+ unchanged, \d+ kept\)/);
      expect(again.stdout).toMatch(/Updated shop-support\/ \(0 new, 0 changed, \d+ unchanged, \d+ kept\)/);

      for (const answers of ['shop/.create-stack.yaml', 'shop-support/.create-stack.yaml']) {
        const other = answers.startsWith('shop-support') ? 'copy2' : 'copy1';
        const r = runCli(['new', other, '--answers', answers, '--yes', '--no-git'], { cwd });
        expect(r.code, r.stderr).toBe(0);
        for (const [a, b] of [['shop', other], ['shop-support', `${other}-support`]] as const) {
          expect(listFiles(join(cwd, b))).toEqual(listFiles(join(cwd, a)));
          for (const f of listFiles(join(cwd, a))) {
            if (f === '.create-stack/base.json.gz') continue; // gzip of the files compared here
            const rename = (t: string) => t.replaceAll('shop', other);
            expect(read(cwd, b, f), f).toBe(rename(read(cwd, a, f)));
          }
        }
      }
    } finally {
      removeDir(cwd);
    }
  });
});
