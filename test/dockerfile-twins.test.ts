// Issue 9 (one source of truth): with the deploy layer a service has two Dockerfiles, the one Compose
// builds and the <svc>-production stage of deploy/docker/Dockerfile. Generated, they agree on what the
// container runs (base image, ports, health check, command, uid) for every app kind of every preset;
// edited apart, `check` (rule dockerfile/deploy-twin) reports the difference where it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseDockerfile } from '../src/check/rules/dockerfile/_parse.js';
import { finalStage, stageFacts, type StageFacts } from '../src/check/rules/dockerfile/_twin.js';
import type { FoundFile } from '../src/model/index.js';
import { checkRepo, knownRuleIds } from '../src/check/runner.js';
import { loadRepo } from '../src/model/index.js';
import { removeDir, ROOT, runCli, tempDir } from './helpers/cli.js';

const work = tempDir('cs-twins-');
afterAll(() => removeDir(work));

interface Kind {
  name: string;
  role: string;
  image: string;
  port: number | null;
  presets?: string[];
  k8s?: { uid: number };
}
const KINDS = join(ROOT, 'templates', 'kinds');
const kinds = readdirSync(KINDS).map((k) => parse(readFileSync(join(KINDS, k, 'kind.yaml'), 'utf8')) as Kind);
const kindOf = (name: string) => kinds.find((k) => k.name === name)!;
/** App kinds any stack may use (the platform-only ones come with the platform preset, below). */
const OPEN_APPS = kinds.filter((k) => k.role === 'app' && !k.presets).map((k) => k.name);

function facts(path: string, stage?: string): StageFacts {
  const text = readFileSync(path, 'utf8');
  const df = parseDockerfile({ path, abs: path } as FoundFile, text);
  const index = stage === undefined ? finalStage(df) : df.stages.findIndex((s) => s.name === stage);
  expect(index, `${path}: stage ${stage ?? '(final)'}`).toBeGreaterThanOrEqual(0);
  return stageFacts(df, index);
}

/** What each Dockerfile says the container runs; null where it says nothing. */
const values = (f: StageFacts) => ({ from: f.from.value, expose: f.expose?.value ?? null, healthcheck: f.healthcheck?.value ?? null, cmd: f.cmd?.value ?? null, user: f.user?.value ?? null });

