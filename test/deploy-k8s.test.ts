/**
 * The deploy layer's Kubernetes manifests and Helm chart, rendered by the real tools:
 * `kubectl kustomize` of the base and every overlay, `helm lint --strict` and `helm template` with
 * the default and the production values. Every rendered object must pass kubernetes-models
 * validation (unknown kinds and unknown fields fail), the Pod Security Standard "restricted", pinned
 * images, Service/PDB/HPA/Ingress/StatefulSet references and probe ports (test/helpers/k8s.ts);
 * then what each environment must be: namespaces, replicas, resources, image tags, Secret keys,
 * blue-green in production, the migrate initContainer, `$(VAR)` order, URLs that name real Services.
 * Stacks: one service; app services + postgres + redis; worker + mongodb; and app-support, which runs
 * only once `create-stack new x --preset app-support --with deploy --yes` exits 0 (skipped before).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { removeDir, runCli } from './helpers/cli.js';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';

import { copyForPostgres, destroyPostgres, initCluster, pgTempDir, requirePostgres, showSetting, startPostgres, type PgServer } from './helpers/postgres.js';
import {
  helmLint,
  helmTemplate,
  k8sBinaries,
  k8sProblems,
  kubeLinterFindings,
  kubectlKustomize,
  networkAllows,
  podSpecs,
  type K8sObject,
  type NetPeer,
} from './helpers/k8s.js';

/**
 * `links`: who connects to whom (dependent>dependency), written out here rather than read from the
 * generator: apps get a URL of (depend on) every store; nginx serves files and depends on nothing.
 */
const STACKS: Record<string, { args: string[]; http: string[]; workers: string[]; stateful: string[]; migrate: string[]; links: string[] }> = {
  one: { args: ['--service', 'api:fastapi'], http: ['api'], workers: [], stateful: [], migrate: [], links: [] },
  brief: {
    args: ['--service', 'web:node', '--service', 'api:fastapi', '--service', 'db:postgres', '--service', 'cache:redis'],
    http: ['web', 'api'],
    workers: [],
    stateful: ['db', 'cache'],
    migrate: ['web', 'api'],
    links: ['web>db', 'web>cache', 'api>db', 'api>cache'],
  },
  shop: {
    args: ['--service', 'api:fastapi', '--service', 'web:node', '--service', 'jobs:worker', '--service', 'site:nginx', '--service', 'db:postgres', '--service', 'cache:redis'],
    http: ['api', 'web', 'site'],
    workers: ['jobs'],
    stateful: ['db', 'cache'],
    migrate: ['api', 'web', 'jobs'],
    links: ['api>db', 'api>cache', 'web>db', 'web>cache', 'jobs>db', 'jobs>cache'],
  },
  feed: { args: ['--service', 'feed-sync:worker', '--service', 'store:mongodb'], http: [], workers: ['feed-sync'], stateful: ['store'], migrate: [], links: ['feed-sync>store'] },
};
const ENVS = ['development', 'staging', 'production'] as const;

let tmp: string;
interface Case {
  name: string;
  repo: string;
  http: string[];
  workers: string[];
  stateful: string[];
  migrate: string[];
  links: string[];
}
const cases: Case[] = [];
let appSupport: Case | null = null;

/** Makes each overlay's secrets.env from its example, as the docs tell users to (deploy/scripts/secrets.sh). */
function prepareSecrets(repo: string): void {
  for (const env of ENVS) {
    const dir = join(repo, 'deploy/kubernetes/overlays', env);
    if (existsSync(join(dir, 'secrets.env.example'))) copyFileSync(join(dir, 'secrets.env.example'), join(dir, 'secrets.env'));
  }
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'create-stack-deploy-k8s-'));
  for (const [name, s] of Object.entries(STACKS)) {
    const r = runCli(['new', name, ...s.args, '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
    if (r.code !== 0) throw new Error(`create-stack new ${name} failed:\n${r.stderr}`);
    prepareSecrets(join(tmp, name));
    cases.push({ name, repo: join(tmp, name), ...s });
  }
  const r = runCli(['new', 'x', '--preset', 'app-support', '--with', 'deploy', '--yes', '--no-git'], { cwd: tmp });
  if (r.code !== 0) throw new Error(`create-stack new x --preset app-support --with deploy failed (${r.code}):\n${r.stderr}`);
  const repo = join(tmp, 'x-support');
  prepareSecrets(repo);
  appSupport = { name: 'x', repo, http: [], workers: [], stateful: ['db'], migrate: [], links: ['app>db'] };
});

afterAll(() => removeDir(tmp));

const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: K8sObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);

/**
 * Kubernetes expands `$(NAME)` only from variables defined before it in the same container;
 * a name that is not is passed through literally (a broken URL at runtime).
 */
function envOrderProblems(objs: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { where, spec } of podSpecs(objs)) {
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const defined = new Set<string>();
      const check = (text: string, what: string) => {
        for (const m of text.matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) if (!defined.has(m[1]!)) problems.push(`${where} ${c.name}: ${what} uses $(${m[1]}) before it is defined`);
      };
      for (const e of c.env ?? []) {
        if (typeof e.value === 'string') check(e.value, `env ${e.name}`);
        defined.add(e.name);
      }
      for (const a of [...(c.args ?? []), ...(c.command ?? [])]) check(a, 'args');
    }
  }
  return problems;
}

/** Hosts in connection URLs (`@db:5432`, `//cache:6379`) must be Services of the same render. */
function urlHostProblems(objs: K8sObject[]): string[] {
  const services = new Set(byKind(objs, 'Service').map((s) => s.metadata.name));
  const problems: string[] = [];
  for (const { where, spec } of podSpecs(objs)) {
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const e of c.env ?? []) {
        const m = typeof e.value === 'string' ? /^[a-z]+:\/\/(?:[^@/]*@)?([a-z0-9-]+):\d+/.exec(e.value) : null;
        if (m && !services.has(m[1]!)) problems.push(`${where} ${c.name}: ${e.name} points at ${m[1]}, which is no Service`);
      }
    }
  }
  return problems;
}

