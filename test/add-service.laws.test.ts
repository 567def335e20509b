// The laws of add service / remove service on stacks create-stack made, over several service mixes,
// with and without the deploy layer:
//   new A+B ≡ new A, then add service B          (every file byte for byte; .env by its variables)
//   a second identical add is exit 2 "exists" and changes nothing
//   add B, then remove B ≡ new A                  (except what remove keeps on purpose)
// and every result passes the validators the presets use.
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { composeConfigMerged, composeSchemaErrors, dockerComposeConfig, listFiles, shellcheckErrors } from './helpers/validators.js';
import { helmLint, k8sBinaries, k8sProblems, kubectlKustomize } from './helpers/k8s.js';
import { envKeys, snap, treeDiff } from './helpers/tree.js';

// `validate`: run the validators on the result too. The others are byte-identical to `new A+B`, which
// the preset's own validation tests prove; validating two mixes here keeps this file's time in bounds.
const MIXES: Array<{ label: string; a: string[]; b: string[]; validate: boolean }> = [
  { label: 'a cache into the reference apps', a: ['api:fastapi', 'web:node', 'db:postgres'], b: ['cache:redis'], validate: true },
  { label: 'a worker beside a database', a: ['api:fastapi', 'db:postgres'], b: ['jobs:worker'], validate: false },
  { label: 'two services in one run', a: ['jobs:worker'], b: ['store:mongodb', 'proxy:nginx:8081'], validate: true },
  { label: 'an API on its own host port', a: ['web:node:3001', 'cache:redis'], b: ['api:fastapi:8001'], validate: false },
];

const work = tempDir('cs-addsvc-laws-');
afterAll(() => removeDir(work));
let n = 0;
const flags = (services: string[]) => services.flatMap((s) => ['--service', s]);

function newStack(services: string[], withDeploy: boolean): string {
  const parent = join(work, `p${++n}`);
  mkdirSync(parent);
  const r = runCli(['new', 'shop', '--no-git', ...flags(services), ...(withDeploy ? ['--with', 'deploy'] : [])], { cwd: parent });
  if (r.code !== 0) throw new Error(`new failed: ${r.stderr}`);
  return join(parent, 'shop');
}

function validate(dir: string, withDeploy: boolean): void {
  for (const f of ['docker-compose.yml', 'docker-compose.override.yml', 'docker-compose.prod.yml']) {
    expect(composeSchemaErrors(parse(readFileSync(join(dir, f), 'utf8'))), f).toEqual([]);
  }
  for (const set of [['docker-compose.yml'], ['docker-compose.yml', 'docker-compose.override.yml'], ['docker-compose.yml', 'docker-compose.prod.yml']]) {
    const r = dockerComposeConfig(dir, set);
    if (r.skipped) continue;
    expect(r.ok, r.output).toBe(true);
    expect(r.warnings, set.join(' + ')).toEqual([]);
    expect(composeSchemaErrors(composeConfigMerged(dir, set)), set.join(' + ')).toEqual([]);
  }
  const scripts = listFiles(dir).filter((f) => f.endsWith('.sh')).map((f) => join(dir, f));
  const sc = shellcheckErrors(scripts, dir);
  expect(sc.ok, sc.output).toBe(true);
  if (!withDeploy || !k8sBinaries()) return;
  for (const env of ['development', 'staging', 'production']) {
    const ov = join(dir, 'deploy/kubernetes/overlays', env);
    if (existsSync(join(ov, 'secrets.env.example'))) cpSync(join(ov, 'secrets.env.example'), join(ov, 'secrets.env'));
  }
  for (const d of ['base', 'overlays/development', 'overlays/staging', 'overlays/production']) {
    expect(k8sProblems(kubectlKustomize(join(dir, 'deploy/kubernetes', d))), d).toEqual([]);
  }
  const chart = join(dir, 'deploy/helm/shop');
  const lint = helmLint(chart, []);
  expect(lint.ok, lint.output).toBe(true);
}

/** Removes what the deploy validation wrote (secrets.env files are gitignored user files). */
function withoutSecretsEnv(s: ReturnType<typeof snap>) {
  return Object.fromEntries(Object.entries(s).filter(([p]) => !p.endsWith('/secrets.env')));
}

