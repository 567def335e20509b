// The deploy layer's view of a stack: what Kubernetes, Helm, the images and CI need to know about
// each service, derived from the StackView (kinds stay data; the few runtime facts the kind
// manifests carry in their k8s: section, such as the user id an image runs as: see deploy-kinds.ts).
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { healthcheckArgv, type ServiceView, type StackView } from '../stack-view.js';
import { cpuQuantity, mebi, memoryQuantity, milli } from '../quantities.js';
import { render } from '../render.js';
import { appRuntime, migrationsDb, MIGRATE_IMAGE, statefulRuntime, type Flavor } from './deploy-kinds.js';

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export type EnvName = (typeof ENVIRONMENTS)[number];

/** Placeholder registry of the committed manifests; `make set-registry REGISTRY=…` rewrites it. */
export const REGISTRY_PLACEHOLDER = 'ghcr.io/your-org';
/** Label that tells the blue and the green Deployment of a service apart. */
export const COLOR_LABEL = 'color';
/**
 * Where the cluster's DNS and ingress controller run, for the NetworkPolicies: namespaces by their
 * automatic `kubernetes.io/metadata.name` label; CoreDNS keeps the `k8s-app: kube-dns` label.
 */
export const NETWORK = {
  dnsNamespace: 'kube-system',
  dnsPodLabels: { 'k8s-app': 'kube-dns' },
  ingressNamespace: 'ingress-nginx',
} as const;

/** One variable of a container: a literal, or a key of the stack's ConfigMap or Secret. */
export interface K8sEnv {
  name: string;
  value?: string;
  configKey?: string;
  secretKey?: string;
}

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface Probe {
  /** For docs: `GET /health`, or the command as one would type it in a shell. */
  text?: string;
  /** HTTP GET on the container's named port "http". */
  httpPath?: string;
  /** Command run in the container (exec form). */
  exec?: string[];
  /** TCP connect on the named port. */
  tcpPort?: string;
}

export interface AppDeploy {
  name: string;
  /** api-gateway → ApiGateway: alert names. */
  pascal: string;
  kind: string;
  ENV: string;
  flavor: Flavor;
  /** Logical image name, e.g. shop-api; registries and tags are added by overlays and values. */
  image: string;
  port: number | null;
  isHttp: boolean;
  isWorker: boolean;
  healthPath: string | null;
  metricsPath: string | null;
  readiness: Probe;
  liveness: Probe;
  uid: number;
  gid: number;
  env: K8sEnv[];
  /** The same for the Helm chart: Service hosts become the release's names (rendered with tpl). */
  helmEnv: K8sEnv[];
  /** Runs the migrate initContainer (it talks to the migrated database). */
  migrate: boolean;
  /** Services it connects to (its links): what its NetworkPolicy lets it reach. */
  connectsTo: string[];
  resources: Resources;
  /** Where the code is, relative to the build context. */
  src: string;
  codeDir: string;
  command: string[] | null;
  devCommand: string[] | null;
  dockerHealthcheck: string;
  baseImage: string;
  /** Python module the test stage imports (from `uvicorn main:app` or `python main.py`), if any. */
  importModule: string | null;
  /** File `node --check` parses (from `node index.js`), if any. */
  entryFile: string | null;
  /** Uses the image's own entrypoint rather than deploy/docker/entrypoint.sh (nginx). */
  keepEntrypoint: boolean;
  /** Stage names in deploy/docker/Dockerfile. */
  stages: { dependencies: string; build: string; test: string; production: string; prune: string };
}

