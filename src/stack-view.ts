// Turns a validated StackSpec into the plain data every template renders from.
import { envPrefix, type ServiceSpec, type StackSpec } from './spec.js';
import type { KindBackup, KindManifest } from './kind.js';

export const MONITOR_IMAGE = 'curlimages/curl:8.11.1';

export interface EnvEntry {
  key: string;
  value: string;
}

/** A variable of .env / .env.example. */
export interface DotEnvVar {
  name: string;
  value: string;
  secret: boolean;
  description: string;
}

export interface ServiceView {
  name: string;
  kind: string;
  ENV: string;
  role: 'app' | 'stateful';
  isApp: boolean;
  isStateful: boolean;
  isHttp: boolean;
  port: number | null;
  hostPort: number | null;
  baseImage: string;
  image: string;
  healthPath: string | null;
  readyPath: string | null;
  /** How a stateful service is backed up and restored inside its container; null for the others. */
  backup: KindBackup | null;
  metricsPath: string | null;
  healthcheck: string[];
  /** The same check for a Dockerfile HEALTHCHECK: exec form, or shell form without Compose's `$$`. */
  dockerHealthcheck: string;
  command: string[] | null;
  devCommand: string[] | null;
  dataDir: string | null;
  codeDir: string | null;
  codeSubdir: string | null;
  language: string | null;
  environment: EnvEntry[];
  prodEnvironment: EnvEntry[];
  deps: string[];
  /** Services it connects to without waiting for them (Compose depends_on): Prometheus' scrape targets. */
  reaches: string[];
  /** One-shot Compose services it starts after, once they exit 0 (the migrate service). */
  after: string[];
  /** Compose `ports` of the base file ("host:container"); presets may publish otherwise (a gateway in front). */
  publish: string[];
  /** Compose `ports` of the development override only. */
  devPublish: string[];
  edge: boolean;
  /** Mounts besides config, bd/ data and logs (a preset's shared volumes). */
  extraVolumes: string[];
  /** In-memory mounts (Compose tmpfs), e.g. where a start script writes a password file. */
  tmpfs: string[];
  dotenv: DotEnvVar[];
  resources: KindManifest['resources'];
  k8s: KindManifest['k8s'] | null;
  /**
   * Files a preset renders for the Kubernetes ConfigMaps of a stateful service instead of the kind's own
   * (app-support: its database/postgresql.conf and database/init/), so Compose and Kubernetes read the same.
   */
  k8sFiles?: {
    config: Array<{ file: string; content: string }>;
    initdb: Array<{ file: string; content: string }>;
    /** Where Compose reads them from, for the manifests' comments: the config folder, the first-start folder. */
    from: { config: string; initdb: string };
  };
  /** Size of its /dev/shm in MB where the default (64MB) is too small (a tuned PostgreSQL). */
  shmMB?: number;
  /** How its owner reaches it (Compose interpolation), e.g. a PostgreSQL URL; null for kinds without one. */
  url: string | null;
  stack: StackView;
}

export interface StackView {
  name: string;
  /** Name usable as an identifier (SQL database, Python package): a-z0-9_. */
  id: string;
  version: string;
  services: ServiceView[];
  appServices: ServiceView[];
  statefulServices: ServiceView[];
  httpServices: ServiceView[];
  /** Services by kind, in spec order: lets a template find "the django service" or "every fastapi". */
  byKind: Record<string, ServiceView[]>;
  dotenv: DotEnvVar[];
  monitorImage: string;
  /** Named volumes of the base Compose file (none unless a preset shares one between services). */
  volumes: string[];
  spec: StackSpec;
  /** A schema the preset already owns (app-support: the app's create_tables.sql), for layers' first migration. */
  schema?: { source: string; up: string; tables: string[] };
}

interface Tokens {
  ENV: string;
  service: string;
  stack_id: string;
}

function subst(text: string, t: Tokens): string {
  return text.replace(/\{\{(ENV|service|stack_id)\}\}/g, (_, k: keyof Tokens) => t[k]);
}

const MISSING_DEV = 'is not set: run data/scripts/setup.sh (or copy .env.example to .env)';
const MISSING_PROD = 'must be set for production (see .env.example)';

export function buildStackView(spec: StackSpec, kinds: Record<string, KindManifest>, version: string): StackView {
  const stack: StackView = {
    name: spec.name,
    id: spec.name.replace(/-/g, '_'),
    version,
    services: [],
    appServices: [],
    statefulServices: [],
    httpServices: [],
    byKind: {},
    dotenv: [],
    monitorImage: MONITOR_IMAGE,
    volumes: [],
    spec,
  };
  const stateful = spec.services.filter((s) => kinds[s.kind]!.role === 'stateful');
  stack.dotenv.push(
    { name: 'COMPOSE_PROJECT_NAME', value: spec.name, secret: false, description: 'Compose project name (prefix of containers, networks, volumes)' },
    { name: 'ENVIRONMENT', value: 'development', secret: false, description: 'development or production' },
    { name: 'TAG', value: 'dev', secret: false, description: 'tag of the images Compose builds' },
  );
  for (const svc of spec.services) {
    const view = serviceView(svc, kinds, stateful, stack);
    stack.services.push(view);
    (view.isApp ? stack.appServices : stack.statefulServices).push(view);
    if (view.isHttp) stack.httpServices.push(view);
    (stack.byKind[view.kind] ??= []).push(view);
    stack.dotenv.push(...view.dotenv);
  }
  return stack;
}

