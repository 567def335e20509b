// `--with deploy` on the platform preset: the Kubernetes layer of the other presets (seed 003),
// made from the kinds' k8s: sections (django, gateway, prometheus, alertmanager, grafana included),
// proven as the layer is elsewhere: kubectl kustomize of the base and every overlay, helm lint and
// helm template, and every object through kubernetes-models, Pod Security "restricted", pinned
// images and reference checks (test/helpers/k8s.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { helmLint, helmTemplate, k8sBinaries, k8sProblems, kubectlKustomize, networkAllows, type K8sObject, type NetPeer } from './helpers/k8s.js';
import { actionlintProblems } from './helpers/actionlint.js';

const ENVS = ['development', 'staging', 'production'] as const;
const work = tempDir('cs-platform-deploy-');
const repo = join(work, 'croody');
let gen: ReturnType<typeof runCli>;

beforeAll(() => {
  gen = runCli(['new', 'croody', '--preset', 'platform', '--with', 'deploy', '--yes', '--no-git'], { cwd: work });
  if (gen.code !== 0) return;
  for (const env of ENVS) {
    const dir = join(repo, 'deploy/kubernetes/overlays', env);
    if (existsSync(join(dir, 'secrets.env.example'))) copyFileSync(join(dir, 'secrets.env.example'), join(dir, 'secrets.env'));
  }
});
afterAll(() => removeDir(work));

const named = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();

describe('platform --with deploy', () => {
  it('is generated (exit 0) with the layer beside the platform', () => {
    expect(gen.stderr).toBe('');
    expect(gen.code).toBe(0);
    expect(existsSync(join(repo, 'deploy/kubernetes/base/kustomization.yaml'))).toBe(true);
    expect(existsSync(join(repo, 'terraform/ecs.tf'))).toBe(true);
  });

  it('kustomize renders the base and every overlay; every object passes every check', () => {
    if (!k8sBinaries()) return;
    for (const dir of ['base', ...ENVS.map((e) => `overlays/${e}`)]) {
      const objs = kubectlKustomize(join(repo, 'deploy/kubernetes', dir));
      expect(k8sProblems(objs), dir).toEqual([]);
    }
    const base = kubectlKustomize(join(repo, 'deploy/kubernetes/base'));
    // Apps (with the gateway) are Deployments; stores and observability keep data in StatefulSets.
    expect(named(base, 'Deployment')).toEqual(['gateway', 'ids', 'telemetry', 'web']);
    expect(named(base, 'StatefulSet')).toEqual(['alertmanager', 'cache', 'db', 'grafana', 'prometheus']);
  });

  it("NetworkPolicies: Prometheus reaches alertmanager and its scrape targets; nothing else reaches alertmanager", () => {
    if (!k8sBinaries()) return;
    const objs = kubectlKustomize(join(repo, 'deploy/kubernetes/overlays/staging'));
    const peer = (name: string): NetPeer & { port: number } => {
      const w = objs.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name)!;
      const c = w.spec.template.spec.containers[0];
      return { labels: w.spec.template.metadata.labels, namespace: w.metadata.namespace, ports: c.ports, port: c.ports[0].containerPort };
    };
    const prometheus = peer('prometheus');
    // The targets of its scrape.yml (gateway-exporter runs in Compose only).
    const scrape = parse(readFileSync(join(repo, 'data/prometheus/config/scrape.yml'), 'utf8')) as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    const targets = scrape.scrape_configs.map((j) => j.job_name).filter((n) => n !== 'prometheus' && objs.some((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment' ? o.metadata.name === n : false));
    expect(targets).toEqual(expect.arrayContaining(['alertmanager', 'web', 'grafana']));
    for (const t of targets) expect(networkAllows(objs, prometheus, peer(t), peer(t).port), `prometheus -> ${t}`).toBe(true);
    const alertmanager = peer('alertmanager');
    for (const other of ['web', 'gateway', 'grafana', 'db']) expect(networkAllows(objs, peer(other), alertmanager, alertmanager.port), `${other} -> alertmanager`).toBe(false);
  });

  it('the Helm chart passes helm lint and renders with the default and production values', () => {
    if (!k8sBinaries()) return;
    const chart = join(repo, 'deploy/helm/croody');
    const lint = helmLint(chart);
    expect(lint.ok, lint.output).toBe(true);
    for (const values of [[], [join(chart, 'values.prod.yaml')]]) {
      const objs = helmTemplate(chart, values);
      expect(k8sProblems(objs), values.join(',') || 'default values').toEqual([]);
    }
  });

  it('probes: readiness on /ready (dependencies answer), startup and liveness on /health (alive), for Django and FastAPI alike', () => {
    for (const app of ['web', 'telemetry', 'ids']) {
      const doc = parse(readFileSync(join(repo, `deploy/kubernetes/base/${app}-deployment.yaml`), 'utf8'));
      const container = doc.spec.template.spec.containers.find((c: { name: string }) => c.name === app);
      expect(container.readinessProbe.httpGet.path, app).toBe('/ready');
      expect(container.livenessProbe.httpGet.path, app).toBe('/health');
      expect(container.startupProbe.httpGet.path, app).toBe('/health');
    }
    const { apps } = parse(readFileSync(join(repo, 'deploy/helm/croody/values.yaml'), 'utf8'));
    for (const app of ['web', 'telemetry', 'ids']) expect([apps[app].healthPath, apps[app].readyPath], `helm: ${app}`).toEqual(['/health', '/ready']);
    // The gateway's own /healthz stays its own.
    expect(readFileSync(join(repo, 'deploy/kubernetes/base/gateway-deployment.yaml'), 'utf8')).toContain('/healthz');
  });

  it('every workflow passes actionlint', async () => {
    const dir = join(repo, '.github/workflows');
    for (const f of readdirSync(dir)) expect(await actionlintProblems(join(dir, f)), f).toEqual([]);
  });
});
