// Seed 002: a microservice platform in the bd/ build/ data/ layout of seed 001. The Compose files,
// scripts and per-service folders are bd-build-data's own templates; the kinds (django, fastapi,
// postgres, redis, gateway, prometheus, alertmanager, grafana) are the shared kinds. What this
// module adds: the seed's ports, the gateway in front, FastAPI services with an API key beside
// /health and /ready, Grafana dashboards, seven workflows and Terraform for AWS.
import { kinds, presets, version } from '../templates.js';
import { renderGroup } from '../render-group.js';
import { migrateService } from './compose-migrate.js';
import { newSecret } from '../secrets.js';
import { appendMissingVars } from '../dotenv.js';
import { buildStackView, dockerHealthcheck, type ServiceView, type StackView } from '../stack-view.js';
import { FileTree } from '../tree.js';
import type { StackSpec } from '../spec.js';
import type { PresetOutput } from './types.js';
import { PLATFORM_OWN_SERVICES, platformServices } from './platform-spec.js';
import { serviceDashboard } from './platform-dashboards.js';
import { terraformView } from './platform-terraform.js';
import { ACTIONS } from '../actions.js';

const PRESET = 'platform';
const LAYOUT = 'bd-build-data';
/** The gateway's container ports and where the host publishes them. */
export const GATEWAY_HTTP = { container: 8080, host: 80 };
export const GATEWAY_HTTPS = { container: 8443, host: 443 };
/** Where the web app collects its static files; the gateway serves the same volume under /static/. */
const STATIC_IN_WEB = '/app/staticfiles';
const STATIC_IN_GATEWAY = '/srv/static';

/**
 * The seed gives each service its own port (web 8000, telemetry 9000, ids 9100): the port of a
 * platform service is the one its server listens on, not only where the host publishes it. The
 * kind's command and health check name the kind's default port; they are moved to this one.
 */
function listenOn(view: ServiceView, port: number): void {
  const from = view.port;
  if (from === null || from === port) return;
  const swap = (s: string) => (s === String(from) ? String(port) : s.replace(new RegExp(`:${from}(?!\\d)`, 'g'), `:${port}`));
  view.command = view.command?.map(swap) ?? null;
  view.devCommand = view.devCommand?.map(swap) ?? null;
  view.healthcheck = view.healthcheck.map(swap);
  view.dockerHealthcheck = dockerHealthcheck(view.healthcheck);
  for (const e of view.environment) if (e.key === 'PORT') e.value = String(port);
  view.port = port;
  view.hostPort = port;
}

/**
 * FastAPI services of this preset want an API key on /api/. Their code serves the kind's /health
 * (alive) and /ready (dependencies reachable) without it, so the kind's probes stand as they are.
 */
function platformFastapi(view: ServiceView, stack: StackView): void {
  const key = `${view.ENV}_API_KEY`;
  const v = { name: key, value: '', secret: true, description: `API key clients of ${view.name} send in the X-API-Key header` };
  view.dotenv.push(v);
  stack.dotenv.push(v);
  view.environment.push({ key: 'API_KEY', value: `\${${key}:?${key} is not set: run data/scripts/setup.sh (or copy .env.example to .env)}` });
  view.prodEnvironment.push({ key: 'API_KEY', value: `\${${key}:?${key} must be set for production (see .env.example)}` });
}

/** Renders a group into a scratch tree, then into `tree`, replacing files an earlier group rendered. */
function renderOver(tree: FileTree, opts: Parameters<typeof renderGroup>[1]): void {
  const scratch = new FileTree();
  renderGroup(scratch, opts);
  for (const [path, file] of scratch.files) {
    tree.files.delete(path);
    tree.files.set(path, file);
  }
}