function serviceView(svc: ServiceSpec, kinds: Record<string, KindManifest>, stateful: ServiceSpec[], stack: StackView): ServiceView {
  const kind = kinds[svc.kind]!;
  const ENV = envPrefix(svc.name);
  const t: Tokens = { ENV, service: svc.name, stack_id: stack.id };
  const isApp = kind.role === 'app';
  const environment: EnvEntry[] = [];
  const prodEnvironment: EnvEntry[] = [];
  const dotenv: DotEnvVar[] = [];

  if (isApp) {
    environment.push({ key: 'SERVICE_NAME', value: svc.name }, { key: 'ENVIRONMENT', value: '${ENVIRONMENT:-development}' });
    if (kind.port !== null) environment.push({ key: 'PORT', value: String(kind.port) });
    environment.push({ key: 'CONFIG_DIR', value: `/etc/${svc.name}/config` });
    prodEnvironment.push({ key: 'ENVIRONMENT', value: 'production' });
  }
  for (const e of kind.env) {
    const from = e.from ? subst(e.from, t) : null;
    const dflt = e.value !== undefined ? subst(e.value, t) : '';
    if (!from) {
      environment.push({ key: e.var, value: dflt });
      continue;
    }
    dotenv.push({ name: from, value: dflt, secret: !!e.secret, description: subst(e.description, t) });
    if (e.secret) {
      environment.push({ key: e.var, value: `\${${from}:?${from} ${MISSING_DEV}}` });
      prodEnvironment.push({ key: e.var, value: `\${${from}:?${from} ${MISSING_PROD}}` });
    } else {
      environment.push({ key: e.var, value: `\${${from}:-${dflt}}` });
    }
  }
  const deps: string[] = [];
  if (isApp && kind.storeClient !== false) {
    for (const dep of stateful) {
      const depKind = kinds[dep.kind]!;
      if (!depKind.url) continue;
      const depT: Tokens = { ENV: envPrefix(dep.name), service: dep.name, stack_id: stack.id };
      environment.push({ key: `${depT.ENV}_URL`, value: subst(depKind.url, depT) });
      deps.push(dep.name);
    }
  }
  return {
    name: svc.name,
    kind: svc.kind,
    ENV,
    role: kind.role,
    isApp,
    isStateful: !isApp,
    isHttp: kind.healthPath !== null && kind.port !== null,
    port: kind.port,
    hostPort: kind.port === null ? null : (svc.port ?? kind.port),
    baseImage: kind.image,
    image: `${stack.name}-${svc.name}:\${TAG:-dev}`,
    healthPath: kind.healthPath,
    readyPath: kind.readyPath ?? null,
    backup: kind.backup ?? null,
    metricsPath: kind.metricsPath,
    healthcheck: kind.healthcheck,
    dockerHealthcheck: dockerHealthcheck(kind.healthcheck),
    command: kind.command ? kind.command.map((c) => subst(c, t)) : null,
    devCommand: kind.devCommand ? kind.devCommand.map((c) => subst(c, t)) : null,
    dataDir: kind.dataDir ?? null,
    codeDir: kind.codeDir ?? null,
    codeSubdir: kind.codeSubdir ?? null,
    language: kind.language ?? null,
    environment,
    prodEnvironment,
    deps,
    reaches: [],
    after: [],
    // Production publishes only the way in (an edge kind such as nginx): `--scale api=3` then works, and
    // the apps are reached through it or a reverse proxy. Development publishes every app's port.
    publish: isApp && kind.port !== null && kind.edge ? [`${svc.port ?? kind.port}:${kind.port}`] : [],
    devPublish: isApp && kind.port !== null && !kind.edge ? [`${svc.port ?? kind.port}:${kind.port}`] : [],
    edge: !!kind.edge,
    extraVolumes: [],
    tmpfs: (kind.tmpfs ?? []).map((p) => subst(p, t)),
    dotenv,
    resources: kind.resources,
    k8s: kind.k8s ?? null,
    url: kind.url ? subst(kind.url, t) : null,
    stack,
  };
}

/** A Compose healthcheck `test` as the argv it runs: CMD-SHELL goes through `sh -c`, with Compose's `$$` as `$`. */
export function healthcheckArgv(test: string[]): string[] {
  const [form, ...rest] = test;
  if (form === 'CMD-SHELL') return ['sh', '-c', rest.join(' ').replace(/\$\$/g, '$')];
  if (form === 'CMD') return rest;
  throw new Error(`internal: healthcheck form ${form}`);
}

/** The same check for a Dockerfile HEALTHCHECK: shell form for CMD-SHELL, exec form for CMD. */
export function dockerHealthcheck(test: string[]): string {
  const argv = healthcheckArgv(test);
  return test[0] === 'CMD-SHELL' ? argv[2]! : JSON.stringify(argv);
}