function images(objs: K8sObject[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { where, spec } of podSpecs(objs)) out[where] = [...(spec.initContainers ?? []), ...spec.containers].map((c: K8sObject) => c.image);
  return out;
}

/** Images create-stack does not build: every other image must be the stack's own, tagged per environment. */
const OFFICIAL_IMAGE = /^(postgres|redis|mongo|migrate\/migrate|curlimages\/curl|busybox):/;

function allCases(): Case[] {
  return appSupport ? [...cases, appSupport] : cases;
}

describe('kustomize', () => {
  it('renders the base and every overlay, and every object passes every check', () => {
    if (!k8sBinaries()) return;
    for (const c of allCases()) {
      for (const dir of ['base', ...ENVS.map((e) => `overlays/${e}`)]) {
        const objs = kubectlKustomize(join(c.repo, 'deploy/kubernetes', dir));
        const at = `${c.name} ${dir}`;
        expect(k8sProblems(objs), at).toEqual([]);
        expect(envOrderProblems(objs), at).toEqual([]);
        expect(urlHostProblems(objs), at).toEqual([]);
      }
    }
  });

  it('app-support: the support repo renders too', () => {
    if (!k8sBinaries()) return;
    const objs = kubectlKustomize(join(appSupport!.repo, 'deploy/kubernetes/overlays/production'));
    expect(k8sProblems(objs)).toEqual([]);
    expect(byKind(objs, 'StatefulSet').map((s) => s.metadata.name)).toContain('db');
  });

  it('each overlay: its namespace, restricted Pod Security, ENVIRONMENT, replicas and image tags', () => {
    if (!k8sBinaries()) return;
    const tags = { development: 'dev', staging: 'main', production: '0.1.0' };
    const replicas = { development: [1, 1], staging: [2, 1], production: [3, 2] };
    for (const c of cases) {
      for (const env of ENVS) {
        const objs = kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays', env));
        const ns = `${c.name}-${env}`;
        const at = `${c.name} ${env}`;
        const namespace = named(objs, 'Namespace', ns);
        expect(namespace?.metadata.labels, at).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
        for (const o of objs.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace, `${at} ${o.kind}/${o.metadata.name}`).toBe(ns);
        const cm = byKind(objs, 'ConfigMap').find((m) => m.metadata.name.startsWith(`${c.name}-config-`));
        expect(cm!.data.ENVIRONMENT, at).toBe(env);
        const prefix = env === 'development' ? '' : 'ghcr.io/your-org/';
        for (const [where, list] of Object.entries(images(objs))) {
          for (const image of list) {
            if (OFFICIAL_IMAGE.test(image)) continue; // the databases' own images, and the migrate tool's
            expect(image, `${at} ${where}`).toMatch(new RegExp(`^${prefix}${c.name}-[a-z0-9-]+:${tags[env].replace('.', '\\.')}$`));
          }
        }
        for (const d of byKind(objs, 'Deployment')) {
          const svc = d.metadata.labels['app.kubernetes.io/name'];
          const want = c.http.includes(svc) ? replicas[env][0] : replicas[env][1];
          expect(d.spec.replicas, `${at} ${d.metadata.name}`).toBe(want);
        }
        for (const s of byKind(objs, 'StatefulSet')) {
          expect(s.spec.replicas).toBe(1);
          expect(s.spec.volumeClaimTemplates[0].spec.resources.requests.storage, at).toBe({ development: '1Gi', staging: '5Gi', production: '20Gi' }[env]);
        }
      }
    }
  });

  it('resources per environment: development asks for less, production for its limits', () => {
    if (!k8sBinaries()) return;
    const c = cases.find((x) => x.name === 'shop')!;
    const res = (env: string, kind: string, name: string) =>
      named(kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays', env)), kind, name)!.spec.template.spec.containers[0].resources;
    expect(res('staging', 'Deployment', 'api')).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(res('development', 'Deployment', 'api')).toEqual({ requests: { cpu: '125m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(res('production', 'Deployment', 'api-green')).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(res('production', 'StatefulSet', 'db')).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } });
  });

  it('the Secret is generated per environment with exactly the keys of secrets.env.example', () => {
    if (!k8sBinaries()) return;
    for (const c of cases) {
      for (const env of ENVS) {
        const objs = kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays', env));
        const example = join(c.repo, 'deploy/kubernetes/overlays', env, 'secrets.env.example');
        const secrets = byKind(objs, 'Secret');
        if (!existsSync(example)) {
          expect(secrets, c.name).toEqual([]);
          continue;
        }
        const keys = readFileSync(example, 'utf8').match(/^[A-Z_]+(?==)/gm);
        expect(secrets).toHaveLength(1);
        expect(secrets[0]!.metadata.name).toMatch(new RegExp(`^${c.name}-secrets-[a-z0-9]{10}$`));
        expect(Object.keys(secrets[0]!.data).sort(), `${c.name} ${env}`).toEqual([...keys!].sort());
      }
      // The base references the Secret but never generates it: no credentials outside an overlay.
      expect(byKind(kubectlKustomize(join(c.repo, 'deploy/kubernetes/base')), 'Secret')).toEqual([]);
    }
  });

  it('production is blue-green for HTTP services; workers and databases are single', () => {
    if (!k8sBinaries()) return;
    for (const c of cases) {
      const objs = kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays/production'));
      const deployments = byKind(objs, 'Deployment').map((d) => d.metadata.name).sort();
      expect(deployments, c.name).toEqual([...c.http.flatMap((s) => [`${s}-blue`, `${s}-green`]), ...c.workers].sort());
      for (const s of c.http) {
        expect(named(objs, 'Service', s)!.spec.selector.color, `${c.name} ${s}`).toBe('blue');
        expect(named(objs, 'Service', `${s}-preview`)!.spec.selector.color).toBe('green');
        for (const color of ['blue', 'green']) {
          const d = named(objs, 'Deployment', `${s}-${color}`)!;
          expect(d.spec.selector.matchLabels.color).toBe(color);
          expect(d.spec.template.metadata.labels.color).toBe(color);
        }
      }
      const pdbs = byKind(objs, 'PodDisruptionBudget').map((p) => p.metadata.name).sort();
      expect(pdbs).toEqual([...c.http, ...c.workers].sort());
      // Staging is plain rolling updates: one Deployment per app service, no colors.
      const staging = kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays/staging'));
      expect(byKind(staging, 'Deployment').map((d) => d.metadata.name).sort()).toEqual([...c.http, ...c.workers].sort());
      expect(byKind(staging, 'Service').every((s) => !('color' in (s.spec.selector ?? {})))).toBe(true);
    }
  });

  it('the migrate initContainer runs before the apps that use PostgreSQL, from the release-tagged migrations image', () => {
    if (!k8sBinaries()) return;
    for (const c of cases) {
      const objs = kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays/staging'));
      for (const d of byKind(objs, 'Deployment')) {
        const init = d.spec.template.spec.initContainers ?? [];
        if (!c.migrate.includes(d.metadata.name)) {
          expect(init, `${c.name} ${d.metadata.name}`).toEqual([]);
          continue;
        }
        expect(init.map((i: K8sObject) => i.name)).toEqual(['migrate']);
        expect(init[0].image).toBe(`ghcr.io/your-org/${c.name}-migrations:main`);
        expect(init[0].args).toEqual(['-path=/migrations', '-database=$(DATABASE_URL)', 'up']);
        expect(init[0].env.at(-1)).toEqual({ name: 'DATABASE_URL', value: 'postgresql://$(DB_USER):$(DB_PASSWORD)@db:5432/$(DB_DATABASE)?sslmode=disable' });
      }
    }
  });

  it('every container of an app service is hardened beyond the restricted profile', () => {
    if (!k8sBinaries()) return;
    for (const c of cases) {
      const objs = kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays/production'));
      for (const d of byKind(objs, 'Deployment')) {
        const spec = d.spec.template.spec;
        expect(spec.automountServiceAccountToken, d.metadata.name).toBe(false);
        expect(spec.enableServiceLinks).toBe(false);
        for (const ct of [...(spec.initContainers ?? []), ...spec.containers]) expect(ct.securityContext.readOnlyRootFilesystem, `${d.metadata.name} ${ct.name}`).toBe(true);
      }
    }
  });
});

describe('redis: the Compose command and redis.conf, the password never in argv', () => {
  /** The cache pod of rendered objects: its container, and the files its volumes hold. */
  function cachePod(objs: K8sObject[]) {
    const sts = objs.find((o) => o.kind === 'StatefulSet' && o.metadata.name.endsWith('cache'))!;
    const spec = sts.spec.template.spec;
    const ct = spec.containers.find((x: K8sObject) => x.name === 'cache');
    const mounts: Record<string, K8sObject> = {};
    for (const m of ct.volumeMounts) mounts[m.mountPath] = { ...spec.volumes?.find((v: K8sObject) => v.name === m.name), readOnly: m.readOnly };
    const cmName = mounts['/etc/cache/config']?.configMap?.name;
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cmName);
    return { ct, mounts, files: cm?.data ?? {} };
  }

  it('kustomize and helm run the Compose command on the same redis.conf, with /run/cache in memory', () => {
    if (!k8sBinaries()) return;
    const c = cases.find((x) => x.name === 'shop')!;
    const compose = parseYaml(readFileSync(join(c.repo, 'docker-compose.yml'), 'utf8'));
    const command: string[] = compose.services.cache.command;
    const conf = readFileSync(join(c.repo, 'data/cache/config/redis.conf'), 'utf8');
    expect(conf).toMatch(/^include \/run\/cache\/auth\.conf$/m);
    expect(conf).toMatch(/^maxmemory-policy allkeys-lru$/m);
    expect(compose.services.cache.tmpfs).toEqual(['/run/cache']);
    const chart = join(c.repo, 'deploy/helm/shop');
    const rendered: Array<[string, K8sObject[]]> = [
      ...ENVS.map((e): [string, K8sObject[]] => [`kustomize ${e}`, kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays', e))]),
      ['helm', helmTemplate(chart, [])],
      ['helm prod', helmTemplate(chart, [join(chart, 'values.prod.yaml')])],
    ];
    for (const [at, objs] of rendered) {
      const { ct, mounts, files } = cachePod(objs);
      expect(ct.command, at).toBeUndefined(); // the image's entrypoint stays (it runs the command)
      expect(ct.args, at).toEqual(command);
      expect(files, at).toEqual({ 'redis.conf': conf });
      expect(mounts['/etc/cache/config']!.readOnly, at).toBe(true);
      expect(mounts['/run/cache']!.emptyDir, at).toMatchObject({ medium: 'Memory' });
      expect(ct.env.find((e: K8sObject) => e.name === 'REDIS_PASSWORD').valueFrom.secretKeyRef.key, at).toBe('CACHE_PASSWORD');
    }
  });

  it('no --requirepass, and no password or $(VAR) reference, in the command of any redis', () => {
    if (!k8sBinaries()) return;
    const c = cases.find((x) => x.name === 'shop')!;
    const compose = parseYaml(readFileSync(join(c.repo, 'docker-compose.yml'), 'utf8'));
    const env = readFileSync(join(c.repo, '.env'), 'utf8');
    const password = /^CACHE_PASSWORD=(.+)$/m.exec(env)![1]!;
    const chart = join(c.repo, 'deploy/helm/shop');
    const argvs: Array<[string, string[]]> = [
      ['compose', compose.services.cache.command],
      ['kustomize', cachePod(kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays/production'))).ct.args],
      ['helm', cachePod(helmTemplate(chart, [join(chart, 'values.prod.yaml')])).ct.args],
    ];
    for (const [at, argv] of argvs) {
      const text = argv.join(' ');
      expect(text, at).not.toContain('requirepass ' + '$');
      expect(argv, at).not.toContain('--requirepass');
      expect(text, at).not.toMatch(/\$\([A-Z_]+\)|\$\{CACHE_PASSWORD/); // nothing Compose or Kubernetes would put the value into
      expect(text, at).not.toContain(password);
    }
  });
});

describe('postgres: the Compose command, postgresql.conf and first-start script', () => {
  /** The db pod of rendered objects: its container, each mount path's volume, and the files its ConfigMaps hold there. */
  function dbPod(objs: K8sObject[]) {
    const sts = objs.find((o) => o.kind === 'StatefulSet' && o.metadata.name.endsWith('db'))!;
    const spec = sts.spec.template.spec;
    const ct = spec.containers.find((x: K8sObject) => x.name === 'db');
    const mounts: Record<string, K8sObject> = {};
    for (const m of ct.volumeMounts) mounts[m.mountPath] = { ...spec.volumes?.find((v: K8sObject) => v.name === m.name), readOnly: m.readOnly };
    /** What a file at `path` holds in the pod, when a ConfigMap volume mounted at its directory puts it there. */
    const file = (path: string): { content: string; mode: number } | undefined => {
      const vol = mounts[dirname(path)];
      const cm = vol?.configMap && objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === vol.configMap.name);
      const content = cm?.data?.[basename(path)];
      return typeof content === 'string' ? { content, mode: vol!.configMap.defaultMode ?? 0o644 } : undefined;
    };
    return { ct, mounts, file };
  }

  /** Every render of a stack's db: each overlay, and the chart with the default and production values. */
  function renders(c: Case): Array<[string, K8sObject[]]> {
    const chart = join(c.repo, 'deploy/helm', c.name);
    return [
      ...ENVS.map((e): [string, K8sObject[]] => [`${c.name} kustomize ${e}`, kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays', e))]),
      [`${c.name} helm`, helmTemplate(chart, [])],
      [`${c.name} helm prod`, helmTemplate(chart, [join(chart, 'values.prod.yaml')])],
    ];
  }

  it('kustomize and helm run the Compose command, with every file the Compose image has (postgresql.conf, init script) byte for byte', () => {
    if (!k8sBinaries()) return;
    for (const c of cases.filter((x) => x.stateful.includes('db'))) {
      const compose = parseYaml(readFileSync(join(c.repo, 'docker-compose.yml'), 'utf8'));
      const command: string[] = compose.services.db.command;
      expect(command).toEqual(['postgres', '-c', 'config_file=/etc/db/config/postgresql.conf']);
      expect(compose.services.db.volumes).toContain('./data/db/config:/etc/db/config:ro');
      // What the Compose image carries (build/db/Dockerfile COPY <repo file> <path in the image>), read from the repo.
      const dockerfile = readFileSync(join(c.repo, 'build/db/Dockerfile'), 'utf8');
      const copies = [...dockerfile.matchAll(/^COPY (?:--chmod=(\d+) )?(\S+) (\S+)$/gm)].map((m) => ({ mode: m[1] ? parseInt(m[1], 8) : null, src: m[2]!, dst: m[3]! }));
      expect(copies.map((x) => x.src).sort(), c.name).toEqual(['build/db/init-script.sh', 'data/db/config/postgresql.conf']);
      for (const [at, objs] of renders(c)) {
        const { ct, mounts, file } = dbPod(objs);
        expect(ct.command, at).toBeUndefined(); // the image's entrypoint stays: it runs initdb and the init scripts
        expect(ct.args, at).toEqual(command);
        for (const copy of copies) {
          const inPod = file(copy.dst);
          expect(inPod?.content, `${at} ${copy.dst}`).toBe(readFileSync(join(c.repo, copy.src), 'utf8'));
          expect(mounts[dirname(copy.dst)]!.readOnly, `${at} ${copy.dst}`).toBe(true);
          if (copy.mode !== null) expect(inPod!.mode & 0o111, `${at} ${copy.dst} executable`).toBe(copy.mode & 0o111);
        }
        // The config file the command names is the ConfigMap's.
        expect(file(command[2]!.replace('config_file=', ''))?.content, at).toBe(readFileSync(join(c.repo, 'data/db/config/postgresql.conf'), 'utf8'));
        // initdb's directory below the data volume; the socket directory writable (the root filesystem is not).
        const dataDir = ct.volumeMounts.find((m: K8sObject) => m.name === 'data').mountPath;
        expect(ct.env.find((e: K8sObject) => e.name === 'PGDATA').value.startsWith(`${dataDir}/`), at).toBe(true);
        expect(mounts['/var/run/postgresql']!.emptyDir, at).toBeDefined();
        expect(ct.securityContext.readOnlyRootFilesystem, at).toBe(true);
      }
    }
  });

  it('the ConfigMap\'s postgresql.conf is what a real PostgreSQL reads (postgres -C on an initdb cluster)', () => {
    if (!k8sBinaries() || !requirePostgres()) return;
    const c = cases.find((x) => x.name === 'shop')!;
    const conf = readFileSync(join(c.repo, 'data/db/config/postgresql.conf'), 'utf8');
    // `postgres -C` prints a size in the setting's own unit without a suffix (8kB pages, kB) or with one
    // (newer servers): both are compared in kB, against the value the file says.
    const UNIT_KB: Record<string, number> = { shared_buffers: 8, effective_cache_size: 8, work_mem: 1, max_connections: 0 };
    const kB = (param: string, value: string): number => {
      const m = /^(\d+)\s*(kB|MB|GB)?$/.exec(value);
      if (!m) throw new Error(`${param}: not a number: ${value}`);
      if (!UNIT_KB[param]) return Number(m[1]);
      return Number(m[1]) * (m[2] ? { kB: 1, MB: 1024, GB: 1024 ** 2 }[m[2]]! : UNIT_KB[param]!);
    };
    const want = (k: string) => kB(k, new RegExp(`^${k} = (\\S+)`, 'm').exec(conf)![1]!);
    expect(want('shared_buffers')).toBe(256 * 1024);
    const dir = pgTempDir('cs-k8s-pg-');
    try {
      const data = initCluster(dir, 'app', 'k8s-test-password');
      // initdb's own postgresql.conf says otherwise, else the test could not tell the files apart.
      expect(kB('shared_buffers', showSetting(data, join(data, 'postgresql.conf'), 'shared_buffers'))).not.toBe(want('shared_buffers'));
      for (const [at, objs] of renders(c).filter(([at]) => at.endsWith('production') || at.endsWith('helm prod'))) {
        const extracted = join(dir, 'extracted.conf');
        writeFileSync(extracted, dbPod(objs).file('/etc/db/config/postgresql.conf')!.content);
        const config = copyForPostgres(extracted, dir, 'postgresql.conf');
        for (const k of Object.keys(UNIT_KB)) expect(kB(k, showSetting(data, config, k)), `${at} ${k}`).toBe(want(k));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the ConfigMap\'s init script, executed as the entrypoint would, creates the extensions on a real PostgreSQL', async () => {
    if (!k8sBinaries() || !requirePostgres()) return;
    const c = cases.find((x) => x.name === 'shop')!;
    let pg: PgServer | undefined;
    try {
      pg = await startPostgres({ superuser: 'app', password: 'k8s-test-password' });
      const { file } = dbPod(kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays/production')));
      const script = join(pg.dir, '10-init.sh');
      writeFileSync(script, file('/docker-entrypoint-initdb.d/10-init.sh')!.content, { mode: 0o755 });
      const before = pg.psql('SELECT count(*) FROM pg_extension WHERE extname IN (\'pgcrypto\', \'pg_trgm\')', { database: 'postgres' });
      expect(before.stdout.trim()).toBe('0');
      // The entrypoint runs it with POSTGRES_USER and POSTGRES_DB set, psql on PATH (here over TCP: libpq variables).
      const r = spawnSync(script, [], {
        encoding: 'utf8',
        env: { ...pg.env('postgres'), PATH: `${pg.bindir}:${process.env.PATH ?? '/usr/bin:/bin'}`, POSTGRES_USER: 'app', POSTGRES_DB: 'postgres' },
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const after = pg.psql('SELECT string_agg(extname, \',\' ORDER BY extname) FROM pg_extension WHERE extname IN (\'pgcrypto\', \'pg_trgm\')', { database: 'postgres' });
      expect(after.stdout.trim()).toBe('pg_trgm,pgcrypto');
    } finally {
      destroyPostgres(pg);
    }
  });
});

describe('helm', () => {
  it('helm lint --strict passes with the default and the production values', () => {
    if (!k8sBinaries()) return;
    for (const c of allCases()) {
      const chart = join(c.repo, 'deploy/helm', c.name);
      for (const values of [[], [join(chart, 'values.prod.yaml')]]) {
        const r = helmLint(chart, values);
        expect(r.ok, `${c.name} ${values.join(' ')}\n${r.output}`).toBe(true);
        expect(r.output).toContain('0 chart(s) failed');
      }
    }
  });

  it('helm template (default and production values) renders objects that pass every check', () => {
    if (!k8sBinaries()) return;
    for (const c of allCases()) {
      const chart = join(c.repo, 'deploy/helm', c.name);
      for (const values of [[], [join(chart, 'values.prod.yaml')]]) {
        const objs = helmTemplate(chart, values, { release: c.name, namespace: `${c.name}-production` });
        const at = `${c.name} ${values.length ? 'prod' : 'default'}`;
        expect(k8sProblems(objs), at).toEqual([]);
        expect(envOrderProblems(objs), at).toEqual([]);
        expect(urlHostProblems(objs), at).toEqual([]);
      }
    }
  });

  it('production values add an HPA, a PDB and an Ingress per HTTP service, and registry images at the release tag', () => {
    if (!k8sBinaries()) return;
    for (const c of cases) {
      const chart = join(c.repo, 'deploy/helm', c.name);
      const dflt = helmTemplate(chart, [], { release: 'rel' });
      expect(byKind(dflt, 'HorizontalPodAutoscaler')).toEqual([]);
      expect(byKind(dflt, 'Ingress')).toEqual([]);
      for (const list of Object.values(images(dflt))) for (const i of list) if (!OFFICIAL_IMAGE.test(i)) expect(i).toMatch(/:dev$/);
      const prod = helmTemplate(chart, [join(chart, 'values.prod.yaml')], { release: 'rel', set: ['imageTag=1.2.3', 'imageRegistry=ghcr.io/acme'] });
      expect(byKind(prod, 'HorizontalPodAutoscaler').map((h) => h.metadata.name).sort(), c.name).toEqual(c.http.map((s) => `rel-${c.name}-${s}`).sort());
      expect(byKind(prod, 'Ingress').map((h) => h.metadata.name).sort()).toEqual(c.http.map((s) => `rel-${c.name}-${s}`).sort());
      expect(byKind(prod, 'PodDisruptionBudget')).toHaveLength(c.http.length + c.workers.length);
      for (const d of byKind(prod, 'Deployment')) {
        const svc = d.metadata.labels['app.kubernetes.io/name'];
        expect(d.spec.replicas === undefined, `${svc}: replicas belong to the HPA`).toBe(c.http.includes(svc));
        for (const ct of [...(d.spec.template.spec.initContainers ?? []), ...d.spec.template.spec.containers]) {
          expect(ct.image).toMatch(new RegExp(`^ghcr\\.io/acme/${c.name}-[a-z0-9-]+:1\\.2\\.3$`));
        }
      }
      // helm test: one pod that calls every HTTP service through its Service
      const tests = byKind(prod, 'Pod');
      expect(tests.length).toBe(c.http.length ? 1 : 0);
      if (tests[0]) {
        expect(tests[0].metadata.annotations['helm.sh/hook']).toBe('test');
        for (const s of c.http) expect(tests[0].spec.containers[0].args[0]).toContain(`http://rel-${c.name}-${s}:`);
      }
    }
  });

  it('the chart never holds credentials: pods read the existing Secret', () => {
    if (!k8sBinaries()) return;
    for (const c of cases) {
      const chart = join(c.repo, 'deploy/helm', c.name);
      const objs = helmTemplate(chart, [join(chart, 'values.prod.yaml')], { release: c.name });
      expect(byKind(objs, 'Secret')).toEqual([]);
      const refs = new Set<string>();
      for (const { spec } of podSpecs(objs)) {
        for (const ct of [...(spec.initContainers ?? []), ...spec.containers]) for (const e of ct.env ?? []) if (e.valueFrom?.secretKeyRef) refs.add(e.valueFrom.secretKeyRef.name);
      }
      const example = join(c.repo, 'deploy/kubernetes/overlays/production/secrets.env.example');
      expect([...refs], c.name).toEqual(existsSync(example) ? [`${c.name}-secrets`] : []);
      const values = readFileSync(join(chart, 'values.yaml'), 'utf8') + readFileSync(join(chart, 'values.prod.yaml'), 'utf8');
      // No key named password (redis's start script says ${REDIS_PASSWORD:?…}: a reference, not a value).
      expect(values).not.toMatch(/password:(?:\s|$)/im);
    }
  });

  it('every Helm template file is used by some stack (nothing dead in the chart)', () => {
    if (!k8sBinaries()) return;
    const c = cases.find((x) => x.name === 'shop')!;
    const chart = join(c.repo, 'deploy/helm/shop');
    const kinds = new Set(helmTemplate(chart, [join(chart, 'values.prod.yaml')]).map((o) => o.kind));
    const byFile: Record<string, string> = {
      'deployment.yaml': 'Deployment', 'statefulset.yaml': 'StatefulSet', 'service.yaml': 'Service', 'serviceaccount.yaml': 'ServiceAccount',
      'configmap.yaml': 'ConfigMap', 'files-configmap.yaml': 'ConfigMap', 'hpa.yaml': 'HorizontalPodAutoscaler', 'pdb.yaml': 'PodDisruptionBudget', 'ingress.yaml': 'Ingress',
      'networkpolicy.yaml': 'NetworkPolicy',
    };
    for (const f of readdirSync(join(chart, 'templates')).filter((x) => x.endsWith('.yaml'))) expect(kinds.has(byFile[f]!), f).toBe(true);
    expect(kinds.has('Pod')).toBe(true); // templates/tests/test-connection.yaml
    // files-configmap.yaml: the config files of the databases that read some (redis.conf of cache).
    const files = helmTemplate(chart, [join(chart, 'values.prod.yaml')]).filter((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-cache-files'));
    expect(files.map((o) => Object.keys(o.data ?? {}))).toEqual([['redis.conf']]);
  });
});

// ---------------------------------------------------------------------------
// Hardening, read from what kubectl kustomize and helm template render
// ---------------------------------------------------------------------------

interface RenderedPod {
  /** Service name (app.kubernetes.io/name), or "test" for the helm test pod. */
  svc: string;
  where: string;
  peer: NetPeer;
  ports: number[];
}

function podsOf(objs: K8sObject[], namespace: string): RenderedPod[] {
  return podSpecs(objs).map(({ where, spec, labels }) => {
    const ports = (spec.containers as K8sObject[]).flatMap((c) => (c.ports ?? []).map((p: K8sObject) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })));
    const svc = labels['app.kubernetes.io/component'] === 'test' ? 'test' : (labels['app.kubernetes.io/name'] ?? '?');
    return { svc, where, peer: { labels, namespace, ports }, ports: ports.map((p: K8sObject) => p.containerPort) };
  });
}

const DNS: NetPeer = { labels: { 'k8s-app': 'kube-dns' }, namespace: 'kube-system', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] };
const CONTROLLER: NetPeer = { labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, namespace: 'ingress-nginx' };
const ELSEWHERE: NetPeer = { labels: { app: 'anything' }, namespace: 'somewhere-else' };

const emptySelector = (sel: K8sObject | undefined) => !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
const noRules = (np: K8sObject) => !(np.spec.ingress?.length) && !(np.spec.egress?.length);
const bothTypes = (np: K8sObject) => [...(np.spec.policyTypes ?? [])].sort().join() === 'Egress,Ingress';

/**
 * The allow-list, pair by pair: a pod reaches another pod's container port exactly when its service
 * depends on the other's (`links`); every pod reaches the cluster DNS on 53/UDP and 53/TCP and
 * nothing outside; the ingress controller reaches `webFacing` services only.
 */
function networkProblems(objs: K8sObject[], namespace: string, links: string[], webFacing: string[], at: string): string[] {
  const problems: string[] = [];
  const pods = podsOf(objs, namespace).filter((p) => p.svc !== 'test');
  expect(pods.length, at).toBeGreaterThan(0);
  for (const a of pods) {
    for (const b of pods) {
      if (a.svc === b.svc) continue;
      const linked = links.includes(`${a.svc}>${b.svc}`);
      for (const port of b.ports) {
        if (networkAllows(objs, a.peer, b.peer, port) !== linked) problems.push(`${at}: ${a.where} -> ${b.where}:${port} is ${linked ? 'blocked' : 'allowed'}`);
      }
      if (networkAllows(objs, a.peer, b.peer, 9999)) problems.push(`${at}: ${a.where} -> ${b.where}:9999 (no such port) is allowed`);
    }
    for (const proto of ['UDP', 'TCP']) if (!networkAllows(objs, a.peer, DNS, 53, proto)) problems.push(`${at}: ${a.where} cannot reach DNS on 53/${proto}`);
    if (networkAllows(objs, a.peer, { ...DNS, labels: { app: 'other' } }, 53, 'UDP')) problems.push(`${at}: ${a.where} reaches any kube-system pod on 53`);
    if (networkAllows(objs, a.peer, ELSEWHERE, 443)) problems.push(`${at}: ${a.where} reaches another namespace on 443`);
    if (networkAllows(objs, ELSEWHERE, a.peer, a.ports[0] ?? 80)) problems.push(`${at}: another namespace reaches ${a.where}`);
    const web = webFacing.includes(a.svc);
    for (const port of a.ports) if (networkAllows(objs, CONTROLLER, a.peer, port) !== web) problems.push(`${at}: the ingress controller ${web ? 'cannot reach' : 'reaches'} ${a.where}:${port}`);
  }
  return problems;
}

describe('hardening (rendered manifests)', () => {
  it('kustomize: a default-deny policy in each namespace, and only the stack\'s links, DNS and the ingress controller get through', () => {
    if (!k8sBinaries()) return;
    for (const c of allCases()) {
      for (const env of ENVS) {
        const objs = kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays', env));
        const at = `${c.name} ${env}`;
        const ns = c === appSupport ? `x-${env}` : `${c.name}-${env}`;
        const policies = byKind(objs, 'NetworkPolicy');
        const deny = policies.filter((np) => emptySelector(np.spec.podSelector) && bothTypes(np) && noRules(np));
        expect(deny.map((np) => np.metadata.namespace), at).toEqual([ns]);
        // Every HTTP app is published in these stacks, so each is web-facing.
        const http = byKind(objs, 'Deployment').filter((d) => d.spec.template.spec.containers[0].ports?.some((p: K8sObject) => p.name === 'http')).map((d) => d.metadata.labels['app.kubernetes.io/name']);
        expect(networkProblems(objs, ns, c.links, http, at)).toEqual([]);
        // The new objects are what the API accepts (kubernetes-models), beside k8sProblems' pass over everything.
        for (const np of policies) expect(() => new NetworkPolicy(np as never).validate(), `${at} ${np.metadata.name}`).not.toThrow();
      }
    }
  });

  it('kubernetes-models validation of a NetworkPolicy is a real check', () => {
    const bad = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 53, protocol: 5 }] }] } };
    expect(() => new NetworkPolicy(bad as never).validate()).toThrow();
  });

  it('helm: the release denies by default; links, DNS, the helm test pod and (with an Ingress) the controller get through', () => {
    if (!k8sBinaries()) return;
    for (const c of allCases()) {
      const chart = join(c.repo, 'deploy/helm', c.name);
      for (const prod of [false, true]) {
        const ns = `${c.name}-production`;
        const objs = helmTemplate(chart, prod ? [join(chart, 'values.prod.yaml')] : [], { release: 'rel', namespace: ns });
        const at = `${c.name} helm ${prod ? 'prod' : 'default'}`;
        const pods = podsOf(objs, ns);
        // Default deny for the release: one policy without rules that selects every pod of it.
        const deny = byKind(objs, 'NetworkPolicy').filter((np) => bothTypes(np) && noRules(np));
        expect(deny, at).toHaveLength(1);
        for (const p of pods) expect(networkAllows([deny[0]!], p.peer, p.peer, 1), `${at} ${p.where}`).toBe(false);
        const withIngress = byKind(objs, 'Ingress').map((i) => i.metadata.labels['app.kubernetes.io/name']);
        const httpApps = byKind(objs, 'Deployment').filter((d) => d.spec.template.spec.containers[0].startupProbe).map((d) => d.metadata.labels['app.kubernetes.io/name']);
        // Production values give every HTTP app an Ingress; the default values none.
        expect(withIngress.sort(), at).toEqual(prod ? httpApps.sort() : []);
        expect(networkProblems(objs, ns, c.links, withIngress, at)).toEqual([]);
        // The helm test pod calls every HTTP service, and nothing else.
        const test = pods.find((p) => p.svc === 'test');
        expect(!!test, at).toBe(httpApps.length > 0);
        for (const p of pods.filter((x) => x.svc !== 'test')) {
          if (test) expect(networkAllows(objs, test.peer, p.peer, p.ports[0] ?? 80), `${at} test -> ${p.where}`).toBe(httpApps.includes(p.svc));
        }
        for (const np of byKind(objs, 'NetworkPolicy')) expect(() => new NetworkPolicy(np as never).validate(), `${at} ${np.metadata.name}`).not.toThrow();
      }
      // The flag turns them off.
      expect(byKind(helmTemplate(chart, [], { release: 'rel', set: ['networkPolicy.enabled=false'] }), 'NetworkPolicy'), c.name).toEqual([]);
    }
  });

  it('StatefulSets run on a read-only root filesystem; what they write is a volume', () => {
    if (!k8sBinaries()) return;
    for (const c of allCases()) {
      const chart = join(c.repo, 'deploy/helm', c.name);
      const renders: Array<[string, K8sObject[]]> = [
        ...ENVS.map((e): [string, K8sObject[]] => [e, kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays', e))]),
        ['helm', helmTemplate(chart, [join(chart, 'values.prod.yaml')], { release: 'rel' })],
      ];
      for (const [where, objs] of renders) {
        const sets = byKind(objs, 'StatefulSet');
        expect(sets.length, `${c.name} ${where}`).toBe(c.stateful.length);
        for (const s of sets) {
          const spec = s.spec.template.spec;
          const volumes = new Set([...(spec.volumes ?? []).map((v: K8sObject) => v.name), ...s.spec.volumeClaimTemplates.map((v: K8sObject) => v.metadata.name)]);
          for (const ct of spec.containers) {
            const at = `${c.name} ${where} ${s.metadata.name}`;
            expect(ct.securityContext.readOnlyRootFilesystem, at).toBe(true);
            const mounts: string[] = ct.volumeMounts.map((m: K8sObject) => m.mountPath);
            for (const m of ct.volumeMounts) expect(volumes.has(m.name), `${at} ${m.name}`).toBe(true);
            expect(mounts, at).toContain('/tmp');
            if (ct.image.startsWith('postgres:')) expect(mounts, at).toContain('/var/run/postgresql');
          }
        }
      }
    }
  });

  it('Deployments with more than one replica spread their own pods over nodes and zones', () => {
    if (!k8sBinaries()) return;
    for (const c of cases) {
      const chart = join(c.repo, 'deploy/helm', c.name);
      const renders: Array<[string, K8sObject[]]> = [
        ...ENVS.map((e): [string, K8sObject[]] => [e, kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays', e))]),
        ['helm', helmTemplate(chart, [join(chart, 'values.prod.yaml')], { release: 'rel' })],
      ];
      let many = 0;
      for (const [where, objs] of renders) {
        for (const d of byKind(objs, 'Deployment')) {
          const hpa = byKind(objs, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === d.metadata.name);
          const replicas = d.spec.replicas ?? hpa?.spec.minReplicas ?? 1;
          if (replicas <= 1) continue;
          many++;
          const at = `${c.name} ${where} ${d.metadata.name}`;
          const spread: K8sObject[] = d.spec.template.spec.topologySpreadConstraints ?? [];
          expect(spread.map((t) => t.topologyKey).sort(), at).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
          // Each constraint counts exactly this Deployment's pods: not the other color's, not another service's.
          const own = d.spec.template.metadata.labels;
          for (const t of spread) {
            expect(t.labelSelector.matchLabels, at).toEqual(d.spec.selector.matchLabels);
            for (const other of byKind(objs, 'Deployment').filter((o) => o !== d)) {
              const labels = other.spec.template.metadata.labels;
              expect(Object.entries(t.labelSelector.matchLabels).every(([k, v]) => labels[k] === v), `${at} also counts ${other.metadata.name}`).toBe(false);
            }
            expect(Object.entries(t.labelSelector.matchLabels).every(([k, v]) => own[k] === v), at).toBe(true);
          }
        }
      }
      if (c.http.length + c.workers.length > 0) expect(many, c.name).toBeGreaterThan(0);
    }
  });

  it('production PDBs of blue-green services guard one color (the live one: blue as committed)', () => {
    if (!k8sBinaries()) return;
    for (const c of cases) {
      const objs = kubectlKustomize(join(c.repo, 'deploy/kubernetes/overlays/production'));
      for (const pdb of byKind(objs, 'PodDisruptionBudget')) {
        expect(() => new PodDisruptionBudget(pdb as never).validate()).not.toThrow();
        const svc = pdb.metadata.name;
        const sel = pdb.spec.selector.matchLabels;
        const guarded = byKind(objs, 'Deployment').filter((d) => Object.entries(sel).every(([k, v]) => d.spec.template.metadata.labels[k] === v)).map((d) => d.metadata.name);
        if (c.http.includes(svc)) {
          expect(sel.color, `${c.name} ${svc}`).toBe('blue');
          expect(guarded).toEqual([`${svc}-blue`]);
        } else {
          expect(sel.color).toBeUndefined();
          expect(guarded).toEqual([svc]);
        }
      }
    }
  });

  it('kube-linter checks find nothing in any render, the support repo\'s own manifests included', () => {
    if (!k8sBinaries()) return;
    for (const c of allCases()) {
      for (const dir of ['base', ...ENVS.map((e) => `overlays/${e}`)]) expect(kubeLinterFindings(kubectlKustomize(join(c.repo, 'deploy/kubernetes', dir))), `${c.name} ${dir}`).toEqual([]);
      const chart = join(c.repo, 'deploy/helm', c.name);
      for (const values of [[], [join(chart, 'values.prod.yaml')]]) expect(kubeLinterFindings(helmTemplate(chart, values, { release: 'rel' })), `${c.name} helm ${values.length}`).toEqual([]);
    }
    // app-support's kubernetes/ (apart from the deploy layer): no token in its pods, and clean.
    const own = kubectlKustomize(join(appSupport!.repo, 'kubernetes'));
    expect(kubeLinterFindings(own)).toEqual([]);
    expect(k8sProblems(own)).toEqual([]);
    const specs = podSpecs(own);
    expect(specs.map((p) => p.owner.kind).sort()).toEqual(['Deployment', 'StatefulSet']);
    for (const { where, spec } of specs) expect(spec.automountServiceAccountToken, where).toBe(false);
    // Its NetworkPolicies: default-deny, then DNS, the app to postgres:5432 and the ingress controller to the app only.
    const ns = own.find((o) => o.kind === 'Namespace')!.metadata.name as string;
    expect(networkProblems(own, ns, ['app>postgres'], ['app'], 'app-support kubernetes/')).toEqual([]);
    // Drains take one of the two app pods at a time.
    const pdb = own.find((o) => o.kind === 'PodDisruptionBudget')!;
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/component': 'application' } } });
  });
});
