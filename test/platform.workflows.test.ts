// The platform's seven workflows: actionlint, shellcheck on every run: block, least-privilege
// permissions, actions pinned to commit SHAs, concurrency groups, a gated deploy with a rollback.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { actionlintProblems, workflowRunScripts } from './helpers/actionlint.js';
import { nodeCheckErrors, shellcheckErrors } from './helpers/validators.js';

const SEVEN = ['build.yml', 'deploy.yml', 'docs.yml', 'e2e.yml', 'i18n.yml', 'security.yml', 'test.yml'];
/** The only write scopes a job may hold, and which workflow may hold them. */
const WRITES: Record<string, string[]> = {
  'build.yml': ['packages'],
  'deploy.yml': ['id-token'],
  'docs.yml': ['pages', 'id-token'],
  'security.yml': ['security-events'],
};

const work = tempDir('cs-platform-wf-');
afterAll(() => removeDir(work));

describe.each([
  ['seed', []],
  ['no web app', ['--service', 'orders:fastapi:9000', '--service', 'store:postgres']],
])('platform workflows (%s)', (label, args) => {
  const name = `wf-${label.replace(/\W+/g, '-')}`;
  const dir = join(work, name);
  const gen = runCli(['new', name, '--preset', 'platform', '--yes', '--no-git', ...args], { cwd: work });
  const wfDir = join(dir, '.github/workflows');
  const files = gen.code === 0 ? readdirSync(wfDir).sort() : [];
  const doc = (f: string) => parse(readFileSync(join(wfDir, f), 'utf8'));

  it('are the seven of the seed', () => {
    expect(gen.stderr).toBe('');
    expect(files).toEqual(SEVEN);
  });

  it('pass actionlint', async () => {
    for (const f of files) expect(await actionlintProblems(join(wfDir, f)), f).toEqual([]);
  });

  it('every run: block passes shellcheck', () => {
    const scripts = join(dir, 'run-scripts');
    mkdirSync(scripts, { recursive: true });
    const paths: string[] = [];
    for (const f of files) {
      for (const [i, s] of workflowRunScripts(join(wfDir, f)).entries()) {
        const p = join(scripts, `${f}-${s.job}-${i}.sh`);
        // GitHub runs bash with -e -o pipefail.
        writeFileSync(p, `#!/usr/bin/env bash\nset -eo pipefail\n${s.script}\n`);
        paths.push(p);
      }
    }
    expect(paths.length).toBeGreaterThan(10);
    const r = shellcheckErrors(paths);
    expect(r.ok, r.output).toBe(true);
  });

  it('hold least privilege: read-only by default, each write scope only in the job that needs it', () => {
    for (const f of files) {
      const wf = doc(f);
      expect(wf.permissions, `${f}: top-level permissions`).toBeDefined();
      const top = Object.values(wf.permissions ?? {});
      expect(top.every((v) => v === 'read'), `${f}: top-level permissions are read-only`).toBe(true);
      for (const [job, def] of Object.entries<any>(wf.jobs)) {
        const writes = Object.entries<string>(def.permissions ?? {}).filter(([, v]) => v === 'write').map(([k]) => k);
        for (const w of writes) expect(WRITES[f] ?? [], `${f}: job ${job} writes ${w}`).toContain(w);
      }
    }
  });

  it('pin every action to a full commit SHA, and group runs with concurrency', () => {
    for (const f of files) {
      const text = readFileSync(join(wfDir, f), 'utf8');
      const uses = [...text.matchAll(/uses: (\S+)(.*)/g)];
      for (const [, ref, rest] of uses) {
        expect(ref, `${f}: ${ref}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        expect(rest, `${f}: ${ref} names its release`).toMatch(/# v\d+\.\d+\.\d+/);
      }
      expect(doc(f).concurrency?.group, f).toBeTruthy();
    }
  });

  it('test runs every service beside PostgreSQL and Redis service containers', () => {
    const wf = doc('test.yml');
    const services = (parse(readFileSync(join(dir, '.create-stack.yaml'), 'utf8')).services as Array<{ name: string; kind: string }>).filter((s) => /django|fastapi/.test(s.kind));
    expect(Object.keys(wf.jobs).sort()).toEqual(services.map((s) => s.name).sort());
    for (const job of Object.values<any>(wf.jobs)) {
      expect(Object.keys(job.services).sort()).toEqual(['postgres', 'redis']);
    }
  });

  it('deploy waits for an approved environment, checks health, and rolls back on failure', () => {
    const wf = doc('deploy.yml');
    const job = wf.jobs.deploy;
    expect(job.environment.name).toBe('production');
    expect(wf.concurrency['cancel-in-progress']).toBe(false);
    const names = job.steps.map((s: any) => s.name ?? s.uses);
    expect(names.some((n: string) => /Health check/.test(n))).toBe(true);
    const rollback = job.steps.find((s: any) => /Roll back/.test(s.name ?? ''));
    expect(rollback.if).toContain('failure()');
    expect(rollback.run).toContain('update-service');
    // After build, on main only.
    expect(wf.on.workflow_run.workflows).toEqual(['build']);
  });

  it('e2e prepares the stack as a user would (secrets, data owners, certificate), waits for health, then runs Playwright', () => {
    const runs = doc('e2e.yml').jobs.e2e.steps.map((s: any) => s.run ?? '').join('\n');
    for (const step of ['data/scripts/setup.sh', 'data/scripts/data-owners.sh', 'data/scripts/dev-cert.sh', 'up -d --build --wait', 'npx playwright test']) expect(runs).toContain(step);
    expect(runs.indexOf('data-owners.sh')).toBeLessThan(runs.indexOf('up -d --build --wait'));
  });

  it('build pushes to GHCR from main only, with the layer cache', () => {
    const wf = doc('build.yml');
    const step = (job: string) => wf.jobs[job].steps.find((s: any) => String(s.uses).startsWith('docker/build-push-action'));
    // Pull requests build in "image" without pushing; "push" runs on a push, which is to main only.
    expect(wf.on.push).toEqual({ branches: ['main'] });
    expect(wf.jobs.image.if).toBe("github.event_name != 'push'");
    expect(wf.jobs.push.if).toBe("github.event_name == 'push'");
    expect(step('image').with.push).toBe(false);
    expect(step('push').with.push).toBe(true);
    expect(wf.jobs.image.permissions).toEqual({ contents: 'read' });
    expect(step('push').with['cache-to']).toContain('type=gha');
  });

  it('e2e installs with npm ci from a lockfile (version 3) that holds exactly package.json\'s dependencies, each pinned with its tarball and integrity', () => {
    expect(doc('e2e.yml').jobs.e2e.steps.map((s: any) => s.run ?? '').join('\n')).toMatch(/^npm ci /m);
    expect(readFileSync(join(wfDir, 'e2e.yml'), 'utf8')).not.toContain('npm install');
    const pkg = JSON.parse(readFileSync(join(dir, 'e2e/package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(dir, 'e2e/package-lock.json'), 'utf8'));
    expect(lock.lockfileVersion).toBe(3);
    expect(lock.name).toBe(pkg.name);
    const root = lock.packages[''];
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) expect(root[field], field).toEqual(pkg[field]);
    // Every locked package: an exact version, the registry tarball of that version, a sha512 integrity;
    // every dependency a locked package names is locked too.
    const locked = Object.entries<any>(lock.packages).filter(([path]) => path !== '');
    expect(locked.map(([path]) => path).sort()).toEqual(['node_modules/@playwright/test', 'node_modules/fsevents', 'node_modules/playwright', 'node_modules/playwright-core']);
    for (const [path, entry] of locked) {
      const pkgName = path.slice('node_modules/'.length);
      expect(entry.version, path).toMatch(/^\d+\.\d+\.\d+$/);
      expect(entry.resolved, path).toBe(`https://registry.npmjs.org/${pkgName}/-/${pkgName.split('/').pop()}-${entry.version}.tgz`);
      expect(entry.integrity, path).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
      for (const [dep, want] of Object.entries<string>({ ...entry.dependencies, ...entry.optionalDependencies })) {
        expect(lock.packages[`node_modules/${dep}`]?.version, `${path} -> ${dep}`).toBe(want);
      }
    }
    expect(lock.packages['node_modules/@playwright/test'].version).toBe(pkg.devDependencies['@playwright/test']);
    // npm itself reads the lockfile as complete and consistent with package.json (no network).
    const r = spawnSync('npm', ['ls', '--package-lock-only', '--all', '--offline'], { cwd: join(dir, 'e2e'), encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('@playwright/test@1.49.1');
  });

  it('the Playwright tests parse (node --check)', () => {
    const r = nodeCheckErrors([join(dir, 'e2e/playwright.config.js'), join(dir, 'e2e/tests/stack.spec.js')]);
    expect(r.ok, r.output).toBe(true);
  });
});

describe('platform workflows with --with deploy', () => {
  it('leave build and deploy to the Kubernetes layer (its workflows take those names)', () => {
    const gen = runCli(['new', 'wfk', '--preset', 'platform', '--yes', '--no-git', '--with', 'deploy'], { cwd: work });
    expect(gen.stderr).toBe('');
    expect(gen.code).toBe(0);
    const files = readdirSync(join(work, 'wfk/.github/workflows')).sort();
    for (const f of ['docs.yml', 'e2e.yml', 'i18n.yml', 'security.yml', 'test.yml', 'build.yml', 'deploy.yml']) expect(files).toContain(f);
    expect(readFileSync(join(work, 'wfk/.github/workflows/deploy.yml'), 'utf8')).not.toContain('aws ecs');
  });
});
