/**
 * deploy/scripts of the deploy layer, run for real against a fake kubectl (test/helpers/k8s.ts
 * `writeFakeKubectl`): it renders every `apply -k` with the real `kubectl kustomize` and keeps the
 * cluster's Deployments and Services, so the tests see what a release does to them.
 * Proves: rolling updates pin every image and roll back what a failed release changed; production
 * is blue-green (first install, a release goes to the idle color and traffic switches only once it
 * is healthy, a failure leaves traffic where it was and the idle color as it was, the live check
 * after the switch switches back, rollback switches colors in one step; the PodDisruptionBudgets
 * guard the live color and follow every switch); tags are validated;
 * secrets.sh and migrate.sh create.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { removeDir, runCli } from './helpers/cli.js';
import { fakeKubectlState, k8sBinaries, writeFakeKubectl, type FakeCluster } from './helpers/k8s.js';

let tmp: string;
let repo: string;
let workerRepo: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'create-stack-deploy-scripts-'));
  const args = ['--service', 'api:fastapi', '--service', 'web:node', '--service', 'jobs:worker', '--service', 'db:postgres', '--service', 'cache:redis'];
  let r = runCli(['new', 'shop', ...args, '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
  if (r.code !== 0) throw new Error(r.stderr);
  repo = join(tmp, 'shop');
  r = runCli(['new', 'feed', '--service', 'feed:worker', '--service', 'store:mongodb', '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
  if (r.code !== 0) throw new Error(r.stderr);
  workerRepo = join(tmp, 'feed');
  for (const env of ['development', 'staging', 'production']) {
    const s = spawnSync('bash', ['deploy/scripts/secrets.sh', env], { cwd: repo, encoding: 'utf8' });
    if (s.status !== 0) throw new Error(s.stderr);
  }
});

afterAll(() => removeDir(tmp));

/** A fresh fake cluster per test. */
function cluster(): { dir: string; kubectl: string; state: () => FakeCluster } {
  const dir = mkdtempSync(join(tmp, 'cluster-'));
  const kubectl = writeFakeKubectl(dir);
  return { dir, kubectl, state: () => fakeKubectlState(dir) };
}

