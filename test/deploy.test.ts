/**
 * The deploy layer (issue 5, seed 003): `create-stack new … --with deploy` through the real CLI,
 * for one service, a mix of app services + PostgreSQL + Redis, a worker + MongoDB stack, and the
 * app-support preset (that case runs only once `create-stack new x --preset app-support --with
 * deploy --yes` exits 0; until then it is reported as skipped).
 * Proves the files, the verbatim `${{ }}` / `{{ }}` braces, that no secret is committed, the
 * workflows (actionlint, shellcheck of every run: block), the scripts (shellcheck), the Makefile
 * (`make -n` for every target, the semver guard), the Dockerfiles (dockerfile-utils, pinned bases,
 * COPY sources that exist), YAML (yamllint), monitoring and docs.
 * Kubernetes manifests and the Helm chart: deploy-k8s.test.ts. Scripts against a fake cluster:
 * deploy-scripts.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { actionlintProblems, workflowRunScripts } from './helpers/actionlint.js';
import { removeDir, runCli } from './helpers/cli.js';
import { dockerfileLintProblems, listFiles, requireTool, shellcheckErrors, yamllintErrors } from './helpers/validators.js';

/** Stacks of the bd-build-data preset: the deploy layer goes into the stack itself. */
const STACKS: Record<string, string[]> = {
  one: ['--service', 'api:fastapi'],
  shop: ['--service', 'api:fastapi', '--service', 'web:node', '--service', 'jobs:worker', '--service', 'site:nginx', '--service', 'db:postgres', '--service', 'cache:redis'],
  feed: ['--service', 'feed-sync:worker', '--service', 'store:mongodb'],
};

/** The Makefile targets the issue (and the seed) require. */
const REQUIRED_TARGETS = [
  'help', 'dev', 'test', 'lint', 'build', 'ci-test', 'ci-build', 'ci-push', 'ci-deploy', 'deploy-staging',
  'deploy-production', 'rollback', 'logs', 'metrics', 'health-check', 'diagnose', 'support-bundle',
];