export interface StatefulDeploy {
  name: string;
  pascal: string;
  kind: string;
  image: string;
  port: number | null;
  portName: string;
  uid: number;
  gid: number;
  dataDir: string;
  env: K8sEnv[];
  helmEnv: K8sEnv[];
  imageRepo: string;
  imageTag: string;
  args: string[] | null;
  /** ConfigMap of the files Compose mounts from data/<svc>/config, rendered from the same templates; null: none. */
  config: { name: string; dir: string; files: Array<{ file: string; content: string }>; hash: string; from: string } | null;
  /**
   * ConfigMap of the first-start scripts the Compose image copies from build/<svc>/ into
   * /docker-entrypoint-initdb.d/ (same templates), mounted there executable; null: none.
   */
  initdb: { name: string; dir: string; files: Array<{ file: string; content: string }>; hash: string; from: string } | null;
  /** In-memory emptyDirs (Compose tmpfs), e.g. where the start script writes a password file. */
  tmpfs: Array<{ name: string; path: string }>;
  /** Size of an in-memory /dev/shm (Compose shm_size), e.g. "512Mi"; null: the runtime's default. */
  shm: string | null;
  readiness: Probe;
  liveness: Probe;
  resources: Resources;
  storage: string;
  /** emptyDir volumes for the paths the image writes besides its data (the root filesystem is read-only). */
  writable: Array<{ name: string; path: string }>;
  writablePaths: string[];
  connectsTo: string[];
}

/** One service's allow-list (on top of the namespace's default deny): who may reach it, whom it reaches. */
export interface NetPolicy {
  name: string;
  /** Its container port (null: nothing connects to it). */
  port: number | null;
  /** Services that connect to it (their depends_on names it). */
  from: string[];
  /** Services it connects to, on their ports. */
  to: Array<{ name: string; port: number }>;
  /** Published HTTP service: the ingress controller may reach its port. */
  webFacing: boolean;
  /** Something may reach it (from, or webFacing). */
  ingress: boolean;
  /** ["Ingress"] when something may reach it, ["Egress"] when it reaches something, or both. */
  policyTypes: string[];
  /** "reached by api, web; reaches db:5432": the policy's comment. */
  summary: string;
}

export interface EnvWorkload {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  container: string;
  resources: Resources;
  /** Deployments with more than one replica: spread their pods over nodes and zones. */
  spread: Record<string, string> | null;
}

export interface EnvView {
  name: EnvName;
  short: string;
  namespace: string;
  isProduction: boolean;
  blueGreen: boolean;
  /** PodDisruptionBudgets: every app in production, the apps running 2+ replicas in staging. */
  pdbs: Array<{ name: string; color: string | null }>;
  /** Tag the committed overlay points at; deploys pin their own (deploy/scripts/deploy.sh). */
  imageTag: string;
  /** Registry prefix of images ('' for development: local images). */
  registry: string;
  replicas: Array<{ name: string; count: number }>;
  workloads: EnvWorkload[];
  storage: string;
}

export interface MigrationsView {
  /** The PostgreSQL service the migrations target. */
  db: string;
  image: string;
  toolImage: string;
  env: K8sEnv[];
  helmEnv: K8sEnv[];
  /** bd-build-data: migrate.sh builds a local URL from .env and the port Compose publishes. */
  local: { user: string; password: string; database: string; port: number } | null;
  /** The preset's own schema becomes migration 001 (tables dropped in reverse order on down). */
  schema: { source: string; up: string; tablesReversed: string[] } | null;
}

export interface DeployView {
  name: string;
  pascal: string;
  id: string;
  version: string;
  preset: string;
  stack: StackView;
  /** app-support: the code is in the sibling app repo; the build context is the parent directory. */
  sibling: boolean;
  buildContext: string;
  /** This repo's path inside the build context ('' or '<name>-support/'). */
  self: string;
  /** The app repo's directory name, for sibling layouts. */
  appRepo: string;
  registry: string;
  colorLabel: string;
  network: typeof NETWORK;
  /** One per service that talks or is talked to, in spec order. */
  netPolicies: NetPolicy[];
  /** For the docs: "`web` → `db:5432`, `cache:6379`; …" ('' when nothing is linked). */
  linksText: string;
  configName: string;
  secretName: string;
  serviceAccount: string;
  apps: AppDeploy[];
  httpApps: AppDeploy[];
  workers: AppDeploy[];
  stateful: StatefulDeploy[];
  config: Array<{ key: string; value: string; description: string }>;
  secrets: Array<{ key: string; description: string }>;
  migrations: MigrationsView | null;
  envs: EnvView[];
  /** Images CI builds and pushes: each app service, plus the migrations image. */
  builds: Array<{ name: string; image: string; target: string }>;
  monitorImage: string;
  /** The service the docs use as an example: the first HTTP app, else the first app. */
  primary: AppDeploy;
}

