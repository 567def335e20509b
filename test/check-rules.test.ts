// Every rule: a failing and a passing fixture. Compose, Dockerfile and workflow rules are proven on
// the very examples docs/rules.md shows; the others on small repos written here.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRepo } from '../src/model/index.js';
import { checkRepo, knownRuleIds, loadRules } from '../src/check/runner.js';
import { removeDir, tempDir } from './helpers/cli.js';
import type { Finding } from '../src/check/types.js';

const work = tempDir('cs-rules-');
afterAll(() => removeDir(work));
let n = 0;

type Files = Record<string, string | { text: string; mode: number }>;

async function findings(files: Files): Promise<Finding[]> {
  const dir = join(work, `r${++n}`);
  mkdirSync(dir, { recursive: true });
  for (const [path, v] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    const { text, mode } = typeof v === 'string' ? { text: v, mode: 0o644 } : v;
    writeFileSync(join(dir, path), text);
    chmodSync(join(dir, path), mode);
  }
  const { findings: list } = await checkRepo(loadRepo(dir), { levels: new Map([['drift/managed-file-changed', 'off'], ['drift/spec-outdated', 'off']]), ignore: [] });
  expect(list.filter((f) => f.message.startsWith('internal error'))).toEqual([]);
  return list;
}

const rules = await loadRules();
const rules0 = (id: string) => rules.find((r) => r.id === id)!.examples;

/** The examples of these areas are whole files: proven as written. */
const EXAMPLE_FILE: Record<string, string> = { compose: 'compose.yaml', dockerfile: 'Dockerfile' };

const WF = (body: string) => `on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n${body}`;
const DEPLOY = (container: string, pod = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
${pod}      containers:
        - name: api
          image: "ghcr.io/org/api:1.4.2"
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: ["ALL"]}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 512Mi}
          readinessProbe: {httpGet: {path: /health, port: 8000}}
          livenessProbe: {httpGet: {path: /health, port: 8000}}