export function planPlatform(spec: StackSpec): PresetOutput {
  const userServices = platformServices(spec);
  // The spec as recorded (and as layers see it): the services it was given, or the seed's.
  const effective: StackSpec = { ...spec, services: userServices, terraform: spec.terraform ?? true };
  const stack = buildStackView({ ...effective, services: [...userServices, ...PLATFORM_OWN_SERVICES] }, kinds, version);
  stack.spec = effective;

  for (const [i, svc] of userServices.entries()) {
    const view = stack.services[i]!;
    if (svc.port !== undefined) listenOn(view, svc.port);
    if (view.kind === 'fastapi') platformFastapi(view, stack);
  }
  const byName = (name: string) => stack.services.find((s) => s.name === name)!;
  const gateway = byName('gateway');
  const web = stack.byKind.django?.[0];
  const routed = stack.appServices.filter((s) => s.kind === 'django' || s.kind === 'fastapi');
  // Only the gateway is published; everything else is reached through it (or on loopback in development).
  for (const s of stack.services) {
    s.publish = [];
    s.devPublish = [];
  }
  gateway.publish = [`${GATEWAY_HTTP.host}:${GATEWAY_HTTP.container}`, `${GATEWAY_HTTPS.host}:${GATEWAY_HTTPS.container}`];
  gateway.deps = routed.map((s) => s.name);
  byName('grafana').deps = ['prometheus'];
  // Prometheus reads the gateway through its exporter (open-source nginx has no metrics endpoint).
  const exporter = byName('gateway-exporter');
  exporter.command = [`--nginx.scrape-uri=http://${gateway.name}:8081/stub_status`, `--web.listen-address=:${exporter.port}`];
  exporter.deps = [gateway.name];
  byName('prometheus').deps = [];
  // ...but it connects to what its scrape.yml names: the alertmanagers and every HTTP service with metrics.
  for (const prom of stack.byKind.prometheus ?? []) {
    prom.reaches = [...(stack.byKind.alertmanager ?? []), ...stack.httpServices.filter((s) => s.metricsPath)].map((s) => s.name).filter((n) => n !== prom.name);
  }
  if (web) {
    const volume = `${web.name}-static`;
    stack.volumes.push(volume);
    web.extraVolumes.push(`${volume}:${STATIC_IN_WEB}`);
    gateway.extraVolumes.push(`${volume}:${STATIC_IN_GATEWAY}:ro`);
  }

  const userOwned = presets[PRESET]!.userOwned;
  // A Django SECRET_KEY wants 50 characters or more (manage.py check --deploy); other secrets 32 bytes.
  const secrets = Object.fromEntries(
    stack.dotenv.filter((v) => v.secret).map((v) => [v.name, v.name.endsWith('_SECRET_KEY') ? newSecret() + newSecret() : newSecret()]),
  );
  const terraform = effective.terraform !== false;
  const ctx = {
    ...stack,
    secrets,
    stack,
    web,
    routed,
    apis: stack.byKind.fastapi ?? [],
    gateway,
    gatewayPorts: { http: GATEWAY_HTTP, https: GATEWAY_HTTPS },
    terraform,
    withDeploy: spec.with.includes('deploy'),
    tf: terraform ? terraformView(stack) : null,
    actions: ACTIONS,
    python: '3.12',
    pg: stack.byKind.postgres?.[0] ?? null,
    redis: stack.byKind.redis?.[0] ?? null,
    // With the deploy layer, Compose applies migrations/ as Kubernetes does.
    migrate: migrateService(spec, stack),
  };

  const tree = new FileTree();
  // The seed 001 layout: the same root files, per-service folders and kinds as bd-build-data.
  renderGroup(tree, { prefix: `${LAYOUT}/root/`, context: ctx, userOwned });
  if (stack.statefulServices.some((s) => s.backup)) renderGroup(tree, { prefix: `${LAYOUT}/backups/`, context: ctx, userOwned });
  for (const svc of stack.services) {
    const vars = { __svc__: svc.name };
    const svcCtx = { ...svc, stack };
    renderGroup(tree, { prefix: `${LAYOUT}/each-service/`, context: svcCtx, vars, userOwned });
    if (svc.isHttp) renderGroup(tree, { prefix: `${LAYOUT}/each-http-service/`, context: svcCtx, vars, userOwned });
    if (svc.isStateful) renderGroup(tree, { prefix: `${LAYOUT}/each-stateful-service/`, context: svcCtx, vars, userOwned });
    renderGroup(tree, { prefix: `kinds/${svc.kind}/files/`, context: svcCtx, vars, userOwned });
    if (svc.kind === 'fastapi') renderOver(tree, { prefix: `${PRESET}/each-fastapi/`, context: svcCtx, vars, userOwned });
  }
  // What the platform says differently (README, architecture, the recorded spec) and adds.
  renderOver(tree, { prefix: `${PRESET}/root/`, context: ctx, userOwned });
  // With the deploy layer, its build and deploy workflows (images, Kubernetes) take these names.
  if (!ctx.withDeploy) renderGroup(tree, { prefix: `${PRESET}/ecs-workflows/`, context: ctx, userOwned });
  if (terraform) renderGroup(tree, { prefix: `${PRESET}/terraform/`, context: ctx, userOwned });
  for (const svc of routed) {
    tree.add(`data/grafana/config/dashboards/${svc.name}.json`, JSON.stringify(serviceDashboard(svc, stack), null, 2) + '\n');
  }

  // Prometheus, Alertmanager and Grafana start unprivileged: the scripts that start the stack first
  // hand their bd/ folders to those users (data-owners.sh).
  for (const script of ['data/scripts/dev-setup.sh', 'data/scripts/prod-deploy.sh']) {
    const file = tree.files.get(script)!;
    const anchor = script.endsWith('dev-setup.sh') ? 'bash data/scripts/setup.sh\n' : 'files=(-f docker-compose.yml -f docker-compose.prod.yml)\n';
    if (!file.content.includes(anchor)) throw new Error(`internal: ${script} no longer has the line data-owners.sh follows`);
    file.content = file.content.replace(anchor, `${anchor}bash data/scripts/data-owners.sh\n`);
  }
  const gitignore = tree.files.get('.gitignore')!;
  gitignore.content += tree.files.get('.gitignore.platform')!.content;
  tree.files.delete('.gitignore.platform');
  const env = tree.files.get('.env');
  if (env) {
    env.mode = 0o600;
    env.merge = (existing) => appendMissingVars(existing, env.content);
  }
  return { repos: [{ name: spec.name, tree }], layerRepo: 0, stack: layerView(stack) };
}

/**
 * What layers (--with deploy) describe: the stack without the gateway's exporter, which reads the
 * gateway's stub_status over the Compose network; on Kubernetes, metrics are the layer's own.
 */
function layerView(stack: StackView): StackView {
  const keep = (s: ServiceView) => s.kind !== 'nginx-exporter';
  const byKind = Object.fromEntries(Object.entries(stack.byKind).filter(([k]) => k !== 'nginx-exporter'));
  return {
    ...stack,
    services: stack.services.filter(keep),
    appServices: stack.appServices.filter(keep),
    httpServices: stack.httpServices.filter(keep),
    byKind,
  };
}