function run(cwd: string, kubectl: string, script: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('bash', [`deploy/scripts/${script}`, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: tmp, KUBECTL: kubectl, HEALTH_ATTEMPTS: '1', HEALTH_DELAY: '0', ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const NS = (env: string) => `shop-${env}`;
const img = (state: FakeCluster, ns: string, dep: string) => state.deployments[`${ns}/${dep}`]?.image;
const init = (state: FakeCluster, ns: string, dep: string) => state.deployments[`${ns}/${dep}`]?.init;
const color = (state: FakeCluster, ns: string, svc: string) => state.services[`${ns}/${svc}`]?.selector.color;
/** The color a service's PodDisruptionBudget guards (the live one; undefined: both, or no PDB). */
const guarded = (state: FakeCluster, ns: string, svc: string) => state.pdbs[`${ns}/${svc}`]?.matchLabels.color;

describe('deploy.sh: rolling (development, staging)', () => {
  it('pins every image and the migrations image to the tag, and leaves the committed overlay alone', () => {
    if (!k8sBinaries()) return;
    const c = cluster();
    const before = readFileSync(join(repo, 'deploy/kubernetes/overlays/staging/kustomization.yaml'), 'utf8');
    const r = run(repo, c.kubectl, 'deploy.sh', ['staging', 'sha-aaaaaaa', 'ghcr.io/acme']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('deploy: shop-staging runs sha-aaaaaaa');
    const s = c.state();
    for (const svc of ['api', 'web', 'jobs']) {
      expect(img(s, NS('staging'), svc)).toBe(`ghcr.io/acme/shop-${svc}:sha-aaaaaaa`);
      expect(init(s, NS('staging'), svc)).toBe('ghcr.io/acme/shop-migrations:sha-aaaaaaa');
    }
    expect(Object.keys(s.statefulsets).sort()).toEqual(['shop-staging/cache', 'shop-staging/db']);
    expect(readFileSync(join(repo, 'deploy/kubernetes/overlays/staging/kustomization.yaml'), 'utf8')).toBe(before);
    expect(existsSync(join(repo, 'deploy/kubernetes/.release/staging'))).toBe(false);
  });

  it('rolls back what a release changed when it is not healthy, and exits non-zero', () => {
    if (!k8sBinaries()) return;
    const c = cluster();
    expect(run(repo, c.kubectl, 'deploy.sh', ['staging', 'sha-aaaaaaa', 'ghcr.io/acme']).code).toBe(0);
    const r = run(repo, c.kubectl, 'deploy.sh', ['staging', 'sha-bbbbbbb', 'ghcr.io/acme'], { FAKE_UNHEALTHY: 'sha-bbbbbbb' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('deploy: shop-staging is not healthy: rolling back what this release changed');
    const s = c.state();
    for (const svc of ['api', 'web', 'jobs']) expect(img(s, NS('staging'), svc), svc).toBe(`ghcr.io/acme/shop-${svc}:sha-aaaaaaa`);
    expect(s.calls.filter((x) => x.includes('rollout undo'))).toHaveLength(3);
  });

  it('a rollout that never becomes ready is rolled back too', () => {
    if (!k8sBinaries()) return;
    const c = cluster();
    expect(run(repo, c.kubectl, 'deploy.sh', ['development', 'dev1', 'ghcr.io/acme']).code).toBe(0);
    const r = run(repo, c.kubectl, 'deploy.sh', ['development', 'dev2', 'ghcr.io/acme'], { FAKE_UNREADY: ':dev2' });
    expect(r.code).toBe(1);
    expect(img(c.state(), NS('development'), 'api')).toBe('ghcr.io/acme/shop-api:dev1');
  });

  it('refuses bad input before touching the cluster', () => {
    const c = cluster();
    const bad: Array<[string[], RegExp]> = [
      [['qa', 'x'], /unknown environment 'qa'/],
      [['staging', 'bad tag!'], /not a valid image tag/],
      [['production', 'latest'], /production takes a release tag like v1.2.3, not 'latest'/],
      [['production', 'sha-1234567'], /production takes a release tag/],
      [['staging', 'main', 'GHCR.io/Acme'], /not a registry prefix/],
      [['staging'], /usage/],
    ];
    for (const [args, msg] of bad) {
      const r = run(repo, c.kubectl, 'deploy.sh', args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
    expect(existsSync(join(c.dir, 'state.json'))).toBe(false);
  });

  it('refuses to deploy without the overlay secrets.env', () => {
    const c = cluster();
    const r = run(workerRepo, c.kubectl, 'deploy.sh', ['staging', 'main', 'ghcr.io/acme']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('deploy/kubernetes/overlays/staging/secrets.env is missing: run deploy/scripts/secrets.sh staging');
  });
});

describe('deploy.sh: production blue-green', () => {
  it('first install: both colors on the release, traffic on blue, preview on green', () => {
    if (!k8sBinaries()) return;
    const c = cluster();
    const r = run(repo, c.kubectl, 'deploy.sh', ['production', 'v1.0.0', 'ghcr.io/acme']);
    expect(r.code, r.err).toBe(0);
    const s = c.state();
    const ns = NS('production');
    for (const svc of ['api', 'web']) {
      expect(img(s, ns, `${svc}-blue`)).toBe(`ghcr.io/acme/shop-${svc}:1.0.0`);
      expect(img(s, ns, `${svc}-green`)).toBe(`ghcr.io/acme/shop-${svc}:1.0.0`);
      expect(color(s, ns, svc)).toBe('blue');
      expect(color(s, ns, `${svc}-preview`)).toBe('green');
      expect(guarded(s, ns, svc)).toBe('blue');
    }
    expect(img(s, ns, 'jobs')).toBe('ghcr.io/acme/shop-jobs:1.0.0');
    expect(s.deployments[`${ns}/api`]).toBeUndefined();
    // Workers are not blue-green: their budget has no color.
    expect(s.pdbs[`${ns}/jobs`]).toBeDefined();
    expect(guarded(s, ns, 'jobs')).toBeUndefined();
  });

  function released(): ReturnType<typeof cluster> {
    const c = cluster();
    expect(run(repo, c.kubectl, 'deploy.sh', ['production', 'v1.0.0', 'ghcr.io/acme']).code).toBe(0);
    return c;
  }

  it('a release goes to the idle color, is checked through -preview, then traffic switches; the live color is not applied at all', () => {
    if (!k8sBinaries()) return;
    const c = released();
    const r = run(repo, c.kubectl, 'deploy.sh', ['production', 'v1.1.0', 'ghcr.io/acme']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/shop-production <- 1\.1\.0 on green \(blue stays live\)[\s\S]*ok {4}api-preview \/health[\s\S]*switching traffic blue -> green[\s\S]*ok {4}api \/health/);
    const s = c.state();
    const ns = NS('production');
    for (const svc of ['api', 'web']) {
      expect(img(s, ns, `${svc}-green`)).toBe(`ghcr.io/acme/shop-${svc}:1.1.0`);
      expect(img(s, ns, `${svc}-blue`)).toBe(`ghcr.io/acme/shop-${svc}:1.0.0`);
      expect(color(s, ns, svc)).toBe('green');
      expect(color(s, ns, `${svc}-preview`)).toBe('blue');
      expect(guarded(s, ns, svc), `${svc}: the budget follows the traffic`).toBe('green');
    }
    expect(img(s, ns, 'jobs')).toBe('ghcr.io/acme/shop-jobs:1.1.0');
    // The two applies of this release left the blue Deployments out.
    for (const a of s.applied.slice(-2)) {
      expect(a.objects).not.toContain('Deployment/api-blue');
      expect(a.objects).toContain('Deployment/api-green');
      expect(a.kustomization).toContain('$patch: delete');
    }
    // The next release goes to blue.
    const r2 = run(repo, c.kubectl, 'deploy.sh', ['production', '1.2.0', 'ghcr.io/acme']);
    expect(r2.code, r2.err).toBe(0);
    const s2 = c.state();
    expect(img(s2, ns, 'api-blue')).toBe('ghcr.io/acme/shop-api:1.2.0');
    expect(img(s2, ns, 'api-green')).toBe('ghcr.io/acme/shop-api:1.1.0');
    expect(color(s2, ns, 'api')).toBe('blue');
  });

  it('a release that fails its preview check never gets traffic, and the idle color goes back', () => {
    if (!k8sBinaries()) return;
    const c = released();
    expect(run(repo, c.kubectl, 'deploy.sh', ['production', 'v1.1.0', 'ghcr.io/acme']).code).toBe(0);
    const r = run(repo, c.kubectl, 'deploy.sh', ['production', 'v1.2.0', 'ghcr.io/acme'], { FAKE_UNHEALTHY: ':1.2.0' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('deploy: 1.2.0 is not healthy on blue: traffic stays on green');
    const s = c.state();
    const ns = NS('production');
    expect(color(s, ns, 'api')).toBe('green');
    expect(guarded(s, ns, 'api')).toBe('green');
    expect(img(s, ns, 'api-green')).toBe('ghcr.io/acme/shop-api:1.1.0');
    expect(img(s, ns, 'api-blue')).toBe('ghcr.io/acme/shop-api:1.0.0');
    expect(img(s, ns, 'jobs')).toBe('ghcr.io/acme/shop-jobs:1.1.0');
    // So a rollback now puts back the release before the live one.
    const rb = run(repo, c.kubectl, 'rollback.sh', ['production']);
    expect(rb.code, rb.err).toBe(0);
    expect(color(c.state(), ns, 'api')).toBe('blue');
  });

  it('when the live check fails after the switch, traffic switches back', () => {
    if (!k8sBinaries()) return;
    const c = released();
    // Healthy through -preview, unhealthy through the live Service: only the fake's live path fails.
    const r = run(repo, c.kubectl, 'deploy.sh', ['production', 'v1.1.0', 'ghcr.io/acme'], { FAKE_UNHEALTHY_LIVE: ':1.1.0' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('ok    api-preview /health');
    expect(r.err).toContain('deploy: live checks failed after the switch: traffic goes back to blue');
    const s = c.state();
    expect(color(s, NS('production'), 'api')).toBe('blue');
    expect(guarded(s, NS('production'), 'api')).toBe('blue');
    expect(img(s, NS('production'), 'api-blue')).toBe('ghcr.io/acme/shop-api:1.0.0');
  });

  it('rollback switches every Service to the other color in one step and rolls workers back', () => {
    if (!k8sBinaries()) return;
    const c = released();
    expect(run(repo, c.kubectl, 'deploy.sh', ['production', 'v1.1.0', 'ghcr.io/acme']).code).toBe(0);
    const r = run(repo, c.kubectl, 'rollback.sh', ['production']);
    expect(r.code, r.err).toBe(0);
    const s = c.state();
    const ns = NS('production');
    for (const svc of ['api', 'web']) {
      expect(color(s, ns, svc)).toBe('blue');
      expect(color(s, ns, `${svc}-preview`)).toBe('green');
      expect(guarded(s, ns, svc), `${svc}: the budget follows the traffic back`).toBe('blue');
    }
    expect(img(s, ns, 'jobs')).toBe('ghcr.io/acme/shop-jobs:1.0.0');
    expect(s.calls.filter((x) => x.includes('patch service'))).toHaveLength(4);
    expect(s.calls.filter((x) => x.includes('patch poddisruptionbudget'))).toHaveLength(2);
  });

  it('staging rollback is kubectl rollout undo', () => {
    if (!k8sBinaries()) return;
    const c = cluster();
    expect(run(repo, c.kubectl, 'deploy.sh', ['staging', 'sha-aaaaaaa', 'ghcr.io/acme']).code).toBe(0);
    expect(run(repo, c.kubectl, 'deploy.sh', ['staging', 'sha-bbbbbbb', 'ghcr.io/acme']).code).toBe(0);
    const r = run(repo, c.kubectl, 'rollback.sh', ['staging']);
    expect(r.code, r.err).toBe(0);
    expect(img(c.state(), NS('staging'), 'api')).toBe('ghcr.io/acme/shop-api:sha-aaaaaaa');
  });

  it('a stack with no HTTP service is rolled in production too', () => {
    if (!k8sBinaries()) return;
    const c = cluster();
    expect(spawnSync('bash', ['deploy/scripts/secrets.sh', 'production'], { cwd: workerRepo }).status).toBe(0);
    const r = run(workerRepo, c.kubectl, 'deploy.sh', ['production', 'v2.0.0', 'ghcr.io/acme']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('(rolling update)');
    expect(c.state().deployments['feed-production/feed']!.image).toBe('ghcr.io/acme/feed-feed:2.0.0');
  });
});

describe('health-check.sh', () => {
  it('reports every service and fails when one does not answer', () => {
    if (!k8sBinaries()) return;
    const c = cluster();
    expect(run(repo, c.kubectl, 'deploy.sh', ['staging', 'sha-aaaaaaa', 'ghcr.io/acme']).code).toBe(0);
    let r = run(repo, c.kubectl, 'health-check.sh', ['staging']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok    api /health');
    expect(r.out).toContain('ok    deployment/jobs 1/1 ready');
    expect(r.out).toContain('ok    statefulset/db 1/1 ready');
    r = run(repo, c.kubectl, 'health-check.sh', ['staging'], { FAKE_UNHEALTHY: 'shop-web' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('FAIL  web /health');
    expect(run(repo, c.kubectl, 'health-check.sh', ['qa']).code).toBe(2);
  });
});

describe('secrets.sh', () => {
  it('makes secrets.env from the example with 64 hex chars per secret, mode 0600, and never overwrites it', () => {
    const file = join(repo, 'deploy/kubernetes/overlays/staging/secrets.env');
    const text = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const values = [...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]);
    expect(values.map((v) => v[0])).toEqual(['DB_PASSWORD', 'CACHE_PASSWORD']);
    for (const [, v] of values) expect(v).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(values.map((v) => v[1])).size).toBe(2);
    const prod = readFileSync(join(repo, 'deploy/kubernetes/overlays/production/secrets.env'), 'utf8');
    expect(prod).not.toBe(text);
    const again = spawnSync('bash', ['deploy/scripts/secrets.sh', 'staging'], { cwd: repo, encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('exists; kept');
    expect(readFileSync(file, 'utf8')).toBe(text);
    // A secret the example names and the file lacks (a newer layer's) is added; the others stay as they are.
    writeFileSync(file, text.replace(/^CACHE_PASSWORD=.*\n/m, ''));
    const added = spawnSync('bash', ['deploy/scripts/secrets.sh', 'staging'], { cwd: repo, encoding: 'utf8' });
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('added CACHE_PASSWORD');
    const now = readFileSync(file, 'utf8');
    expect(now.startsWith(text.replace(/^CACHE_PASSWORD=.*\n/m, ''))).toBe(true);
    expect(now).toMatch(/^CACHE_PASSWORD=[0-9a-f]{64}$/m);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(spawnSync('bash', ['deploy/scripts/secrets.sh', 'qa'], { cwd: repo }).status).toBe(2);
  });
});

describe('migrate.sh', () => {
  it('create writes the next numbered up/down pair; bad names and a bare down are refused', () => {
    const sh = (...args: string[]) => spawnSync('bash', ['deploy/scripts/migrate.sh', ...args], { cwd: repo, encoding: 'utf8', env: { PATH: process.env.PATH } });
    let r = sh('create', 'add_orders');
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(repo, 'migrations')).sort()).toContain('002_add_orders.up.sql');
    expect(readFileSync(join(repo, 'migrations/002_add_orders.down.sql'), 'utf8')).toMatch(/^-- migrations\/002_add_orders\.down\.sql: down migration[\s\S]*BEGIN;\n\nCOMMIT;\n$/);
    expect(sh('create', 'add_items').status).toBe(0);
    expect(existsSync(join(repo, 'migrations/003_add_items.up.sql'))).toBe(true);
    r = sh('create', 'Bad-Name');
    expect(r.status).toBe(2);
    r = sh('down');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'down' alone would drop everything");
    r = sh('sideways');
    expect(r.status).toBe(2);
  });

  it('without DATABASE_URL it builds the local Compose URL from .env', () => {
    const bin = mkdtempSync(join(tmp, 'bin-'));
    // A stand-in `migrate` that prints what it was given.
    writeFileSync(join(bin, 'migrate'), '#!/bin/sh\necho "migrate $*"\n', { mode: 0o755 });
    const env = readFileSync(join(repo, '.env'), 'utf8');
    const pw = /^DB_PASSWORD=(.*)$/m.exec(env)![1];
    const r = spawnSync('bash', ['deploy/scripts/migrate.sh', 'up'], { cwd: repo, encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`migrate -path migrations -database postgresql://app:${pw}@127.0.0.1:5432/shop?sslmode=disable up`);
  });
});

describe('make set-registry', () => {
  it('points the overlays, the production Helm values and the Makefile at a registry, and can do it again', () => {
    if (!k8sBinaries()) return;
    const r0 = runCli(['new', 'reg', '--service', 'api:fastapi', '--service', 'db:postgres', '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
    expect(r0.code, r0.stderr).toBe(0);
    const dir = join(tmp, 'reg');
    const make = (...args: string[]) => spawnSync('make', args, { cwd: dir, encoding: 'utf8' });
    const refused = make('set-registry');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('set-registry: pass REGISTRY=ghcr.io/<owner>');
    for (const registry of ['ghcr.io/acme', 'registry.example.com:5000/team']) {
      const r = make('set-registry', `REGISTRY=${registry}`);
      expect(r.status, r.stderr).toBe(0);
      for (const env of ['staging', 'production']) {
        const k = readFileSync(join(dir, 'deploy/kubernetes/overlays', env, 'kustomization.yaml'), 'utf8');
        expect(k.match(/newName: .*/g)).toEqual([`newName: ${registry}/reg-api`, `newName: ${registry}/reg-migrations`]);
      }
      expect(readFileSync(join(dir, 'deploy/helm/reg/values.prod.yaml'), 'utf8')).toContain(`\nimageRegistry: ${registry}\n`);
      expect(readFileSync(join(dir, 'Makefile'), 'utf8')).toContain(`\nREGISTRY ?= ${registry}\n`);
      expect(make('-n', 'ci-push', 'TAG=main').stdout).toContain(`${registry}/reg-$img:main`);
    }
    expect(readdirSync(join(dir, 'deploy/kubernetes/overlays/staging')).filter((f) => f.endsWith('.bak'))).toEqual([]);
  });
});