let tmp: string;
/** Repo dir of each stack, keyed by stack name; app-support's support repo under "support" when it exists. */
const repos: Record<string, string> = {};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'create-stack-deploy-'));
  for (const [name, args] of Object.entries(STACKS)) {
    const r = runCli(['new', name, ...args, '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
    if (r.code !== 0) throw new Error(`create-stack new ${name} failed (${r.code}):\n${r.stderr}`);
    repos[name] = join(tmp, name);
  }
  const r = runCli(['new', 'x', '--preset', 'app-support', '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
  if (r.code !== 0) throw new Error(`create-stack new x --preset app-support --with deploy failed (${r.code}):\n${r.stderr}`);
  repos.support = join(tmp, 'x-support');
});

afterAll(() => removeDir(tmp));

/** The stacks to prove, the app-support one's support repo included. */
function cases(): Array<[string, string]> {
  return Object.entries(repos);
}

function read(repo: string, path: string): string {
  return readFileSync(join(repo, path), 'utf8');
}

/** Files the deploy layer writes (what is under its own folders, plus the Makefile). */
function layerFiles(repo: string): string[] {
  return listFiles(repo).filter((f) =>
    /^(deploy\/|\.github\/workflows\/|\.pre-commit-config\.yaml$|migrations\/|monitoring\/|docs\/(DEPLOYMENT|TROUBLESHOOTING|RUNBOOK|ARCHITECTURE|SECURITY)\.md$|Makefile$)/.test(f),
  );
}

function makefileTargets(repo: string): string[] {
  return [...read(repo, 'Makefile').matchAll(/^([a-zA-Z0-9_-]+):(?!=)/gm)].map((m) => m[1]!);
}

describe('files', () => {
  it('writes every part of the layer (shop: app services + postgres + redis)', () => {
    const files = layerFiles(repos.shop!);
    const expected = [
      '.github/workflows/ci.yml', '.github/workflows/build.yml', '.github/workflows/deploy.yml',
      'deploy/docker/Dockerfile', 'deploy/docker/Dockerfile.dev', 'deploy/docker/entrypoint.sh',
      'deploy/kubernetes/base/kustomization.yaml', 'deploy/kubernetes/base/config.env',
      'deploy/kubernetes/base/api-deployment.yaml', 'deploy/kubernetes/base/api-service.yaml',
      'deploy/kubernetes/base/db-statefulset.yaml', 'deploy/kubernetes/base/db-service.yaml',
      'deploy/kubernetes/base/cache-statefulset.yaml', 'deploy/kubernetes/base/jobs-deployment.yaml',
      ...['development', 'staging', 'production'].flatMap((e) => [
        `deploy/kubernetes/overlays/${e}/kustomization.yaml`,
        `deploy/kubernetes/overlays/${e}/namespace.yaml`,
        `deploy/kubernetes/overlays/${e}/secrets.env.example`,
      ]),
      'deploy/kubernetes/overlays/production/api-blue.yaml', 'deploy/kubernetes/overlays/production/api-green.yaml',
      'deploy/helm/shop/Chart.yaml', 'deploy/helm/shop/values.yaml', 'deploy/helm/shop/values.prod.yaml',
      ...['_helpers.tpl', 'deployment.yaml', 'service.yaml', 'serviceaccount.yaml', 'configmap.yaml', 'hpa.yaml', 'pdb.yaml', 'ingress.yaml', 'NOTES.txt', 'tests/test-connection.yaml'].map(
        (t) => `deploy/helm/shop/templates/${t}`,
      ),
      'deploy/scripts/migrate.sh', 'deploy/scripts/health-check.sh', 'deploy/scripts/rollback.sh',
      'migrations/001_initial_schema.up.sql', 'migrations/001_initial_schema.down.sql', 'migrations/README.md',
      'monitoring/prometheus/rules.yml', 'monitoring/grafana/dashboards/shop.json', 'monitoring/alerts/alertmanager.yml',
      'docs/DEPLOYMENT.md', 'docs/TROUBLESHOOTING.md', 'docs/RUNBOOK.md', 'docs/ARCHITECTURE.md', 'docs/SECURITY.md', 'Makefile',
    ];
    expect(expected.filter((f) => !files.includes(f))).toEqual([]);
  });

  it('lists the same files as last time (snapshot per stack)', () => {
    for (const name of Object.keys(STACKS)) expect(layerFiles(repos[name]!)).toMatchSnapshot(name);
  });

  it('migrations only where an app uses PostgreSQL', () => {
    expect(existsSync(join(repos.shop!, 'migrations/001_initial_schema.up.sql'))).toBe(true);
    expect(read(repos.shop!, 'deploy/docker/Dockerfile')).toMatch(/^FROM migrate\/migrate:v\d+\.\d+\.\d+ AS migrations$/m);
    for (const name of ['one', 'feed']) {
      expect(existsSync(join(repos[name]!, 'migrations')), name).toBe(false);
      expect(existsSync(join(repos[name]!, 'deploy/scripts/migrate.sh')), name).toBe(false);
      expect(read(repos[name]!, 'deploy/docker/Dockerfile'), name).not.toMatch(/AS migrations/);
    }
  });

  it('scripts are executable, other files are not', () => {
    for (const [name, repo] of cases()) {
      for (const f of layerFiles(repo)) {
        const mode = statSync(join(repo, f)).mode & 0o777;
        expect(mode, `${name}: ${f}`).toBe(f.endsWith('.sh') ? 0o755 : 0o644);
      }
    }
  });

  it('the app-support preset takes the layer in its support repo', () => {
    expect(existsSync(join(repos.support!, 'deploy/kubernetes/base/kustomization.yaml'))).toBe(true);
    expect(existsSync(join(tmp, 'x', 'deploy'))).toBe(false);
  });
});

describe('the layer only adds', () => {
  it('a stack generated with and without --with deploy has the same preset files (but .create-stack.yaml with:, .env secrets, a README section, the compose migrate service)', () => {
    const other = mkdtempSync(join(tmp, 'plain-'));
    const r = runCli(['new', 'shop', ...STACKS.shop!, '--yes', '--no-git'], { cwd: other });
    expect(r.code, r.stderr).toBe(0);
    const plain = join(other, 'shop');
    const layered = repos.shop!;
    const plainFiles = listFiles(plain);
    const layeredFiles = listFiles(layered);
    expect(plainFiles.filter((f) => !layeredFiles.includes(f))).toEqual([]);
    expect(layeredFiles.filter((f) => !plainFiles.includes(f))).toEqual(layerFiles(layered));
    const norm = (text: string) => text;
    for (const f of plainFiles) {
      if (f === '.create-stack/base.json.gz') continue; // gzip of the files compared here
      if (f === '.env') {
        const keys = (t: string) => t.split('\n').map((l) => l.split('=')[0]);
        expect(keys(read(layered, f))).toEqual(keys(norm(read(plain, f))));
        continue;
      }
      const a = norm(read(plain, f));
      const b = read(layered, f);
      if (f === '.create-stack.yaml') {
        expect(parseYaml(b)).toEqual({ ...parseYaml(a), with: ['deploy'] });
        continue;
      }
      if (f === 'docker-compose.yml') {
        // The other: Compose applies migrations/ with a one-shot migrate service the apps of db wait for.
        // Without it (its block, and each `migrate:` condition), the file is the plain one to the letter.
        const without = b
          .replace(/\n {2}# migrations\/ \(golang-migrate\)[\s\S]*?\n {4}logging: \*default-logging\n(?=\nnetworks:)/, '')
          .replace(/\n {6}migrate:\n {8}condition: service_completed_successfully/g, '');
        expect(without).not.toBe(b);
        expect(without).toBe(a);
        expect(parseYaml(b).services.migrate.depends_on).toEqual({ db: { condition: 'service_healthy' } });
        continue;
      }
      if (f === 'README.md') {
        // The one preset file that mentions the layer: the same README plus a section pointing to its docs.
        expect(b.replace(/## Deploy to Kubernetes\n[\s\S]*?\n\n(?=`\.create-stack\.yaml`)/, '')).toBe(a);
        expect(b).toContain('docs/DEPLOYMENT.md');
        continue;
      }
      expect(b, f).toBe(a);
    }
  });
});

describe('braces', () => {
  it('no escaped \\{{ survives, and GitHub and Helm expressions come out verbatim', () => {
    for (const [name, repo] of cases()) {
      for (const f of layerFiles(repo)) expect(read(repo, f), `${name}: ${f}`).not.toContain('\\{{');
      const chart = listFiles(join(repo, 'deploy/helm')).filter((f) => f.includes('/templates/'));
      const helm = chart.map((f) => read(join(repo, 'deploy/helm'), f)).join('\n');
      expect((helm.match(/\{\{-? [^}]*\.Values\./g) ?? []).length, name).toBeGreaterThan(40);
      expect((helm.match(/\{\{ \.Values\./g) ?? []).length, name).toBeGreaterThan(5);
      expect((helm.match(/\{\{- include "[a-z0-9-]+\.labels"/g) ?? []).length, name).toBeGreaterThan(5);
      const build = read(repo, '.github/workflows/build.yml');
      expect(build).toContain('password: ${{ secrets.GITHUB_TOKEN }}');
      expect(build).toContain('type=semver,pattern={{version}}');
      expect(build).toContain('type=semver,pattern={{major}}.{{minor}}');
      expect(read(repo, '.github/workflows/deploy.yml')).toContain('KUBE_CONFIG: ${{ secrets.KUBE_CONFIG }}');
      expect(read(repo, 'monitoring/prometheus/rules.yml')).toContain('{{ $labels.namespace }}');
      const dashboards = listFiles(join(repo, 'monitoring/grafana/dashboards'));
      expect(read(join(repo, 'monitoring/grafana/dashboards'), dashboards[0]!)).toContain('"legendFormat": "{{pod}}"');
    }
  });
});

describe('secrets', () => {
  it('no secrets.env is written; the examples hold names only', () => {
    for (const [name, repo] of cases()) {
      const files = layerFiles(repo);
      expect(files.filter((f) => f.endsWith('/secrets.env')), name).toEqual([]);
      for (const f of files.filter((x) => x.endsWith('secrets.env.example'))) {
        for (const line of read(repo, f).split('\n')) {
          if (line.startsWith('#') || line.trim() === '') continue;
          expect(line, `${name}: ${f}`).toMatch(/^[A-Z][A-Z0-9_]*=$/);
        }
      }
    }
  });

  it('shop: the Secret keys are the stack secrets, and none of the generated .env values leaks into the layer', () => {
    const repo = repos.shop!;
    const example = read(repo, 'deploy/kubernetes/overlays/production/secrets.env.example');
    expect(example.match(/^[A-Z_]+(?==)/gm)).toEqual(['DB_PASSWORD', 'CACHE_PASSWORD']);
    const values = read(repo, '.env').split('\n').map((l) => l.split('=')[1] ?? '').filter((v) => v.length >= 32);
    expect(values.length).toBeGreaterThan(0);
    for (const f of layerFiles(repo)) for (const v of values) expect(read(repo, f), f).not.toContain(v);
  });

  it('git ignores every secrets.env and the release dirs, and tracks the examples', () => {
    if (!requireTool('git', () => spawnSync('git', ['--version']).error === undefined)) return;
    const repo = repos.shop!;
    const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    expect(git('init', '-q').status).toBe(0);
    const ignored = ['deploy/kubernetes/overlays/staging/secrets.env', 'deploy/kubernetes/overlays/production/secrets.env', 'deploy/kubernetes/.release/production/kustomization.yaml'];
    for (const p of ignored) expect(git('check-ignore', '-q', p).status, p).toBe(0);
    for (const p of ['deploy/kubernetes/overlays/staging/secrets.env.example', 'deploy/kubernetes/base/config.env']) expect(git('check-ignore', '-q', p).status, p).toBe(1);
    removeDir(join(repo, '.git'));
  });
});

describe('GitHub Actions', () => {
  it('actionlint accepts every workflow', async () => {
    for (const [name, repo] of cases()) {
      for (const f of listFiles(join(repo, '.github/workflows'))) {
        expect(await actionlintProblems(join(repo, '.github/workflows', f)), `${name}: ${f}`).toEqual([]);
      }
    }
  });

  it('shellcheck accepts every run: block', () => {
    const dir = mkdtempSync(join(tmp, 'runs-'));
    const files: string[] = [];
    for (const [name, repo] of cases()) {
      for (const f of listFiles(join(repo, '.github/workflows'))) {
        for (const [i, run] of workflowRunScripts(join(repo, '.github/workflows', f)).entries()) {
          expect(run.shell).toBe('bash');
          const file = join(dir, `${name}-${f}-${i}.sh`);
          writeFileSync(file, `#!/usr/bin/env bash\n# ${run.job} / ${run.step}\n${run.script}\n`);
          files.push(file);
        }
      }
    }
    expect(files.length).toBeGreaterThan(10);
    const r = shellcheckErrors(files);
    expect(r.ok, r.output).toBe(true);
  });

  it('ci on pull requests; deploy: staging on main, production on vX.Y.Z tags, after build', () => {
    for (const [name, repo] of cases()) {
      const ci = parseYaml(read(repo, '.github/workflows/ci.yml'));
      expect(Object.keys(ci.on), name).toContain('pull_request');
      const build = parseYaml(read(repo, '.github/workflows/build.yml'));
      expect(Object.keys(build.on)).toEqual(['pull_request', 'workflow_call']);
      // Pull requests build in "image" (no login, no push); "push" runs only when deploy.yml asks.
      const actionsOf = (job: string) => build.jobs[job].steps.map((s: { uses?: string }) => (s.uses ?? '').replace(/@.*/, ''));
      for (const a of ['docker/setup-buildx-action', 'docker/login-action', 'docker/metadata-action', 'docker/build-push-action']) expect(actionsOf('push')).toContain(a);
      expect(actionsOf('image')).not.toContain('docker/login-action');
      expect(build.jobs.image.if).toBe('${{ !inputs.push }}');
      expect(build.jobs.push.if).toBe('${{ inputs.push }}');
      const buildStep = (job: string) => build.jobs[job].steps.find((s: { uses?: string }) => s.uses?.startsWith('docker/build-push-action@')).with;
      expect(buildStep('image').push).toBe(false);
      expect(buildStep('push').push).toBe(true);
      expect(buildStep('push')['cache-from']).toMatch(/^type=gha/);
      const deploy = parseYaml(read(repo, '.github/workflows/deploy.yml'));
      expect(deploy.on.push).toEqual({ branches: ['main'], tags: ['v[0-9]+.[0-9]+.[0-9]+'] });
      expect(deploy.jobs.build.uses).toBe('./.github/workflows/build.yml');
      expect(deploy.jobs.staging).toMatchObject({ needs: 'build', if: "github.ref == 'refs/heads/main'", environment: { name: 'staging' } });
      expect(deploy.jobs.production).toMatchObject({ needs: 'build', if: "startsWith(github.ref, 'refs/tags/v')", environment: { name: 'production' } });
      const runs = (job: string) => deploy.jobs[job].steps.map((s: { run?: string }) => s.run ?? '').join('\n');
      expect(runs('staging')).toMatch(/make ci-deploy ENV=staging TAG="sha-\$\{GITHUB_SHA::7\}"/);
      expect(runs('production')).toMatch(/make deploy-production TAG="\$GITHUB_REF_NAME"/);
      // build.yml: the owner is lower-cased, the matrix names one image per app service (+ migrations)
      expect(build.jobs.push.strategy).toEqual(build.jobs.image.strategy);
      const matrix = build.jobs.image.strategy.matrix.include.map((m: { target: string }) => m.target);
      const dockerfile = read(repo, 'deploy/docker/Dockerfile');
      for (const target of matrix) expect(dockerfile, `${name}: target ${target}`).toMatch(new RegExp(` AS ${target}$`, 'm'));
    }
  });
});

describe('scripts', () => {
  it('shellcheck accepts every script', () => {
    for (const [name, repo] of cases()) {
      const files = layerFiles(repo).filter((f) => f.endsWith('.sh')).map((f) => join(repo, f));
      expect(files.length).toBeGreaterThanOrEqual(5);
      const r = shellcheckErrors(files);
      expect(r.ok, `${name}:\n${r.output}`).toBe(true);
    }
  });
});

describe('Makefile', () => {
  function make(repo: string, args: string[], env: Record<string, string> = {}) {
    return spawnSync('make', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, KUBECTL: 'false', HELM: 'false', DOCKER: 'false', ...env } });
  }

  it('has every target of the seed, `help` by default, and `make -n` succeeds for every target', () => {
    if (!requireTool('make', () => spawnSync('make', ['--version']).error === undefined)) return;
    for (const [name, repo] of cases()) {
      const targets = makefileTargets(repo);
      expect(REQUIRED_TARGETS.filter((t) => !targets.includes(t)), name).toEqual([]);
      const help = make(repo, []);
      expect(help.status, help.stderr).toBe(0);
      for (const t of REQUIRED_TARGETS) expect(help.stdout, `${name}: help lists ${t}`).toMatch(new RegExp(`^  ${t} `, 'm'));
      for (const t of targets) {
        const r = make(repo, ['-n', t, 'POD=x', 'TAG=v1.2.3']);
        expect(r.status, `${name}: make -n ${t}\n${r.stderr}`).toBe(0);
      }
    }
  });

  it('deploy-production refuses a tag that is not vX.Y.Z before touching the cluster', () => {
    if (!requireTool('make', () => spawnSync('make', ['--version']).error === undefined)) return;
    const repo = repos.shop!;
    for (const tag of ['latest', 'main', 'sha-1a2b3c4', '1.2.3', 'v1.2', 'v1.2.3-rc1', '']) {
      const r = make(repo, ['deploy-production', `TAG=${tag}`]);
      expect(r.status, tag).not.toBe(0);
      expect(r.stderr, tag).toContain('deploy-production: TAG must be a release tag like v1.2.3');
      expect(r.stdout + r.stderr).not.toMatch(/deploy\.sh production/);
    }
    const ok = make(repo, ['-n', 'deploy-production', 'TAG=v1.2.3', 'REGISTRY=ghcr.io/acme']);
    expect(ok.stdout).toContain('deploy/scripts/deploy.sh production v1.2.3 ghcr.io/acme');
  });

  it('ENV=prod and ENV=dev are aliases; logs and diagnose use the namespace of ENV', () => {
    if (!requireTool('make', () => spawnSync('make', ['--version']).error === undefined)) return;
    const repo = repos.shop!;
    expect(make(repo, ['-n', 'rollback', 'ENV=prod']).stdout).toContain('deploy/scripts/rollback.sh production');
    expect(make(repo, ['-n', 'logs', 'ENV=dev', 'SVC=api']).stdout).toContain("-n shop-development logs -l 'app.kubernetes.io/part-of=shop,app.kubernetes.io/name=api'");
    expect(make(repo, ['-n', 'ci-build', 'TAG=sha-1234567', 'REGISTRY=ghcr.io/acme']).stdout).toContain('ghcr.io/acme/shop-$img:sha-1234567');
  });
});

describe('Dockerfiles', () => {
  function stages(text: string): Array<{ from: string; name: string }> {
    return [...text.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((m) => ({ from: m[1]!, name: m[2]! }));
  }

  it('dockerfile-utils finds no problem in Dockerfile and Dockerfile.dev', () => {
    for (const [name, repo] of cases()) {
      for (const f of ['deploy/docker/Dockerfile', 'deploy/docker/Dockerfile.dev']) {
        expect(dockerfileLintProblems(read(repo, f)), `${name}: ${f}`).toEqual([]);
      }
    }
  });

  it('every app service gets dependencies, build, test and production stages; bases are pinned', () => {
    const kinds: Record<string, string> = { api: 'fastapi', web: 'node', jobs: 'worker', site: 'nginx' };
    const text = read(repos.shop!, 'deploy/docker/Dockerfile');
    const names = stages(text).map((s) => s.name);
    for (const [svc, kind] of Object.entries(kinds)) {
      const want = kind === 'nginx' ? ['build', 'test', 'production'] : ['dependencies', 'build', 'test', 'production'];
      for (const s of want) expect(names, `${svc}-${s}`).toContain(`${svc}-${s}`);
    }
    for (const [name, repo] of cases()) {
      for (const f of ['deploy/docker/Dockerfile', 'deploy/docker/Dockerfile.dev']) {
        const all = stages(read(repo, f));
        const local = new Set(all.map((s) => s.name));
        for (const s of all) {
          if (local.has(s.from)) continue;
          expect(s.from, `${name}: ${f}: ${s.name}`).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/);
          expect(s.from).not.toMatch(/:latest$/);
        }
      }
    }
  });

  it('production stages run as a non-root numeric user, with a HEALTHCHECK', () => {
    for (const [name, repo] of cases()) {
      const text = read(repo, 'deploy/docker/Dockerfile');
      const blocks = text.split(/^(?=FROM )/m).filter((b) => /^FROM \S+ AS \S+-production$/m.test(b));
      expect(blocks.length, name).toBeGreaterThan(0);
      for (const b of blocks) {
        const user = /^USER (\d+):(\d+)$/m.exec(b);
        expect(user, `${name}: ${b.split('\n')[0]}`).not.toBeNull();
        expect(Number(user![1])).toBeGreaterThan(0);
        expect(b).toMatch(/^HEALTHCHECK --interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ \\\n {2}CMD \S/m);
      }
    }
  });

  it('every COPY source exists in the build context (the repo, or the parent dir for app-support)', () => {
    for (const [name, repo] of cases()) {
      const context = name === 'support' ? dirname(repo) : repo;
      for (const f of ['deploy/docker/Dockerfile', 'deploy/docker/Dockerfile.dev']) {
        for (const line of read(repo, f).split('\n')) {
          if (!line.startsWith('COPY ') || line.includes('--from=')) continue;
          const args = line.slice(5).split(/\s+/).filter((a) => a && !a.startsWith('--'));
          for (const src of args.slice(0, -1)) {
            const dir = join(context, dirname(src));
            const base = src.endsWith('/') ? '' : src.slice(src.lastIndexOf('/') + 1);
            if (base === '') {
              expect(existsSync(join(context, src)), `${name}: ${f}: ${line}`).toBe(true);
              continue;
            }
            const re = new RegExp(`^${base.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
            expect(existsSync(dir) && readdirSync(dir).some((e) => re.test(e)), `${name}: ${f}: ${line}`).toBe(true);
          }
        }
      }
    }
  });

  it('the .dockerignore of each Dockerfile lets every COPY source through', () => {
    for (const [name, repo] of cases()) {
      for (const f of ['Dockerfile', 'Dockerfile.dev']) {
        const ignore = read(repo, `deploy/docker/${f}.dockerignore`);
        expect(ignore.split('\n').find((l) => !l.startsWith('#')), name).toBe('*');
        const allowed = ignore.split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1));
        for (const line of read(repo, `deploy/docker/${f}`).split('\n')) {
          if (!line.startsWith('COPY ') || line.includes('--from=')) continue;
          const srcs = line.slice(5).split(/\s+/).filter((a) => a && !a.startsWith('--')).slice(0, -1);
          for (const src of srcs) expect(allowed.some((a) => src.startsWith(a)), `${name}: ${f}: ${src}`).toBe(true);
        }
      }
    }
  });
});

describe('YAML, monitoring, docs', () => {
  it('yamllint accepts every YAML file (Helm templates aside: they are Go templates)', () => {
    for (const [name, repo] of cases()) {
      const files = layerFiles(repo).filter((f) => /\.ya?ml$/.test(f) && !f.includes('/templates/')).map((f) => join(repo, f));
      const r = yamllintErrors(files);
      expect(r.ok, `${name}:\n${r.output}`).toBe(true);
    }
  });

  it('Prometheus rules: every rule is an alert with severity, summary and a runbook section that exists, or a record', () => {
    for (const [name, repo] of cases()) {
      const rules = parseYaml(read(repo, 'monitoring/prometheus/rules.yml'));
      const runbook = read(repo, 'docs/RUNBOOK.md');
      const all = rules.groups.flatMap((g: { name: string; rules: unknown[] }) => {
        expect(g.name).toMatch(/^[a-z0-9-]+\.[a-z]+$/);
        return g.rules;
      });
      expect(all.length, name).toBeGreaterThan(4);
      const alertNames = new Set<string>();
      for (const r of all) {
        expect(typeof r.expr, JSON.stringify(r)).toBe('string');
        if (r.record) continue;
        expect(r.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
        expect(alertNames.has(r.alert), `duplicate alert ${r.alert}`).toBe(false);
        alertNames.add(r.alert);
        expect(['critical', 'warning']).toContain(r.labels.severity);
        expect(r.annotations.summary).toBeTruthy();
        const anchor = /#([a-z-]+)$/.exec(r.annotations.runbook)?.[1];
        expect(runbook, `${name}: ${r.alert} → ${r.annotations.runbook}`).toContain(`<a id="${anchor}"></a>`);
      }
    }
  });

  it('Grafana dashboard and Alertmanager config are well formed', () => {
    for (const [name, repo] of cases()) {
      const dir = join(repo, 'monitoring/grafana/dashboards');
      const [file] = listFiles(dir);
      const dash = JSON.parse(readFileSync(join(dir, file!), 'utf8'));
      const ids = dash.panels.map((p: { id: number }) => p.id);
      expect(new Set(ids).size, name).toBe(ids.length);
      expect(dash.uid.length).toBeLessThanOrEqual(40);
      for (const p of dash.panels.filter((x: { type: string }) => x.type !== 'row')) expect(p.targets[0].expr).toMatch(/\$environment/);
      const am = parseYaml(read(repo, 'monitoring/alerts/alertmanager.yml'));
      const receivers = new Set(am.receivers.map((r: { name: string }) => r.name));
      for (const r of [am.route, ...am.route.routes]) expect(receivers.has(r.receiver)).toBe(true);
      expect(read(repo, 'monitoring/alerts/alertmanager.yml')).not.toMatch(/routing_key:|url: http/);
    }
  });

  it('every `make <target>` the docs mention exists in the Makefile', () => {
    for (const [name, repo] of cases()) {
      const targets = makefileTargets(repo);
      for (const doc of ['docs/DEPLOYMENT.md', 'docs/TROUBLESHOOTING.md', 'docs/RUNBOOK.md', 'docs/ARCHITECTURE.md', 'docs/SECURITY.md', 'migrations/README.md']) {
        if (!existsSync(join(repo, doc))) continue;
        for (const m of read(repo, doc).matchAll(/`make ([a-z0-9-]+)|^make ([a-z0-9-]+)/gm)) {
          const t = m[1] ?? m[2]!;
          expect(targets, `${name}: ${doc} mentions make ${t}`).toContain(t);
        }
      }
    }
  });

  it('ARCHITECTURE.md and SECURITY.md (seed 003) name only files the layer wrote', () => {
    for (const [name, repo] of cases()) {
      for (const doc of ['docs/ARCHITECTURE.md', 'docs/SECURITY.md']) {
        const text = read(repo, doc);
        expect(text.length, `${name}: ${doc}`).toBeGreaterThan(500);
        const all = listFiles(repo);
        for (const m of text.matchAll(/`([A-Za-z0-9_.*{},/-]+\/[A-Za-z0-9_.*{},/-]*|[A-Za-z0-9_*-]+\.(?:yaml|yml|sh))`/g)) {
          // overlays/*/x.yaml, base/x.yaml and *-statefulset.yaml are patterns over deploy/kubernetes/.
          const pattern = new RegExp(`(^|/)${m[1]!.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+').replace(/\/$/, '/.*')}$`);
          expect(all.some((f) => pattern.test(f) || pattern.test(`${f}/`)), `${name}: ${doc} names ${m[1]}`).toBe(true);
        }
      }
    }
  });

  it('every deploy/scripts/*.sh the docs and Makefile mention exists', () => {
    for (const [name, repo] of cases()) {
      for (const doc of [...layerFiles(repo).filter((f) => f.endsWith('.md') || f === 'Makefile' || f.endsWith('.yml'))]) {
        for (const m of read(repo, doc).matchAll(/deploy\/scripts\/([a-z-]+\.sh)/g)) {
          expect(existsSync(join(repo, 'deploy/scripts', m[1]!)), `${name}: ${doc} mentions ${m[0]}`).toBe(true);
        }
      }
    }
  });
});

describe('bad input', () => {
  it('a stack without an app service is refused (exit 2, nothing written)', () => {
    const r = runCli(['new', 'dbonly', '--service', 'db:postgres', '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [deploy-needs-app]');
    expect(existsSync(join(tmp, 'dbonly'))).toBe(false);
  });

  it('a service whose image would be the migrations image is refused', () => {
    const r = runCli(['new', 'mig', '--service', 'migrations:fastapi', '--service', 'db:postgres', '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [service-reserved]');
    expect(r.stderr).toContain('mig-migrations');
  });
});
