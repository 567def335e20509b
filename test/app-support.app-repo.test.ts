/**
 * The app-support preset's APP repo: its project helper and its CI workflow (seed 000).
 * - add_project.py (fastapi, worker; Debian's python3 with python3-yaml) and add_project.js (node; the
 *   `yaml` package of this repo, linked in as the app's node_modules would hold it) on a generated repo:
 *   the entry is appended with every byte before it kept, the app's own loader reads it back, and the
 *   app's own run_pipeline runs the new project; a duplicate or invalid id, a record that is not a
 *   number and a project.yaml it cannot append to safely exit 2 with the file unchanged; --dry-run
 *   writes nothing.
 * - .github/workflows/ci.yml: actionlint, shellcheck on every run: block, every action pinned to a
 *   commit SHA from src/actions.ts, read-only token, the app's own test command and a Dockerfile build
 *   that does not push.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { ACTIONS } from '../src/actions.js';
import { actionlintProblems, workflowRunScripts } from './helpers/actionlint.js';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { requireTool, shellcheckErrors } from './helpers/validators.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = tempDir('cs-as-app-');
afterAll(() => removeDir(work));

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasPyYaml = () =>
  requireTool('python3-yaml', () => spawnSync(PYTHON, ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0);

function generate(kind: string, sub: string): string {
  const cwd = join(work, sub);
  mkdirSync(cwd, { recursive: true });
  const r = runCli(['new', 'shop', '--preset', 'app-support', '--yes', '--no-git', '--app-kind', kind], { cwd });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return join(cwd, 'shop');
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const KINDS = [
  { kind: 'fastapi', lang: 'python' },
  { kind: 'worker', lang: 'python' },
  { kind: 'node', lang: 'node' },
] as const;

describe.each(KINDS)('add_project ($kind)', ({ kind, lang }) => {
  let app: string;
  const helper = lang === 'python' ? 'add_project.py' : 'add_project.js';
  const run = (cmd: string, args: string[]): Run => {
    const exe = lang === 'python' ? PYTHON : process.execPath;
    const r = spawnSync(exe, [cmd, ...args], { cwd: app, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', LOG_LEVEL: 'warning' } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const add = (args: string[]) => run(helper, args);
  const projectYaml = () => readFileSync(join(app, 'project.yaml'), 'utf8');
  /** The ids the app's own loader reads from a project file. */
  const loaderIds = (file = 'project.yaml'): string[] => {
    const r =
      lang === 'python'
        ? spawnSync(PYTHON, ['-c', 'import json, sys; from ingestion.pipeline import load_projects; print(json.dumps(load_projects(sys.argv[1])))', file], { cwd: app, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } })
        : spawnSync(process.execPath, ['--input-type=module', '-e', "import { loadProjects } from './src/pipeline/projects.js'; console.log(JSON.stringify(loadProjects(process.argv[1])));", file], { cwd: app, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as Array<{ id: string }>).map((p) => p.id);
  };
  const ready = () => (lang === 'python' ? hasPyYaml() : true);

  beforeAll(() => {
    app = generate(kind, `add-${kind}`);
    // What `npm ci` would put there: the `yaml` package (this repo's copy).
    if (lang === 'node') {
      mkdirSync(join(app, 'node_modules'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', 'yaml'), join(app, 'node_modules', 'yaml'), 'dir');
    }
  });

  it(`is generated for this kind (${helper}, not the other language's)`, () => {
    expect(existsSync(join(app, helper))).toBe(true);
    expect(existsSync(join(app, lang === 'python' ? 'add_project.js' : 'add_project.py'))).toBe(false);
    for (const doc of ['README.md', 'docs/project-schema.md']) expect(readFileSync(join(app, doc), 'utf8'), doc).toContain(helper);
  });

  it('appends a project the app loader reads and run_pipeline runs, keeping every byte before it', () => {
    if (!ready()) return;
    const before = projectYaml();
    expect(before).toMatch(/^# /); // the comments it must keep
    const r = add(['--id', 'acme', '--name', 'Acme: "the" co', '--description', "Acme's repos #1", '--source-name', 'gh', '--source-type', 'static', '--record', 'stars=120', '--record', 'stars=135', '--record', 'forks=1.5']);
    expect(r.status, r.stderr).toBe(0);
    const after = projectYaml();
    expect(after.startsWith(before)).toBe(true);
    expect(after.length).toBeGreaterThan(before.length);
    expect(loaderIds()).toEqual(['example', 'acme']);
    const doc = parseYaml(after) as { projects: Array<Record<string, unknown>> };
    expect(doc.projects[1]).toEqual({
      id: 'acme',
      name: 'Acme: "the" co',
      description: "Acme's repos #1",
      sources: [{ name: 'gh', type: 'static', records: [{ metric: 'stars', value: 120 }, { metric: 'stars', value: 135 }, { metric: 'forks', value: 1.5 }] }],
      insights: { min_samples: 1 },
    });

    const p = run(lang === 'python' ? 'run_pipeline.py' : 'run_pipeline.js', ['--project-id', 'acme', '--dry-run']);
    expect(p.status, p.stderr).toBe(0);
    const out = JSON.parse(p.stdout) as { project: string; stats: Record<string, number>; insights: Array<{ subject: string }> };
    expect(out.project).toBe('acme');
    expect(out.stats).toEqual({ raw: 3, metrics: 3, rejected: 0, insights: 2 });
    expect(out.insights.map((i) => i.subject).sort()).toEqual(['forks', 'stars']);
    // The example still runs too.
    expect(run(lang === 'python' ? 'run_pipeline.py' : 'run_pipeline.js', ['--project-id', 'example', '--dry-run']).status).toBe(0);
  });

  it('names that YAML would read as something else come back as the same string', () => {
    if (!ready()) return;
    for (const [id, name] of [['yes-1', 'yes'], ['num-1', '0123'], ['hash-1', 'a #b'], ['nul-1', 'null'], ['uni-1', 'Zürich – “q”']] as const) {
      const r = add(['--id', id, '--name', name]);
      expect(r.status, r.stderr).toBe(0);
      const doc = parseYaml(projectYaml(), { version: '1.1' }) as { projects: Array<{ id: string; name: unknown }> };
      expect(doc.projects.find((p) => p.id === id)?.name, id).toBe(name);
    }
    expect(loaderIds()).toContain('uni-1');
  });

  it('refuses a duplicate id: exit 2, a message, project.yaml unchanged', () => {
    if (!ready()) return;
    const before = projectYaml();
    for (const id of ['example', 'acme']) {
      const r = add(['--id', id, '--name', 'Again', '--record', 'stars=1']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/already in project\.yaml/);
      expect(projectYaml()).toBe(before);
    }
  });

  it('refuses an invalid id, an unknown source type and a record that is not a number', () => {
    if (!ready()) return;
    const before = projectYaml();
    for (const [args, message] of [
      [['--id', 'Acme', '--name', 'x'], /--id/],
      [['--id', 'a b', '--name', 'x'], /--id/],
      [['--id', '-a', '--name', 'x'], /--id/],
      [['--id', 'a'.repeat(64), '--name', 'x'], /--id/],
      [['--id', 'ok', '--name', 'x', '--source-type', 'http'], /known types are static/],
      [['--id', 'ok', '--name', 'x', '--record', 'stars=many'], /METRIC=NUMBER/],
      [['--id', 'ok', '--name', 'x', '--record', 'stars'], /METRIC=NUMBER/],
    ] as const) {
      const r = add([...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(projectYaml()).toBe(before);
    }
  });

  it('--dry-run prints the entry and writes nothing', () => {
    if (!ready()) return;
    const before = projectYaml();
    const r = add(['--id', 'dry', '--name', 'Dry', '--record', 'stars=1', '--dry-run']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}- id: dry\n {4}name: Dry\n/);
    expect(parseYaml(`projects:\n${r.stdout}`)).toEqual({ projects: [{ id: 'dry', name: 'Dry', sources: [{ name: 'main', type: 'static', records: [{ metric: 'stars', value: 1 }] }], insights: { min_samples: 1 } }] });
    expect(projectYaml()).toBe(before);
  });

  it('refuses a project.yaml where an appended entry would not land in projects, and starts a missing one', () => {
    if (!ready()) return;
    const other = join(app, 'other.yaml');
    const text = '# mine\nprojects:\n  - id: a\nsettings:\n  x: 1\n';
    writeFileSync(other, text);
    const r = add(['--id', 'b', '--name', 'B', '--project-file', 'other.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot append safely/);
    expect(readFileSync(other, 'utf8')).toBe(text);

    const fresh = join(app, 'fresh.yaml');
    const f = add(['--id', 'b', '--name', 'B', '--project-file', 'fresh.yaml']);
    expect(f.status, f.stderr).toBe(0);
    expect(loaderIds('fresh.yaml')).toEqual(['b']);
    expect(readFileSync(fresh, 'utf8')).toMatch(/^projects:\n {2}- id: b\n/);
  });
});

// ---------------------------------------------------------------------------------------------
// The CI workflow
// ---------------------------------------------------------------------------------------------

const PINNED = new Set(Object.values(ACTIONS).map((a) => a.uses));

describe.each(KINDS)('.github/workflows/ci.yml ($kind)', ({ kind, lang }) => {
  let app: string;
  let path: string;
  let wf: { permissions: unknown; on: unknown; jobs: Record<string, { permissions?: unknown; steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }> }> };
  beforeAll(() => {
    app = generate(kind, `ci-${kind}`);
    path = join(app, '.github', 'workflows', 'ci.yml');
    wf = parseYaml(readFileSync(path, 'utf8')) as typeof wf;
  });

  it('passes actionlint', async () => {
    expect(await actionlintProblems(path)).toEqual([]);
  });

  it('pins every action to a 40-hex commit SHA from src/actions.ts, with a read-only token', () => {
    const text = readFileSync(path, 'utf8');
    const uses = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)/gm)].map((m) => m[1]!);
    expect(uses.length).toBeGreaterThanOrEqual(5);
    for (const u of uses) {
      expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(PINNED.has(u as never), u).toBe(true);
    }
    expect(wf.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(wf.jobs)) expect(job.permissions, name).toBeUndefined();
    expect(wf.on).toEqual({ pull_request: null, push: { branches: ['main'] } });
  });

  it("runs the app's own tests on the image's runtime, and builds the Dockerfile without pushing", () => {
    const steps = wf.jobs.test!.steps;
    const runs = steps.map((s) => s.run ?? '');
    const dockerfile = readFileSync(join(app, 'Dockerfile'), 'utf8');
    const from = /^FROM (?:python|node):(\d+(?:\.\d+)*)/m.exec(dockerfile)?.[1];
    expect(from).toBeDefined();
    if (lang === 'python') {
      expect(runs).toContain('python -m pip install -r requirements-dev.txt');
      expect(runs).toContain('python -m pytest tests/');
      expect(steps.find((s) => s.uses === ACTIONS.setupPython.uses)?.with?.['python-version']).toBe(from);
      expect(runs.some((r) => r.startsWith('python add_project.py ') && r.includes('--dry-run'))).toBe(true);
      expect(readFileSync(join(app, 'requirements-dev.txt'), 'utf8')).toMatch(/^pytest==/m);
    } else {
      expect(runs).toContain('npm ci --no-audit --no-fund');
      expect(runs).toContain('npm test');
      expect(steps.find((s) => s.uses === ACTIONS.setupNode.uses)?.with?.['node-version']).toBe(from);
      expect(runs.some((r) => r.startsWith('node add_project.js ') && r.includes('--dry-run'))).toBe(true);
      expect((JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.test).toBe('node --test');
    }
    const build = wf.jobs.image!.steps.find((s) => s.uses === ACTIONS.buildPush.uses);
    expect(build?.with).toMatchObject({ context: '.', file: 'Dockerfile', push: false });
    expect(existsSync(join(app, String(build!.with!.file)))).toBe(true);
  });

  it('every run: block passes shellcheck', () => {
    const dir = join(work, `ci-${kind}-scripts`);
    mkdirSync(dir, { recursive: true });
    const paths = workflowRunScripts(path).map((s, i) => {
      const p = join(dir, `${s.job}-${i}.sh`);
      writeFileSync(p, `#!/usr/bin/env bash\nset -eo pipefail\n${s.script}\n`);
      return p;
    });
    expect(paths.length).toBeGreaterThanOrEqual(4);
    const r = shellcheckErrors(paths);
    expect(r.ok, r.output).toBe(true);
  });
});

describe('the CI checks are real checks', () => {
  it('actionlint and the pin check fail on a broken copy', async () => {
    const app = generate('fastapi', 'ci-broken');
    const path = join(app, '.github', 'workflows', 'ci.yml');
    const text = readFileSync(path, 'utf8');
    const broken = text.replace('runs-on: ubuntu-24.04', 'runs-on: ubuntu-24.04\n    needs: nowhere').replace(ACTIONS.checkout.uses, 'actions/checkout@v4');
    expect(broken).not.toBe(text);
    const problems = await actionlintProblems(path, broken);
    expect(problems.join('\n')).toMatch(/nowhere/);
    expect(broken).toMatch(/uses: actions\/checkout@v4\b/);
    expect([...broken.matchAll(/uses:\s*(\S+)/g)].every((m) => /@[0-9a-f]{40}$/.test(m[1]!))).toBe(false);
  });
});

describe('the app repo\'s HTTP API: /health is alive, /ready follows the database', () => {
  const dir = tempDir('cs-app-ready-');
  afterAll(() => removeDir(dir));

  it('node: its own tests (node --test) include /ready, and pass', () => {
    expect(runCli(['new', 'nd', '--preset', 'app-support', '--app-kind', 'node', '--no-git'], { cwd: dir }).code).toBe(0);
    const r = spawnSync(process.execPath, ['--test'], { cwd: join(dir, 'nd'), encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ready is 503 while the database port is closed/);
  });

  it('fastapi on Debian\'s FastAPI and uvicorn: /ready 503 with the database down, 200 once it listens; the health check asks /ready', async () => {
    const { requirePythonModules, DEBIAN_PYTHON } = await import('./helpers/platform-servers.js');
    if (!requirePythonModules(['fastapi', 'uvicorn'])) return;
    expect(runCli(['new', 'fa', '--preset', 'app-support', '--app-kind', 'fastapi', '--no-git'], { cwd: dir }).code).toBe(0);
    const { freePort } = await import('./helpers/postgres.js');
    const { spawn } = await import('node:child_process');
    const { createServer } = await import('node:net');
    const [port, dbPort] = [await freePort(), await freePort()];
    const child = spawn(DEBIAN_PYTHON, ['-m', 'uvicorn', 'app.main:app', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: join(dir, 'fa'),
      env: { PATH: process.env.PATH, DATABASE_URL: `postgresql://u:p@127.0.0.1:${dbPort}/db`, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: 'ignore',
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 150 && !(await fetch(`${url}/health`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const down = await fetch(`${url}/ready`);
      expect(down.status).toBe(503);
      expect((await down.json()).unreachable).toEqual(['database']);
      const db = createServer((s) => s.end());
      await new Promise<void>((r) => db.listen(dbPort, '127.0.0.1', () => r()));
      try {
        expect((await fetch(`${url}/ready`)).status).toBe(200);
      } finally {
        db.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
    expect(readFileSync(join(dir, 'fa', 'docker-compose.yml'), 'utf8')).toContain("8000/ready'");
    expect(readFileSync(join(dir, 'fa-support', 'kubernetes', 'app', 'deployment.yaml'), 'utf8')).toMatch(/readinessProbe:\s+httpGet:\s+path: \/ready[\s\S]*livenessProbe:\s+httpGet:\s+path: \/health/);
  }, 60_000);
});