describe.each([false, true])('with the deploy layer: %s', (withDeploy) => {
  describe.each(MIXES)('$label', ({ a, b, validate: check }) => {
    const grown = newStack(a, withDeploy);
    const fresh = newStack([...a, ...b], withDeploy);
    const before = snap(grown);
    const names = b.map((s) => s.split(':')[0]!);

    it('new A, then add service B ≡ new A+B (every file byte for byte, .env by its variables)', () => {
      const r = runCli(['add', 'service', ...b], { cwd: grown });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`added: ${names.join(', ')}`);
      expect(treeDiff(snap(grown), snap(fresh))).toEqual([]);
      // The secrets of the stack before stay as they were; the new ones are fresh.
      const envBefore = before['.env']!.content;
      expect(readFileSync(join(grown, '.env'), 'utf8').startsWith(envBefore)).toBe(true);
    });

    if (check) {
      it('the result passes the validators the preset uses', () => {
        validate(grown, withDeploy);
      });
    }

    it('a second identical add is exit 2 "exists" and changes nothing', () => {
      const now = withoutSecretsEnv(snap(grown));
      const r = runCli(['add', 'service', ...b], { cwd: grown });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('[service-exists]');
      expect(withoutSecretsEnv(snap(grown))).toEqual(now);
    });

    it('remove service B gives back new A, except what it keeps on purpose', () => {
      const r = runCli(['remove', 'service', ...names, '--force'], { cwd: grown });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const after = withoutSecretsEnv(snap(grown));
      const { ['.env']: _envAfter, ...restAfter } = after;
      const { ['.env']: _envBefore, ...restBefore } = before;
      expect(treeDiff(restAfter, restBefore)).toEqual([]);
      // .env keeps the removed services' variables (their secrets may still guard data): listed.
      const keys = envKeys(after['.env']!.content);
      for (const k of envKeys(before['.env']!.content)) expect(keys).toContain(k);
      if (keys.length > envKeys(before['.env']!.content).length) expect(r.stdout).toMatch(/kept: .*\.env variables/);
    });
  });
});

describe('remove service keeps data and what the user changed', () => {
  it('bd/<svc>-data with data in it, an edited config and a file the user added stay, and are listed', () => {
    const dir = newStack(['api:fastapi', 'db:postgres', 'cache:redis'], false);
    writeFileSync(join(dir, 'bd/cache-data/appendonly.aof'), 'data');
    writeFileSync(join(dir, 'data/cache/config/redis.conf'), readFileSync(join(dir, 'data/cache/config/redis.conf'), 'utf8') + 'maxmemory 64mb\n');
    writeFileSync(join(dir, 'data/cache/config/cache.yml'), readFileSync(join(dir, 'data/cache/config/cache.yml'), 'utf8') + '# mine\n');
    writeFileSync(join(dir, 'data/cache/notes.txt'), 'mine');
    const refused = runCli(['remove', 'service', 'cache'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('[service-depended-on]');
    expect(refused.stderr).toContain('api');
    const r = runCli(['remove', 'service', 'cache', '--force'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const kept of ['bd/cache-data/appendonly.aof', 'bd/cache-data/.gitkeep', 'data/cache/config/redis.conf', 'data/cache/config/cache.yml', 'data/cache/notes.txt']) {
      expect(existsSync(join(dir, kept)), kept).toBe(true);
    }
    expect(r.stdout).toContain('bd/cache-data/ (data)');
    expect(r.stdout).toContain('data/cache/config/cache.yml');
    expect(r.stdout).toContain('data/cache/notes.txt');
    expect(existsSync(join(dir, 'build/cache/Dockerfile'))).toBe(false);
    const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'));
    expect(Object.keys(compose.services)).not.toContain('cache');
    expect(compose.services.api.environment.CACHE_URL).toBeUndefined();
    validate(dir, false);
  });

  it('refusals: unknown service, app-support stacks (fixed services)', () => {
    const dir = newStack(['api:fastapi'], false);
    const r = runCli(['remove', 'service', 'nope'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[service-unknown]');
    const parent = join(work, `p${++n}`);
    mkdirSync(parent);
    expect(runCli(['new', 'pair', '--preset', 'app-support', '--yes', '--no-git'], { cwd: parent }).code).toBe(0);
    const app = join(parent, 'pair');
    const s = snap(app);
    const add = runCli(['add', 'service', 'cache:redis'], { cwd: app });
    expect(add.code).toBe(2);
    expect(add.stderr).toContain('[services-fixed]');
    expect(snap(app)).toEqual(s);
  });
});