${container}`;
const LAYOUT = { 'bd/db-data/.gitkeep': '', 'build/api/Dockerfile': 'FROM python:3.12.8-slim\nUSER 10001\n', 'data/scripts/setup.sh': '', 'data/scripts/test.sh': '', 'data/scripts/cleanup.sh': '', 'data/scripts/diagnostic.sh': '' };
const HTTP_COMPOSE = 'services:\n  api:\n    build: {context: ., dockerfile: build/api/Dockerfile}\n    ports: ["8000:8000"]\n';

const TWIN = { 'docker-compose.yml': HTTP_COMPOSE, 'build/api/Dockerfile': 'FROM python:3.12.8-slim-bookworm\nUSER 10001\nCMD ["uvicorn", "main:app"]\n' };

const FIXTURES: Record<string, { bad: Files; good: Files }> = {
  // The examples, in the files they need around them.
  'compose/bind-mount-missing': { bad: { 'compose.yaml': rules0('compose/bind-mount-missing').bad }, good: { 'compose.yaml': rules0('compose/bind-mount-missing').good, 'conf/nginx.conf': 'events {}\n' } },
  'compose/prod-secret-required': {
    bad: { 'docker-compose.yml': 'services:\n  db:\n    image: "postgres:16.6"\n', 'docker-compose.prod.yml': rules0('compose/prod-secret-required').bad },
    good: { 'docker-compose.yml': 'services:\n  db:\n    image: "postgres:16.6"\n', 'docker-compose.prod.yml': rules0('compose/prod-secret-required').good },
  },
  'dockerfile/deploy-twin': { bad: { ...TWIN, 'deploy/docker/Dockerfile': rules0('dockerfile/deploy-twin').bad }, good: { ...TWIN, 'deploy/docker/Dockerfile': rules0('dockerfile/deploy-twin').good } },
  'yaml/parse-error': { bad: { 'compose.yaml': 'services:\n  a: [\n' }, good: { 'compose.yaml': 'services: {}\n' } },
  'yaml/unreadable-file': { bad: { 'k8s/x.yaml': 'a: b\0\n' }, good: { 'k8s/x.yaml': 'a: b\n' } },
  'secrets/env-gitignored': { bad: { '.env': { text: 'A=1\n', mode: 0o600 } }, good: { '.env': { text: 'A=1\n', mode: 0o600 }, '.gitignore': '.env\n', '.env.example': 'A=\n' } },
  'secrets/env-mode': { bad: { '.env': { text: 'A=1\n', mode: 0o644 }, '.gitignore': '.env\n' }, good: { '.env': { text: 'A=1\n', mode: 0o600 }, '.gitignore': '.env\n' } },
  'secrets/high-entropy': { bad: { 'deploy/config.yaml': 'apiToken: "q8Zr2vLx9TmW4bNc7KpD1sFh"\n' }, good: { 'deploy/config.yaml': 'apiToken: "${API_TOKEN}"\nlogLevel: "q8Zr2vLx9TmW4bNc7KpD1sFh"\ntopologyKey: topology.kubernetes.io/zone\nkey: app.kubernetes.io/name\n' } },
  'secrets/spec-no-secret': { bad: { '.create-stack.yaml': 'name: shop\ndbPassword: hunter2\n' }, good: { '.create-stack.yaml': 'name: shop\npreset: bd-build-data\n' } },
  'layout/bd-data-only': { bad: { ...LAYOUT, 'bd/Dockerfile': 'FROM x:1\n', 'bd/db-data/init.py': 'print()\n' }, good: LAYOUT },
  'layout/build-dockerfiles-only': { bad: { ...LAYOUT, 'build/api/main.py': 'print()\n' }, good: { ...LAYOUT, 'build/api/Dockerfile.dockerignore': '*\n', 'build/db/init-script.sh': 'true\n' } },
  'layout/config-read-only': { bad: { 'compose.yaml': 'services:\n  api:\n    image: "a:1"\n    volumes:\n      - ./data/api/config:/etc/api/config\n' }, good: { 'compose.yaml': 'services:\n  api:\n    image: "a:1"\n    volumes:\n      - ./data/api/config:/etc/api/config:ro\n' } },
  'layout/monitor-script': { bad: { ...LAYOUT, 'docker-compose.yml': HTTP_COMPOSE }, good: { ...LAYOUT, 'docker-compose.yml': HTTP_COMPOSE, 'data/monitoring/monitor_api.sh': '#!/bin/sh\n' } },
  'layout/standard-scripts': { bad: { 'bd/db-data/.gitkeep': '', 'build/api/Dockerfile': 'FROM x:1\n', 'data/scripts/setup.sh': '' }, good: LAYOUT },
  'k8s/pod-security': { bad: { 'k8s/d.yaml': DEPLOY('').replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true') }, good: { 'k8s/d.yaml': DEPLOY('') } },
  'k8s/resources': { bad: { 'k8s/d.yaml': DEPLOY('').replace(/ {10}resources:\n.*\n.*\n/, '') }, good: { 'k8s/d.yaml': DEPLOY('') } },
  'k8s/probes': { bad: { 'k8s/d.yaml': DEPLOY('').replace(/ {10}readinessProbe.*\n/, '') }, good: { 'k8s/d.yaml': DEPLOY('') } },
  'k8s/image-pinned': { bad: { 'k8s/d.yaml': DEPLOY('').replace('api:1.4.2', 'api:latest') }, good: { 'k8s/d.yaml': DEPLOY('') } },
  'k8s/no-host-access': { bad: { 'k8s/d.yaml': DEPLOY('', '      hostNetwork: true\n') }, good: { 'k8s/d.yaml': DEPLOY('') } },
  'helm/values-image-pinned': { bad: { 'chart/Chart.yaml': 'name: c\n', 'chart/values.yaml': 'image:\n  repository: ghcr.io/org/api\n  tag: latest\n' }, good: { 'chart/Chart.yaml': 'name: c\n', 'chart/values.yaml': 'image:\n  repository: ghcr.io/org/api\n  tag: "1.4.2"\n' } },
  'helm/values-security': {
    bad: { 'chart/Chart.yaml': 'name: c\n', 'chart/values.yaml': 'podSecurityContext: {}\nsecurityContext: {}\n' },
    good: { 'chart/Chart.yaml': 'name: c\n', 'chart/values.yaml': 'podSecurityContext:\n  runAsNonRoot: true\n  seccompProfile: {type: RuntimeDefault}\nsecurityContext:\n  allowPrivilegeEscalation: false\n  capabilities: {drop: ["ALL"]}\n' },
  },
  'workflow/permissions': { bad: { '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps: [{run: make}]\n' }, good: { '.github/workflows/ci.yml': WF('      - run: make\n') } },
  'workflow/action-pinned': { bad: { '.github/workflows/ci.yml': WF('      - uses: some-org/deploy@main\n      - uses: other/x\n') }, good: { '.github/workflows/ci.yml': WF('      - uses: some-org/deploy@v2.3.1\n      - uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab\n      - uses: ./local\n') } },
  'workflow/pr-target-checkout': {
    bad: { '.github/workflows/ci.yml': 'on: pull_request_target\npermissions: {contents: read}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n' },
    good: { '.github/workflows/ci.yml': 'on: pull_request_target\npermissions: {contents: read}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n' },
  },
};


describe('every rule has metadata, a failing and a passing fixture', () => {
  it('ids are the module paths; metadata is complete; fixable iff a fix exists', () => {
    expect(new Set(rules.map((r) => r.id))).toEqual(knownRuleIds());
    for (const r of rules) {
      expect(r.id).toMatch(/^[a-z0-9]+\/[a-z0-9-]+$/);
      for (const k of ['title', 'rationale', 'howToFix'] as const) expect(r[k].length, `${r.id}.${k}`).toBeGreaterThan(10);
      expect(r.examples.bad, r.id).not.toBe(r.examples.good);
      expect(r.fixable, r.id).toBe(typeof r.fix === 'function');
    }
  });

  for (const rule of rules) {
    const area = rule.id.split('/')[0]!;
    if (area === 'drift') continue; // rendered specs: test/check-matrix.test.ts
    const fx = FIXTURES[rule.id] ?? (EXAMPLE_FILE[area] ? { bad: { [EXAMPLE_FILE[area]!]: rule.examples.bad }, good: { [EXAMPLE_FILE[area]!]: rule.examples.good } } : undefined);
    it(`${rule.id}: fails on bad, passes on good`, async () => {
      expect(fx, `no fixture for ${rule.id}`).toBeDefined();
      const bad = (await findings(fx!.bad)).filter((f) => f.rule === rule.id);
      expect(bad.length, `${rule.id} on its bad example`).toBeGreaterThan(0);
      for (const f of bad) expect(f.severity).toBe(rule.severity);
      const good = (await findings(fx!.good)).filter((f) => f.rule === rule.id);
      expect(good, `${rule.id} on its good example`).toEqual([]);
    });
  }
});

describe('positions point at the offending key or value in the original text', () => {
  it('merge keys, anchors, list-form environment, an override file', async () => {
    const f = await findings({
      'docker-compose.yml': `x-base: &base\n  restart: unless-stopped\nservices:\n  db:\n    <<: *base\n    image: "postgres:16.6"\n    environment:\n      - POSTGRES_PASSWORD=hunter2\n`,
      'docker-compose.override.yml': `services:\n  db:\n    ports:\n      - 5432:5432\n    image: "postgres:latest"\n`,
    });
    const at = (rule: string) => f.filter((x) => x.rule === rule).map((x) => `${x.file}:${x.line}:${x.col}`);
    expect(at('compose/literal-secret')).toEqual(['docker-compose.yml:8:9']);
    expect(at('compose/db-port-exposed')).toEqual(['docker-compose.override.yml:4:9']);
    expect(at('compose/image-pinned')).toEqual(['docker-compose.override.yml:5:12']);
    // restart comes from the merge key: no finding.
    expect(at('compose/restart-policy')).toEqual([]);
  });

  it('a document of a multi-document manifest', async () => {
    const f = await findings({ 'k8s/all.yaml': `apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n${DEPLOY('').replace('api:1.4.2', 'api')}` });
    expect(f.filter((x) => x.rule === 'k8s/image-pinned').map((x) => `${x.line}:${x.col}`)).toEqual(['19:18']);
  });

  it('host ports across merged files, undefined names, health commands by image family', async () => {
    const f = await findings({
      'compose.yaml': 'services:\n  a:\n    image: "python:3.12-slim"\n    ports: ["8080:80"]\n    healthcheck:\n      test: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]\n    networks: [front]\n',
      'compose.override.yaml': 'services:\n  b:\n    image: "mongo:7.0"\n    ports: ["8080:81"]\n    depends_on: [c]\n    healthcheck:\n      test: ["CMD", "mongo", "--eval", "1"]\n',
    });
    const msgs = f.filter((x) => ['compose/host-port-conflict', 'compose/undefined-reference', 'compose/health-command-exists'].includes(x.rule)).map((x) => `${x.file}:${x.line}:${x.col} ${x.rule}`);
    expect(msgs.sort()).toEqual([
      'compose.override.yaml:4:13 compose/host-port-conflict',
      'compose.override.yaml:5:18 compose/undefined-reference',
      'compose.override.yaml:7:13 compose/health-command-exists',
      'compose.yaml:6:13 compose/health-command-exists',
      'compose.yaml:7:16 compose/undefined-reference',
    ]);
  });
});