// ---------------------------------------------------------------------------
// Compose → Kubernetes translation of environment values
// ---------------------------------------------------------------------------

const TOKEN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}|\$\$|\$\(/g;

interface Known {
  secret: Set<string>;
  config: Map<string, { value: string; description: string }>;
}

/**
 * Compose values interpolate .env (`${DB_USER:-app}`, `${DB_PASSWORD:?…}`); in Kubernetes the same
 * names are keys of the stack's ConfigMap or Secret. A value that is one reference becomes a
 * valueFrom; a composite (a URL) becomes `$(NAME)` dependent expansion, with each NAME defined
 * first from its ConfigMap or Secret key.
 */
export function translateEnv(entries: Array<{ key: string; value: string }>, known: Known): K8sEnv[] {
  const out: K8sEnv[] = [];
  const defined = new Set<string>();
  const source = (name: string): K8sEnv => (known.secret.has(name) ? { name, secretKey: name } : { name, configKey: name });
  for (const { key, value } of entries) {
    const refs = [...value.matchAll(TOKEN)].filter((m) => m[1] !== undefined);
    if (refs.length === 1 && refs[0]![0] === value) {
      const ref = refs[0]![1]!;
      out.push({ ...source(ref), name: key });
      defined.add(key);
      continue;
    }
    for (const m of refs) {
      const ref = m[1]!;
      if (defined.has(ref)) continue;
      out.push(source(ref));
      defined.add(ref);
    }
    // One pass: `${NAME…}` → `$(NAME)`; Compose's `$$` is a literal `$`; a literal `$(` is `$$(` here.
    const k8sValue = value.replace(TOKEN, (tok: string, ref?: string) => (ref ? `$(${ref})` : tok === '$$' ? '$' : '$$('));
    out.push({ name: key, value: k8sValue });
    defined.add(key);
  }
  return out;
}

/**
 * Helm names every object <release>-<chart>-<svc>: a literal that names a stateful service as a
 * host (`@db:5432`, `//cache:6379`) names it through the chart's helper instead (values are tpl'd).
 */
export function helmEnv(env: K8sEnv[], chart: string, hosts: string[]): K8sEnv[] {
  if (hosts.length === 0) return env;
  const alt = hosts.map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const re = new RegExp(`(@|//)(${alt})(?=:\\d)`, 'g');
  return env.map((e) =>
    e.value === undefined ? e : { ...e, value: e.value.replace(re, (_, pre: string, host: string) => `${pre}{{ include "${chart}.svcName" (dict "root" . "svc" "${host}") }}`) },
  );
}

/** A volume name for a path: /var/run/postgresql → var-run-postgresql. */
const volumeName = (path: string) => path.replace(/^\/+|\/+$/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'root';

/**
 * The allow-list of every service, from the stack's links: each `deps` entry (Compose depends_on,
 * the URL an app gets) and each `reaches` entry (a scrape target) lets the service reach the other's
 * port, and nothing else does. A
 * published HTTP service (its Compose `ports`, in production or development) is web-facing: the ingress controller may reach it.
 */
export function netPolicies(stack: StackView): NetPolicy[] {
  const byName = new Map(stack.services.map((s) => [s.name, s]));
  const edges = stack.services.flatMap((s) =>
    [...new Set([...s.deps, ...s.reaches])].map((d) => byName.get(d)).filter((d): d is ServiceView => d !== undefined && d.port !== null && d.name !== s.name).map((d) => ({ from: s.name, to: d })),
  );
  const out: NetPolicy[] = [];
  for (const s of stack.services) {
    const from = s.port === null ? [] : edges.filter((e) => e.to.name === s.name).map((e) => e.from);
    const to = edges.filter((e) => e.from === s.name).map((e) => ({ name: e.to.name, port: e.to.port! }));
    const webFacing = s.isApp && s.isHttp && s.port !== null && (s.publish.length > 0 || s.devPublish.length > 0);
    const policyTypes = [...(from.length || webFacing ? ['Ingress'] : []), ...(to.length ? ['Egress'] : [])];
    if (policyTypes.length === 0) continue;
    const summary = [
      from.length ? `reached by ${from.join(', ')}` : '',
      webFacing ? 'reached by the ingress controller' : '',
      to.length ? `reaches ${to.map((t) => `${t.name}:${t.port}`).join(', ')}` : '',
    ].filter(Boolean).join('; ');
    out.push({ name: s.name, port: s.port, from, to, webFacing, ingress: policyTypes[0] === 'Ingress', policyTypes, summary });
  }
  return out;
}

const pascal = (name: string) => name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

// ---------------------------------------------------------------------------
// Quantities
// ---------------------------------------------------------------------------

function resourcesOf(svc: ServiceView, env: EnvName | 'base'): Resources {
  const r = svc.resources;
  const limCpu = milli(r.limits.cpus);
  const limMem = mebi(r.limits.memory);
  let reqCpu = Math.min(milli(r.reservations.cpus), limCpu);
  let reqMem = Math.min(mebi(r.reservations.memory), limMem);
  if (env === 'development') {
    // A laptop cluster: ask for half, keep the same ceiling.
    reqCpu = Math.max(10, Math.round(reqCpu / 2));
    reqMem = Math.max(16, Math.round(reqMem / 2));
  } else if (env === 'production') {
    // Guaranteed QoS: requests equal limits, so nothing is evicted before best-effort pods.
    reqCpu = limCpu;
    reqMem = limMem;
  }
  return { requests: { cpu: cpuQuantity(reqCpu), memory: memoryQuantity(reqMem) }, limits: { cpu: cpuQuantity(limCpu), memory: memoryQuantity(limMem) } };
}

// ---------------------------------------------------------------------------
// Probes
// ---------------------------------------------------------------------------

/** A command as one would type it: words with shell metacharacters single-quoted. */
export function shellWords(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function probe(p: Probe): Probe {
  return { ...p, text: p.httpPath ? `GET ${p.httpPath}` : p.exec ? shellWords(p.exec) : `TCP connect to port ${p.tcpPort}` };
}

/** The module a Python command starts: `uvicorn app.main:app` → app.main, `python main.py` → main. */
function pythonModule(command: string[] | null): string | null {
  if (!command) return null;
  const [bin, ...args] = command;
  const first = args.find((a) => !a.startsWith('-'));
  if (!first) return null;
  if (bin === 'uvicorn' || bin === 'gunicorn') return /^[A-Za-z_][\w.]*(?=:)/.exec(first)?.[0] ?? null;
  if (bin === 'python' || bin === 'python3') return /^([A-Za-z_]\w*)\.py$/.exec(first)?.[1] ?? null;
  return null;
}

// ---------------------------------------------------------------------------
// The view
// ---------------------------------------------------------------------------

/**
 * The files of data/<svc>/config a stateful pod reads, and the first-start scripts of build/<svc>/ its image
 * runs, rendered from the same kind templates as Compose's.
 */
function configMapsOf(svc: ServiceView, files: string[], initdb: Array<{ file: string; as: string }>): Pick<StatefulDeploy, 'config' | 'initdb'> {
  const ctx = { ...svc, stack: svc.stack };
  // A preset that writes its own database files (app-support's database/) hands them over already rendered.
  const config = svc.k8sFiles?.config ?? files.map((file) => ({ file, content: render(`kinds/${svc.kind}/files/data/__svc__/config/${file}`, ctx) }));
  const scripts = svc.k8sFiles?.initdb ?? initdb.map((s) => ({ file: s.as, content: render(`kinds/${svc.kind}/files/build/__svc__/${s.file}`, ctx) }));
  // A changed file changes the pod template (an annotation), so the StatefulSet rolls.
  const hash = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');
  return {
    config: config.length ? { name: `${svc.name}-files`, dir: `/etc/${svc.name}/config`, files: config, hash: hash(config), from: svc.k8sFiles?.from.config ?? `data/${svc.name}/config` } : null,
    initdb: scripts.length ? { name: `${svc.name}-initdb`, dir: '/docker-entrypoint-initdb.d', files: scripts, hash: hash(scripts), from: svc.k8sFiles?.from.initdb ?? `build/${svc.name}` } : null,
  };
}

const ENV_SHORT: Record<EnvName, string> = { development: 'dev', staging: 'staging', production: 'prod' };

export function buildDeployView(stack: StackView): DeployView {
  const name = stack.name;
  const sibling = stack.spec.preset === 'app-support';
  const self = sibling ? `${name}-support/` : '';
  const migrationsImage = `${name}-migrations`;
  const clash = stack.services.find((s) => `${name}-${s.name}` === migrationsImage);
  if (clash) {
    throw new UserError(
      'service-reserved',
      `service name "${clash.name}" would share its image name ${migrationsImage} with the deploy layer's migrations image`,
      `rename the service, e.g. --service ${clash.name}-svc:${clash.kind}`,
    );
  }

  const known: Known = { secret: new Set(), config: new Map() };
  for (const v of stack.dotenv) {
    if (v.secret) known.secret.add(v.name);
    else known.config.set(v.name, { value: v.value, description: v.description });
  }

  // The first PostgreSQL service that an app talks to is the one migrations/ targets.
  const pg = migrationsDb(stack);

  const statefulNames = stack.statefulServices.map((s) => s.name);
  const policies = netPolicies(stack);
  const connectsTo = (svc: string) => policies.find((p) => p.name === svc)?.to.map((t) => t.name) ?? [];
  const apps: AppDeploy[] = stack.appServices.map((svc) => {
    const rt = appRuntime(svc);
    const src = sibling ? `${name}` : `data/${svc.name}`;
    const check = probe(svc.isHttp && svc.healthPath ? { httpPath: svc.healthPath } : { exec: healthcheckArgv(svc.healthcheck) });
    const environment = svc.environment.filter((e) => e.key !== 'ENVIRONMENT');
    const env = translateEnv([{ key: 'ENVIRONMENT', value: '${ENVIRONMENT}' }, ...environment], known);
    return {
      name: svc.name,
      pascal: pascal(svc.name),
      kind: svc.kind,
      ENV: svc.ENV,
      helmEnv: helmEnv(env.filter((e) => e.name !== 'ENVIRONMENT'), name, statefulNames),
      flavor: rt.flavor,
      image: `${name}-${svc.name}`,
      port: svc.port,
      isHttp: svc.isHttp,
      isWorker: svc.port === null,
      healthPath: svc.healthPath,
      metricsPath: svc.metricsPath,
      // Ready when its dependencies answer; alive while the process answers at all.
      readiness: svc.isHttp && svc.readyPath ? probe({ httpPath: svc.readyPath }) : check,
      liveness: check,
      uid: rt.uid,
      gid: rt.gid,
      env,
      migrate: !!pg && svc.deps.includes(pg.name),
      connectsTo: connectsTo(svc.name),
      resources: resourcesOf(svc, 'base'),
      src,
      codeDir: svc.codeDir ?? '/app',
      command: svc.command,
      devCommand: svc.devCommand,
      dockerHealthcheck: svc.dockerHealthcheck,
      baseImage: svc.baseImage,
      importModule: pythonModule(svc.command),
      entryFile: svc.command && svc.command[0] === 'node' ? (svc.command.find((a, i) => i > 0 && !a.startsWith('-')) ?? null) : null,
      keepEntrypoint: rt.keepEntrypoint,
      stages: {
        dependencies: `${svc.name}-dependencies`,
        build: `${svc.name}-build`,
        test: `${svc.name}-test`,
        prune: `${svc.name}-prune`,
        production: `${svc.name}-production`,
      },
    };
  });

  const stateful: StatefulDeploy[] = stack.statefulServices.map((svc) => {
    const rt = statefulRuntime(svc);
    const env = translateEnv([...svc.environment, ...rt.env], known);
    const portName = svc.kind.length <= 15 ? svc.kind : 'tcp';
    const colon = svc.baseImage.lastIndexOf(':');
    const maps = configMapsOf(svc, rt.config, rt.initdb);
    return {
      name: svc.name,
      pascal: pascal(svc.name),
      kind: svc.kind,
      image: svc.baseImage,
      imageRepo: svc.baseImage.slice(0, colon),
      imageTag: svc.baseImage.slice(colon + 1),
      helmEnv: helmEnv(env, name, statefulNames),
      port: svc.port,
      portName,
      uid: rt.uid,
      gid: rt.gid,
      dataDir: svc.dataDir ?? '/data',
      env,
      // With config files the pod runs the Compose command (`$$` is `$` for both), keeping the entrypoint.
      args: rt.args ?? (maps.config ? svc.command : null),
      ...maps,
      tmpfs: svc.tmpfs.map((t, i) => ({ name: `run-${i}`, path: t.split(':')[0]! })),
      shm: svc.shmMB ? `${svc.shmMB}Mi` : null,
      readiness: probe({ exec: healthcheckArgv(svc.healthcheck) }),
      liveness: probe(svc.port !== null ? { tcpPort: portName } : { exec: healthcheckArgv(svc.healthcheck) }),
      resources: resourcesOf(svc, 'base'),
      storage: '10Gi',
      writable: rt.writable.map((path) => ({ name: volumeName(path), path })),
      writablePaths: rt.writable,
      connectsTo: connectsTo(svc.name),
    };
  });

  let migrations: MigrationsView | null = null;
  if (pg) {
    // Migrations change the schema: they connect as the database's owner, whatever role the apps use.
    const url = pg.url!;
    const sep = url.includes('?') ? '&' : '?';
    migrations = {
      db: pg.name,
      image: migrationsImage,
      toolImage: MIGRATE_IMAGE,
      env: translateEnv([{ key: 'DATABASE_URL', value: `${url}${sep}sslmode=disable` }], known),
      helmEnv: [],
      local: null,
      schema: stack.schema ? { source: stack.schema.source, up: stack.schema.up, tablesReversed: [...stack.schema.tables].reverse() } : null,
    };
    const names = ['USER', 'PASSWORD', 'DATABASE'].map((n) => `${pg.ENV}_${n}`);
    if (!sibling && pg.hostPort !== null && names.every((n) => stack.dotenv.some((v) => v.name === n))) {
      migrations.local = { user: names[0]!, password: names[1]!, database: names[2]!, port: pg.hostPort };
    }
    migrations.helmEnv = helmEnv(migrations.env, name, statefulNames);
  }

  // Keys the manifests read, in first-use order, so config.env and secrets.env list only those.
  const used = new Set<string>();
  const note = (env: K8sEnv[]) => env.forEach((e) => used.add(e.configKey ?? e.secretKey ?? ''));
  apps.forEach((a) => note(a.env));
  stateful.forEach((s) => note(s.env));
  if (migrations) note(migrations.env);
  const config = [...used]
    .filter((k) => k && !known.secret.has(k))
    .map((key) => {
      const k = known.config.get(key);
      return { key, value: key === 'ENVIRONMENT' ? 'development' : (k?.value ?? ''), description: k?.description ?? 'development, staging or production' };
    });
  const secrets = stack.dotenv.filter((v) => v.secret && used.has(v.name)).map((v) => ({ key: v.name, description: v.description }));

  const httpApps = apps.filter((a) => a.isHttp);
  const workers = apps.filter((a) => !a.isHttp);

  const envs: EnvView[] = ENVIRONMENTS.map((env) => {
    const isProduction = env === 'production';
    const replicas: Array<{ name: string; count: number }> = [];
    for (const a of apps) {
      const count = env === 'development' ? 1 : env === 'staging' ? (a.isHttp ? 2 : 1) : a.isHttp ? 3 : 2;
      if (isProduction && a.isHttp) replicas.push({ name: `${a.name}-blue`, count }, { name: `${a.name}-green`, count });
      else replicas.push({ name: a.name, count });
    }
    const workloads: EnvWorkload[] = [];
    for (const svc of stack.appServices) {
      const resources = resourcesOf(svc, env);
      const isHttp = httpApps.some((a) => a.name === svc.name);
      const colors = isProduction && isHttp ? ['blue', 'green'] : [null];
      for (const color of colors) {
        const n = color ? `${svc.name}-${color}` : svc.name;
        const many = replicas.find((r) => r.name === n)!.count > 1;
        // The pod labels of this Deployment (its selector): the spread counts only its own pods.
        const spread = many ? { 'app.kubernetes.io/name': svc.name, 'app.kubernetes.io/part-of': name, ...(color ? { [COLOR_LABEL]: color } : {}) } : null;
        workloads.push({ kind: 'Deployment', name: n, container: svc.name, resources, spread });
      }
    }
    for (const svc of stack.statefulServices) workloads.push({ kind: 'StatefulSet', name: svc.name, container: svc.name, resources: resourcesOf(svc, env), spread: null });
    return {
      name: env,
      short: ENV_SHORT[env],
      namespace: `${name}-${env}`,
      isProduction,
      blueGreen: isProduction && httpApps.length > 0,
      pdbs: apps
        .filter((a) => isProduction || (env === 'staging' && replicas.find((r) => r.name === a.name)!.count > 1))
        .map((a) => ({ name: a.name, color: isProduction && a.isHttp ? 'blue' : null })),
      imageTag: env === 'development' ? 'dev' : env === 'staging' ? 'main' : '0.1.0',
      registry: env === 'development' ? '' : REGISTRY_PLACEHOLDER,
      replicas,
      workloads,
      storage: env === 'development' ? '1Gi' : env === 'staging' ? '5Gi' : '20Gi',
    };
  });

  const builds = apps.map((a) => ({ name: a.name, image: a.image, target: a.stages.production }));
  if (migrations) builds.push({ name: 'migrations', image: migrations.image, target: 'migrations' });

  return {
    name,
    pascal: pascal(name),
    id: stack.id,
    version: stack.version,
    preset: stack.spec.preset,
    stack,
    sibling,
    buildContext: sibling ? '..' : '.',
    self,
    appRepo: name,
    registry: REGISTRY_PLACEHOLDER,
    colorLabel: COLOR_LABEL,
    network: NETWORK,
    netPolicies: policies,
    linksText: policies
      .filter((p) => p.to.length)
      .map((p) => `\`${p.name}\` → ${p.to.map((t) => `\`${t.name}:${t.port}\``).join(', ')}`)
      .join('; '),
    configName: `${name}-config`,
    secretName: `${name}-secrets`,
    serviceAccount: name,
    apps,
    httpApps,
    workers,
    stateful,
    config,
    secrets,
    migrations,
    envs,
    builds,
    monitorImage: stack.monitorImage,
    primary: httpApps[0] ?? apps[0]!,
  };
}