function expectTwins(composeFile: string, deployFile: string, svc: string, kind: Kind, port = kind.port): void {
  const built = values(facts(composeFile));
  const deployed = values(facts(deployFile, `${svc}-production`));
  expect(deployed, `${svc} (${kind.name}): ${deployFile} vs ${composeFile}`).toEqual(built);
  // Both from the kind's facts, not merely equal to each other: the exact pinned image, its port, its uid.
  expect(built.from).toBe(kind.image);
  expect(built.expose).toBe(port === null ? null : String(port));
  expect(built.user).toBe(String(kind.k8s!.uid));
  expect(built.healthcheck).toMatch(/^\[/);
}

describe('generated twins agree', () => {
  it(`bd-build-data --with deploy: build/<svc>/Dockerfile and <svc>-production, every app kind (${OPEN_APPS.join(', ')})`, () => {
    const args = OPEN_APPS.flatMap((k) => ['--service', `s-${k}:${k}`]);
    const made = runCli(['new', 'bd', ...args, '--service', 'db:postgres', '--with', 'deploy', '--yes', '--no-git'], { cwd: work });
    expect(made.code, made.stderr).toBe(0);
    const repo = join(work, 'bd');
    const compose = parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { build?: { dockerfile: string } }> };
    for (const kind of OPEN_APPS) {
      const svc = `s-${kind}`;
      // The file Compose builds, as docker-compose.yml names it.
      expect(compose.services[svc]!.build!.dockerfile).toBe(`build/${svc}/Dockerfile`);
      expectTwins(join(repo, 'build', svc, 'Dockerfile'), join(repo, 'deploy/docker/Dockerfile'), svc, kindOf(kind));
    }
    // The deploy docs say which file builds what, and name the rule that watches them (it exists).
    const docs = readFileSync(join(repo, 'docs/DEPLOYMENT.md'), 'utf8');
    expect(docs).toContain('`build/<service>/Dockerfile`, which `docker-compose.yml` builds');
    expect(docs).toContain('rule `dockerfile/deploy-twin`');
    expect(knownRuleIds().has('dockerfile/deploy-twin')).toBe(true);
  });

  for (const kind of ['fastapi', 'node', 'worker']) {
    it(`app-support --app-kind ${kind} --with deploy: the app repo's Dockerfile and the support repo's app-production`, () => {
      const name = `as-${kind}`;
      const made = runCli(['new', name, '--preset', 'app-support', '--app-kind', kind, '--with', 'deploy', '--yes', '--no-git'], { cwd: work });
      expect(made.code, made.stderr).toBe(0);
      // The support repo's production Compose file builds the app from the sibling repo.
      const prod = parse(readFileSync(join(work, `${name}-support`, 'docker-compose.prod.yml'), 'utf8')) as { services: Record<string, { build?: { context: string; dockerfile: string } }> };
      expect(prod.services.app!.build).toMatchObject({ context: `../${name}`, dockerfile: 'Dockerfile' });
      expectTwins(join(work, name, 'Dockerfile'), join(work, `${name}-support`, 'deploy/docker/Dockerfile'), 'app', kindOf(kind));
    });
  }

  it('platform --with deploy: django and fastapi services agree; the gateway differs on purpose, and says so', () => {
    const made = runCli(['new', 'pf', '--preset', 'platform', '--with', 'deploy', '--yes', '--no-git'], { cwd: work });
    expect(made.code, made.stderr).toBe(0);
    const repo = join(work, 'pf');
    const deploy = join(repo, 'deploy/docker/Dockerfile');
    const stages = [...readFileSync(deploy, 'utf8').matchAll(/ AS (\S+)-production$/gm)].map((m) => m[1]!);
    const compose = parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { build?: { dockerfile: string } }> };
    // The preset adds the gateway; the spec lists the services one chose (with their ports).
    const spec = parse(readFileSync(join(repo, '.create-stack.yaml'), 'utf8')) as { services: Array<{ name: string; kind: string; port: number }> };
    expect(stages.length).toBeGreaterThanOrEqual(4);
    for (const svc of stages) {
      const chosen = spec.services.find((s) => s.name === svc);
      const kind = kindOf(chosen?.kind ?? svc);
      const built = join(repo, compose.services[svc]!.build!.dockerfile);
      if (kind.name !== 'gateway') {
        expectTwins(built, deploy, svc, kind, chosen!.port);
        continue;
      }
      // Compose's gateway terminates TLS (its own nginx.conf, port 8443 too); Kubernetes' sits behind the Ingress.
      const [a, b] = [values(facts(built)), values(facts(deploy, `${svc}-production`))];
      expect(Object.keys(a).filter((k) => a[k as keyof typeof a] !== b[k as keyof typeof b]).sort()).toEqual(['cmd', 'expose']);
    }
  });
});

