// Every file a bd-build-data stack holds, proven by the real tool of its kind, over several service mixes.
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import {
  composeConfigMerged, composeSchemaErrors, dockerComposeConfig, dockerfileLintProblems, listFiles,
  nodeCheckErrors, pyCompileErrors, shellcheckErrors, yamllintErrors,
} from './helpers/validators.js';

const MIXES: Record<string, string[]> = {
  reference: ['api:fastapi', 'web:node', 'db:postgres', 'cache:redis'],
  'every-kind': ['api:fastapi', 'web:node', 'jobs:worker', 'db:postgres', 'cache:redis', 'docs:mongodb', 'proxy:nginx:8081'],
  'worker-only': ['jobs:worker'],
  'two-databases': ['api:fastapi:8001', 'main-db:postgres', 'audit-db:postgres:5433', 'sessions:redis'],
  'node-and-nginx': ['web:node:3001', 'edge:nginx'],
};

const work = tempDir('cs-validate-');
afterAll(() => removeDir(work));

describe.each(Object.entries(MIXES))('bd-build-data stack "%s"', (mix, services) => {
  const name = `mix-${mix}`;
  const dir = join(work, name);
  const gen = runCli(['new', name, '--no-git', ...services.flatMap((s) => ['--service', s])], { cwd: work });
  const files = gen.code === 0 ? listFiles(dir) : [];
  const of = (re: RegExp) => files.filter((f) => re.test(f)).map((f) => join(dir, f));

  it('is generated (exit 0)', () => {
    expect(gen.stderr).toBe('');
    expect(gen.code).toBe(0);
  });

  it('has the seed 001 layout for every service', () => {
    for (const svc of services) {
      const [svcName, kind] = svc.split(':') as [string, string];
      expect(files).toContain(`build/${svcName}/Dockerfile`);
      expect(files).toContain(`data/${svcName}/config/${svcName}.yml`);
      const stateful = ['postgres', 'redis', 'mongodb'].includes(kind);
      expect(files.includes(`bd/${svcName}-data/.gitkeep`)).toBe(stateful);
      const http = ['fastapi', 'node', 'nginx'].includes(kind);
      expect(files.includes(`data/monitoring/monitor_${svcName}.sh`)).toBe(http);
    }
    for (const s of ['setup', 'dev-setup', 'prod-deploy', 'test', 'cleanup', 'diagnostic']) {
      expect(files).toContain(`data/scripts/${s}.sh`);
      expect(statSync(join(dir, `data/scripts/${s}.sh`)).mode & 0o777).toBe(0o755);
    }
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    // bd/ holds only database data: nothing but .gitkeep files are generated there.
    expect(files.filter((f) => f.startsWith('bd/') && !f.endsWith('/.gitkeep'))).toEqual([]);
    // build/ holds only Dockerfiles, their ignore files and init scripts.
    expect(files.filter((f) => f.startsWith('build/') && !/\/(Dockerfile|Dockerfile\.dockerignore|init-script\.sh)$/.test(f))).toEqual([]);
  });

  it('compose files pass the Compose JSON schema, alone and merged by docker-compose config', () => {
    for (const f of ['docker-compose.yml', 'docker-compose.override.yml', 'docker-compose.prod.yml']) {
      const doc = parse(readFileSync(join(dir, f), 'utf8'));
      expect(doc.version, `${f} has no version key`).toBeUndefined();
      expect(composeSchemaErrors(doc), f).toEqual([]);
    }
    for (const set of [['docker-compose.yml'], ['docker-compose.yml', 'docker-compose.override.yml'], ['docker-compose.yml', 'docker-compose.prod.yml']]) {
      const r = dockerComposeConfig(dir, set);
      if (r.skipped) continue;
      expect(r.ok, r.output).toBe(true);
      expect(r.warnings, `${set.join(' + ')} leaves variables unset`).toEqual([]);
      expect(composeSchemaErrors(composeConfigMerged(dir, set)), set.join(' + ')).toEqual([]);
    }
  });

  it('the merged compose keeps the standard: one bridge network, health checks, limits, log rotation', () => {
    const base = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'));
    expect(Object.keys(base.networks)).toEqual(['app-network']);
    expect(base.networks['app-network'].driver).toBe('bridge');
    for (const [svcName, svc] of Object.entries<any>(base.services)) {
      expect(svc.restart, svcName).toBe('unless-stopped');
      expect(svc.deploy.resources.limits.memory, svcName).toBeTruthy();
      expect(svc.deploy.resources.reservations.memory, svcName).toBeTruthy();
      expect(svc.logging.options['max-size'], svcName).toBe('10m');
      expect(svc.networks, svcName).toEqual(['app-network']);
      if (!svcName.endsWith('-monitor')) expect(svc.healthcheck.test, svcName).toBeTruthy();
      if (svc.image) expect(svc.image, svcName).not.toMatch(/:latest$|^[^:]+$/);
      // bd/<svc>-data is bind-mounted and holds .gitkeep: initdb refuses a non-empty directory.
      if (svc.environment?.POSTGRES_DB) {
        const dataMount = svc.volumes.find((v: string) => v.startsWith(`./bd/${svcName}-data:`)).split(':')[1];
        expect(svc.environment.PGDATA, svcName).toMatch(new RegExp(`^${dataMount}/[a-z]+$`));
      }
      // Only monitors (which watch a service, healthy or not) start before their target is healthy, and say so.
      expect(Array.isArray(svc.depends_on), svcName).toBe(false);
      for (const [dep, cond] of Object.entries<any>(svc.depends_on ?? {})) expect(cond.condition, `${svcName} → ${dep}`).toBe(svcName.endsWith('-monitor') ? 'service_started' : 'service_healthy');
    }
  });

  it('prod refuses to start without the secrets, and mounts no code', () => {
    const prod = parse(readFileSync(join(dir, 'docker-compose.prod.yml'), 'utf8'));
    for (const [svcName, svc] of Object.entries<any>(prod.services)) expect(svc.volumes, svcName).toBeUndefined();
    const secrets = readFileSync(join(dir, '.env.example'), 'utf8').match(/^# .*\(secret\)\n[A-Z_]+=/gm) ?? [];
    const noEnv = join(work, `${name}-noenv`);
    mkdirSync(noEnv, { recursive: true });
    for (const f of ['docker-compose.yml', 'docker-compose.prod.yml']) copyFileSync(join(dir, f), join(noEnv, f));
    const r = dockerComposeConfig(noEnv, ['docker-compose.yml', 'docker-compose.prod.yml']);
    rmSync(noEnv, { recursive: true, force: true });
    if (r.skipped) return;
    if (secrets.length > 0) {
      expect(r.ok).toBe(false);
      expect(r.output + r.stderr).toMatch(/must be set|is not set/);
    } else expect(r.ok).toBe(true);
  });

  it('every script passes shellcheck', () => {
    const scripts = of(/\.sh$/);
    expect(scripts.length).toBeGreaterThan(5);
    const r = shellcheckErrors(scripts);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('every Dockerfile passes dockerfile-utils lint and runs as non-root where it builds code', () => {
    for (const f of of(/Dockerfile$/)) {
      const text = readFileSync(f, 'utf8');
      expect(dockerfileLintProblems(text), f).toEqual([]);
      expect(text, f).toMatch(/^FROM \S+:\S+/m);
      expect(text, f).not.toMatch(/^FROM \S+:latest/m);
      if (/COPY .*data\/[^/]+\/ \.\//.test(text)) expect(text, `${f} copies code, so runs as a user`).toMatch(/^USER (?!root)\S+/m);
    }
  });

  it('every YAML file passes yamllint (relaxed) and parses', () => {
    const yamls = of(/\.ya?ml$/);
    const r = yamllintErrors(yamls);
    expect(r.output).not.toMatch(/\[error\]/);
    expect(r.ok).toBe(true);
    for (const f of yamls) for (const d of parseAllDocuments(readFileSync(f, 'utf8'))) expect(d.errors, f).toEqual([]);
  });

  it('python stubs compile and node stubs pass node --check', () => {
    const py = pyCompileErrors(of(/\.py$/));
    expect(py.output).toBe('');
    expect(py.ok).toBe(true);
    const js = nodeCheckErrors(of(/\.js$/));
    expect(js.output).toBe('');
    expect(js.ok).toBe(true);
    for (const f of of(/package\.json$/)) expect(() => JSON.parse(readFileSync(f, 'utf8'))).not.toThrow();
  });

  it('the project README and docs name every service, and the architecture page has a Mermaid diagram', () => {
    const arch = readFileSync(join(dir, 'data/doc/architecture.md'), 'utf8');
    expect(arch).toContain('```mermaid');
    for (const svc of services) expect(arch).toContain(`| ${svc.split(':')[0]} |`);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const svc of services) expect(readme).toContain(`| ${svc.split(':')[0]} |`);
  });
});