describe('dockerfile/deploy-twin', () => {
  const repo = join(work, 'edit');
  const build = join(repo, 'build/api/Dockerfile');
  let original = '';
  const check = () => {
    const r = runCli(["check", "--format", "json", "edit"], { cwd: work });
    return (JSON.parse(r.stdout) as { findings: Array<{ rule: string; file: string; line: number; column: number; message: string }> }).findings.filter((f) => f.rule === 'dockerfile/deploy-twin');
  };
  /** Line (1-based) of the first line of deploy/docker/Dockerfile at or after `after` that starts with `prefix`. */
  const lineOf = (prefix: string, after = 'FROM python:3.12.8-slim-bookworm AS api-production') => {
    const lines = readFileSync(join(repo, 'deploy/docker/Dockerfile'), 'utf8').split('\n');
    const from = lines.indexOf(after);
    return lines.findIndex((l, i) => i >= from && l.startsWith(prefix)) + 1;
  };
  const edit = (from: string, to: string) => {
    expect(original).toContain(from);
    writeFileSync(build, original.replace(from, to));
  };

  beforeAll(() => {
    const made = runCli(['new', 'edit', '--service', 'api:fastapi', '--service', 'web:node', '--service', 'db:postgres', '--with', 'deploy', '--yes', '--no-git'], { cwd: work });
    expect(made.code, made.stderr).toBe(0);
    original = readFileSync(build, 'utf8');
  });

  it('a fresh stack: no finding', () => {
    expect(check()).toEqual([]);
  });

  it('the base image bumped in build/api/Dockerfile: one finding, at the FROM of api-production', () => {
    edit('FROM python:3.12.8-slim-bookworm', 'FROM python:3.12.9-slim-bookworm');
    const f = check();
    expect(f.map((x) => `${x.file}:${x.line}:${x.column}`)).toEqual([`edit/deploy/docker/Dockerfile:${lineOf('FROM python:3.12.8-slim-bookworm AS api-production')}:1`]);
    expect(f[0]!.message).toContain('build/api/Dockerfile:3 (python:3.12.9-slim-bookworm)');
  });

  it('CMD changed: one finding, at the CMD of api-production', () => {
    edit('CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]', 'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]');
    const f = check();
    expect(f.map((x) => `${x.file}:${x.line}:${x.column}`)).toEqual([`edit/deploy/docker/Dockerfile:${lineOf('CMD [')}:1`]);
    expect(f[0]!.message).toMatch(/^api-production: CMD .* differs from build\/api\/Dockerfile:\d+ /);
  });

  it('HEALTHCHECK command changed: one finding, at the HEALTHCHECK of api-production; its timings are not compared', () => {
    edit("urlopen('http://127.0.0.1:8000/ready'", "urlopen('http://127.0.0.1:8000/health'");
    let f = check();
    expect(f.map((x) => `${x.file}:${x.line}:${x.column}`)).toEqual([`edit/deploy/docker/Dockerfile:${lineOf('HEALTHCHECK ')}:1`]);
    expect(f[0]!.message).toContain('HEALTHCHECK');
    edit('--interval=30s --timeout=10s', '--interval=15s --timeout=10s');
    f = check();
    expect(f).toEqual([]);
  });

  it('USER: a name resolves through its useradd; another uid is a finding', () => {
    edit('USER app', 'USER 10001');
    expect(check()).toEqual([]);
    edit('--uid 10001 --gid app', '--uid 10002 --gid app');
    const f = check();
    expect(f.map((x) => `${x.file}:${x.line}:${x.column}`)).toEqual([`edit/deploy/docker/Dockerfile:${lineOf('USER ')}:1`]);
    expect(f[0]!.message).toContain('build/api/Dockerfile:26 (app (uid 10002))');
  });

  it('EXPOSE dropped from the Compose Dockerfile: reported at the EXPOSE it still has in deploy', () => {
    edit('EXPOSE 8000\n', '');
    const f = check();
    expect(f.map((x) => `${x.line}:${x.column}`)).toEqual([`${lineOf('EXPOSE ')}:1`]);
    expect(f[0]!.message).toContain('build/api/Dockerfile (which docker-compose builds api from) has none');
  });

  it('a Compose build with a target compares that stage, and never a stage with itself', async () => {
    const dir = join(work, 'target');
    mkdirSync(join(dir, 'deploy/docker'), { recursive: true });
    const deploy = 'FROM python:3.12.8-slim-bookworm AS api-dev\nUSER 10001\nCMD ["python", "dev.py"]\n\nFROM python:3.12.8-slim-bookworm AS api-production\nUSER 10001\nCMD ["python", "main.py"]\n';
    writeFileSync(join(dir, 'deploy/docker/Dockerfile'), deploy);
    const run = async (target: string) => {
      writeFileSync(join(dir, 'compose.yaml'), `services:\n  api:\n    build: {context: ., dockerfile: deploy/docker/Dockerfile, target: ${target}}\n`);
      const { findings } = await checkRepo(loadRepo(dir), { levels: new Map(), ignore: [] });
      return findings.filter((f) => f.rule === 'dockerfile/deploy-twin').map((f) => `${f.line}:${f.col} ${f.message}`);
    };
    expect(await run('api-production')).toEqual([]);
    expect(await run('api-dev')).toEqual(['7:1 api-production: CMD ["python", "main.py"] differs from deploy/docker/Dockerfile:3 (["python", "dev.py"]), which docker-compose builds api from']);
  });
});
