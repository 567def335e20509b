// `add app`: one app repo joins the server. The app's compose file gets Traefik labels, the
// traefik-public network and loses its published ports; host-network services get a file-provider
// route in the infra repo; the infra repo's inventory and docs are derived again. One plan, two
// (or three) targets: both repos change or neither does.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { UserError, UserErrors } from '../errors.js';
import { kinds as KINDS } from '../templates.js';
import { nameProblem } from '../spec.js';
import { mergeCompose, type MergedService } from '../model/index.js';
import { FileTree, type Plan } from '../tree.js';
import { hostProblem } from '../presets/server-spec.js';
import { readAnswers } from '../answers.js';
import { serverInfo } from '../presets/server.js';
import { buildRule, prefixProblem, within } from './rules.js';
import {
  CONFIG_DIR, composeGroupOf, isDatabase, namesOfFile, namesOfLabels, portOfUrl, readApp, routesOfFile, stackKinds, type Overlay,
} from './derive.js';
import {
  declareNetwork, dropTraefikLabels, exposePort, getEnv, joinNetwork, leaveNetwork, parseCompose, restorePorts, serviceNode, setEnv, setLabels, takePorts, type Doc,
  TO_STRING,
} from './compose-edit.js';
import { defaultAppName, isServerRepo, locateAppRepo, type AppRepo } from './app-repo.js';
import { readRegistry, renderDerived } from './inventory.js';
import {
  ENTRYPOINTS, NETWORK, RESERVED_NAMES, RESERVED_PREFIXES, type AppRecord, type AppState, type EntryPoint, type UndoEntry, type InfraState, type Route, type ServerInfo,
} from './types.js';

export interface RouteArg {
  service: string;
  prefix: string;
  strip: boolean;
  entrypoint: EntryPoint;
}

export interface AddAppOptions {
  appDir: string;
  serverDir: string;
  routes: string[];
  host?: string;
  hostNetwork: string[];
  name?: string;
  file?: string;
  force?: boolean;
}

/** Kinds that serve a UI under a sub-path read it from this variable; a kept prefix sets it. */
const BASE_PATH_ENV: Record<string, string> = { node: 'BASE_PATH' };
/** Ports of protocols that are not HTTP (a database, a broker): never routed. */
const NON_HTTP_PORTS = new Set([22, 25, 1433, 1521, 2181, 3306, 4222, 5432, 5672, 6379, 9042, 9092, 11211, 27017]);

export interface ServerRepo {
  dir: string;
  info: ServerInfo;
}

export async function readServer(serverArg: string | undefined): Promise<ServerRepo> {
  if (!serverArg) throw new UserError('server-missing', 'no --server given', 'pass the infra repo made by create-stack new <name> --preset server: --server ../infra');
  const dir = resolve(serverArg);
  if (!isServerRepo(dir)) {
    throw new UserError('server-not-found', `${dir} is not a server repo (its .create-stack.yaml does not say preset: server)`, 'create one with create-stack new <name> --preset server, and pass its path with --server');
  }
  const spec = await readAnswers(join(dir, '.create-stack.yaml'));
  return { dir, info: serverInfo({ name: spec.name ?? 'server', domain: spec.domain, ip: spec.ip, https: spec.https, acmeEmail: spec.acmeEmail }) };
}

/** `svc=/prefix[,strip|keep][,web|websecure]`. */
export function parseRouteArg(arg: string, defaultEntry: EntryPoint): RouteArg {
  const bad = (why: string) =>
    new UserError('route-format', `--route ${JSON.stringify(arg)} ${why}`, 'write it as --route <svc>=/<prefix>[,strip|keep][,web|websecure], e.g. --route web=/shop,keep');
  const eq = arg.indexOf('=');
  if (eq <= 0) throw bad('is not of the form <svc>=<prefix>');
  const service = arg.slice(0, eq);
  const [prefix, ...opts] = arg.slice(eq + 1).split(',');
  if (!prefix) throw bad('has no prefix');
  let strip: boolean | undefined;
  let entrypoint: EntryPoint | undefined;
  for (const o of opts) {
    if (o === 'strip' || o === 'keep') {
      if (strip !== undefined) throw bad('says strip or keep twice');
      strip = o === 'strip';
    } else if ((ENTRYPOINTS as readonly string[]).includes(o)) {
      if (entrypoint) throw bad('names two entry points');
      entrypoint = o as EntryPoint;
    } else throw bad(`has an unknown option ${JSON.stringify(o)} (strip, keep, web, websecure)`);
  }
  return { service, prefix, strip: strip ?? true, entrypoint: entrypoint ?? defaultEntry };
}

function parseHostNetwork(arg: string): { service: string; url: string; port: number } {
  const eq = arg.indexOf('=');
  const bad = (why: string) =>
    new UserError('host-network-format', `--host-network ${JSON.stringify(arg)} ${why}`, 'write it as --host-network <svc>=http://172.17.0.1:<port> (the Docker bridge address of the host)');
  if (eq <= 0) throw bad('is not of the form <svc>=<url>');
  const url = arg.slice(eq + 1);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('has no valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad('is not an http:// or https:// URL');
  if (u.pathname !== '/' || u.search || u.hash || u.username) throw bad('must be scheme://host:port only (no path, query or user)');
  if (!u.port) throw bad('has no port');
  return { service: arg.slice(0, eq), url: `${u.protocol}//${u.host}`, port: Number(u.port) };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The port a routed container listens on: its kind's, else its expose/ports, else its own label. */
function internalPort(svc: MergedService, kind: string | null): number | null {
  if (kind && KINDS[kind]) return KINDS[kind]!.port;
  const v = svc.value;
  const exposed = (Array.isArray(v.expose) ? v.expose : []).map(String);
  if (exposed.length === 1) return Number(/^\d+/.exec(exposed[0]!)?.[0] ?? NaN) || null;
  const ports = Array.isArray(v.ports) ? v.ports : [];
  if (ports.length === 1) {
    const p = ports[0];
    if (isObj(p)) return Number(p.target) || null;
    const m = /(\d+)(?:\/tcp)?$/.exec(String(p));
    return m ? Number(m[1]) : null;
  }
  const labels = isObj(v.labels) ? v.labels : {};
  for (const [k, val] of Object.entries(labels)) if (/\.loadbalancer\.server\.port$/i.test(k)) return Number(val) || null;
  return null;
}

function notHttp(svc: MergedService, kind: string | null, port: number | null): string | null {
  if (kind && KINDS[kind]) {
    const k = KINDS[kind]!;
    if (k.port === null) return `of kind ${kind} listens on no port`;
    if (k.role === 'stateful' || k.healthPath === null) return `of kind ${kind} does not speak HTTP (port ${k.port})`;
    return null;
  }
  const image = typeof svc.value.image === 'string' ? svc.value.image : null;
  if (isDatabase(image, null)) return `runs ${image}, which does not speak HTTP`;
  if (port !== null && NON_HTTP_PORTS.has(port)) return `listens on ${port}, a port of a protocol other than HTTP`;
  return null;
}

export interface AddAppResult {
  plan: Plan;
  app: AppState;
  state: InfraState;
}

/** Plans `add app`; throws UserError(s) for every refusal, before anything is written. */
export async function planAddApp(opts: AddAppOptions): Promise<AddAppResult> {
  const server = await readServer(opts.serverDir);
  const defaultEntry: EntryPoint = server.info.https === 'off' ? 'web' : 'websecure';
  if (opts.routes.length === 0) {
    throw new UserError('route-missing', 'no --route given', 'route at least one service: --route <svc>=/<prefix>[,strip|keep][,web|websecure]');
  }
  const routes = opts.routes.map((r) => parseRouteArg(r, defaultEntry));
  const hostNet = opts.hostNetwork.map(parseHostNetwork);
  const errors: UserError[] = [];
  const host = opts.host ?? server.info.host;
  if (opts.host !== undefined) {
    const p = hostProblem(opts.host);
    if (p) errors.push(new UserError('host-format', `--host ${JSON.stringify(opts.host)} ${p}`, 'write it like --host shop.example.com'));
  }
  for (const h of hostNet) {
    if (!routes.some((r) => r.service === h.service)) {
      errors.push(new UserError('host-network-unrouted', `--host-network names ${h.service}, which no --route routes`, `add --route ${h.service}=/<prefix>`));
    }
  }
  const hostOnly = routes.every((r) => hostNet.some((h) => h.service === r.service));
  const repo = locateAppRepo(resolve(opts.appDir), opts.file, hostOnly);
  const name = opts.name ?? defaultAppName(repo);
  const np = nameProblem(name);
  if (np) {
    throw new UserError('app-name', `app name ${JSON.stringify(name)} ${np}`, `give it a name with --name, e.g. --name ${name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'app'}`);
  }

  const registry = readRegistry(server.dir);
  const existing = registry.find((a) => a.name === name);
  if (existing && !opts.force) {
    throw new UserError('app-exists', `the server already has an app named ${name} (repo ${existing.source})`, `pass --force to replace its routes, --name to add it under another name, or create-stack remove app ${name} --server ${opts.serverDir}`);
  }
  const labelsRel = relative(server.dir, repo.labelsDir).split('\\').join('/') || '.';
  const sameRepo = registry.find((a) => a.name !== name && resolve(server.dir, a.repo) === repo.labelsDir && a.file === repo.file);
  if (sameRepo) {
    errors.push(new UserError('app-exists', `${repo.labelsDir} is already on the server as ${sameRepo.name}`, `add its routes with create-stack add app --name ${sameRepo.name} --force`));
  }

  // What the other apps and the server itself already hold.
  const others = registry.filter((a) => a.name !== name).map((a) => readApp(server.dir, a, new Map()));
  const ownText = readOwnConfig(server.dir);
  const own = routesOfFile('traefik', ownText, `${CONFIG_DIR}/dashboard.yml`);
  const takenNames = new Map<string, string>();
  for (const n of [...RESERVED_NAMES, ...namesOfFile(ownText)]) takenNames.set(n, 'the server (dashboard)');
  for (const a of others) {
    for (const n of a.routes.flatMap((r) => [r.router, r.traefikService, ...r.middlewares])) takenNames.set(n, `app ${a.name}`);
    if (a.file) {
      const view = mergeCompose(composeGroupOf(resolve(server.dir, a.repo), a.file, new Map()));
      for (const s of view.services.values()) for (const n of namesOfLabels(isObj(s.value.labels) ? s.value.labels : {})) takenNames.set(n, `app ${a.name}`);
    }
    const cfg = readConfig(server.dir, a.name);
    if (cfg) for (const n of namesOfFile(cfg)) takenNames.set(n, `app ${a.name}`);
  }
  const otherRoutes = others.flatMap((a) => a.routes);

  // The app's compose view (files as they are now).
  const overlay: Overlay = new Map();
  const group0 = repo.file ? composeGroupOf(repo.labelsDir, repo.file, overlay) : [];
  for (const f of group0) {
    f.yaml.toJS(); // an alias bomb shows up as a problem here, bounded
    const p = f.yaml.problems.find((x) => x.kind !== 'yaml/multi-document');
    if (p) {
      throw new UserError('compose-invalid', `${join(repo.labelsDir, f.yaml.path)}:${p.pos.line}:${p.pos.col}: ${p.message}`, 'fix the compose file first (docker compose config shows the same)');
    }
  }
  const view = repo.file ? mergeCompose(group0) : null;
  const kindOf = stackKinds(repo.labelsDir);
  if (repo.origin === 'app-support') for (const [k, v] of stackKinds(repo.sourceDir)) kindOf.set(k, v);

  const seenPrefix = new Map<string, string>();
  const seenService = new Set<string>();
  const planned: Array<RouteArg & { port: number | null; url: string | null; router: string; middleware: string | null }> = [];
  for (const r of routes) {
    const pp = prefixProblem(r.prefix);
    if (pp) {
      errors.push(new UserError('prefix-format', `prefix ${JSON.stringify(r.prefix)} of ${r.service} ${pp}`, 'write it like /shop or /api/shop'));
      continue;
    }
    if (seenService.has(r.service)) errors.push(new UserError('route-duplicate', `service ${r.service} is routed twice`, 'give each service one --route'));
    seenService.add(r.service);
    if (server.info.https === 'off' && r.entrypoint === 'websecure') {
      errors.push(new UserError('entrypoint-unavailable', `${r.prefix} asks for websecure, but this server has --https off`, `route it on web (--route ${r.service}=${r.prefix},web), or recreate the server with --domain and --https on`));
    }
    if (server.info.https === 'redirect' && r.entrypoint === 'web') {
      errors.push(new UserError('entrypoint-redirected', `${r.prefix} asks for web, but this server redirects every HTTP request to HTTPS: the route would never be reached`, `drop ",web" (routes use websecure), or serve both with a server made with --https on`));
    }
    const reserved = RESERVED_PREFIXES.find((p) => within(r.prefix, p) || within(p, r.prefix));
    if (reserved) {
      errors.push(new UserError('prefix-reserved', `prefix ${r.prefix} ${r.prefix === reserved ? 'is' : within(r.prefix, reserved) ? 'is below' : 'is above'} ${reserved}, which the server's dashboard and API answer on`, 'choose another prefix, e.g. /app-api instead of /api'));
      continue;
    }
    const dup = seenPrefix.get(r.prefix);
    if (dup) errors.push(new UserError('prefix-taken', `prefix ${r.prefix} is given to both ${dup} and ${r.service}`, 'give each route its own prefix'));
    seenPrefix.set(r.prefix, r.service);
    for (const o of otherRoutes) {
      if (!o.prefix) continue;
      const sameScope = !o.host || !host || o.host === host;
      if (!sameScope) continue;
      if (o.prefix === r.prefix) {
        errors.push(new UserError('prefix-taken', `prefix ${r.prefix} is already routed to ${o.app}/${o.service}`, 'choose another prefix, or remove that app first'));
      } else if ((within(r.prefix, o.prefix) || within(o.prefix, r.prefix)) && (o.host ?? null) !== (host ?? null)) {
        // Same host template: the deeper path's rule is longer and wins. Across host scopes it may not.
        errors.push(new UserError('prefix-captures', `prefix ${r.prefix} overlaps ${o.prefix} of ${o.app} on another host scope (${o.host ?? 'any host'} vs ${host ?? 'any host'}): one would take the other's paths`, 'route both on the same host, or choose a prefix outside the other'));
      }
    }
    const h = hostNet.find((x) => x.service === r.service);
    const router = `${name}-${r.service}`;
    const middleware = r.strip ? `${router}-strip` : null;
    for (const n of [router, ...(middleware ? [middleware] : [])]) {
      const by = takenNames.get(n);
      if (by) errors.push(new UserError('name-taken', `Traefik name ${n} is already used by ${by}`, 'add the app under another name: --name <app>'));
    }
    if (h) {
      planned.push({ ...r, port: h.port, url: h.url, router, middleware });
      continue;
    }
    const svc = view?.services.get(r.service);
    if (!svc) {
      const known = view ? [...view.services.keys()].join(', ') : 'none (no compose file)';
      errors.push(new UserError('service-unknown', `${r.service} is not a service of ${repo.file ? `${repo.labelsDir}/${repo.file}` : repo.labelsDir} (services: ${known})`, 'route one of its services, or a host service with --host-network <svc>=http://172.17.0.1:<port>'));
      continue;
    }
    if (svc.value.network_mode === 'host') {
      errors.push(new UserError('service-host-network', `${r.service} runs with network_mode: host and cannot join ${NETWORK}`, `route it through the host: --host-network ${r.service}=http://172.17.0.1:<port>`));
      continue;
    }
    const kind = kindOf.get(r.service) ?? null;
    const port = internalPort(svc, kind);
    const nh = notHttp(svc, kind, port);
    if (nh) {
      errors.push(new UserError('service-not-http', `${r.service} ${nh}; Traefik routes HTTP services only`, 'route the service that serves HTTP (the database stays on the app network)'));
      continue;
    }
    if (port === null) {
      errors.push(new UserError('service-port-unknown', `the port ${r.service} listens on is unknown (no single expose or ports entry)`, `add expose: ["<port>"] to ${r.service} in ${repo.file}`));
      continue;
    }
    planned.push({ ...r, port, url: null, router, middleware });
  }
  const otherHostPorts = new Map(otherRoutes.filter((o) => o.url && o.port).map((o) => [o.port!, `${o.app}/${o.service}`]));
  const seenPorts = new Map<number, string>();
  for (const h of hostNet) {
    const by = otherHostPorts.get(h.port) ?? seenPorts.get(h.port);
    if (by) errors.push(new UserError('host-port-taken', `host port ${h.port} of ${h.service} is already the target of ${by}`, 'one host port serves one service: check the port the service listens on'));
    seenPorts.set(h.port, `${name}/${h.service}`);
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new UserErrors(errors);

  // The app repo's edits.
  const appTrees = new Map<string, FileTree>();
  const edited = new Map<string, { doc: Doc; before: string }>();
  const docOf = (dir: string, file: string): Doc => {
    const abs = join(dir, file);
    let e = edited.get(abs);
    if (!e) {
      const f = composeGroupOf(dir, file, overlay).find((c) => c.yaml.path === file);
      const text = f?.yaml.text ?? '';
      const doc = parseCompose(text);
      if (doc.errors.length) throw new UserError('compose-invalid', `${abs} does not parse: ${doc.errors[0]!.message.split('\n')[0]}`, 'fix the file first');
      e = { doc, before: text };
      edited.set(abs, e);
    }
    return e.doc;
  };
  const docker = planned.filter((p) => !p.url);
  // What a re-add (--force) already took away stays recorded: it is what remove app puts back.
  const undoBefore = new Map((existing?.undo ?? []).map((u) => [u.service, u]));
  const undo = new Map(undoBefore);
  if (repo.file && view) {
    const group = composeGroupOf(repo.labelsDir, repo.file, overlay);
    const target = docOf(repo.labelsDir, repo.file);
    // Replacing an app (--force): its old labels go first.
    for (const s of view.services.keys()) {
      const node = serviceNode(target, s, false);
      if (node && existing && !docker.some((p) => p.service === s) && dropTraefikLabels(node)) leaveNetwork(node);
    }
    for (const p of docker) {
      const svc = view.services.get(p.service)!;
      const node = serviceNode(target, p.service, true)!;
      dropTraefikLabels(node, true);
      const labels: Array<[string, string]> = [
        ['traefik.enable', 'true'],
        ['traefik.docker.network', NETWORK],
        [`traefik.http.routers.${p.router}.rule`, buildRule(host, p.prefix)],
        [`traefik.http.routers.${p.router}.entrypoints`, p.entrypoint],
        [`traefik.http.routers.${p.router}.service`, p.router],
      ];
      if (p.middleware) {
        labels.push([`traefik.http.routers.${p.router}.middlewares`, p.middleware]);
        labels.push([`traefik.http.middlewares.${p.middleware}.stripprefix.prefixes`, p.prefix]);
      }
      labels.push([`traefik.http.services.${p.router}.loadbalancer.server.port`, String(p.port)]);
      setLabels(target, node, labels);
      joinNetwork(target, node, isObj(svc.value.networks) && Object.keys(svc.value.networks).length > 0);
      const entry: UndoEntry = { ...undoBefore.get(p.service), service: p.service };
      // Published ports go: Traefik is the only way in. A create-stack stack keeps them for development.
      for (const f of group) {
        const doc = docOf(repo.labelsDir, f.yaml.path);
        const n = serviceNode(doc, p.service, false);
        const took = n ? takePorts(n) : null;
        if (!took) continue;
        const taken: NonNullable<UndoEntry['ports']>[number] = { file: f.yaml.path, ports: (took.ports.toJSON() as unknown[]).map(String), ...(took.before ? { before: took.before } : {}), ...(took.quoted ? {} : { quoted: false }) };
        const dev = 'docker-compose.override.yml';
        if (repo.origin === 'bd-build-data' && f.role === 'base' && composeGroupOf(repo.labelsDir, dev, overlay).some((c) => c.yaml.path === dev)) {
          const devNode = serviceNode(docOf(repo.labelsDir, dev), p.service, true)!;
          restorePorts(docOf(repo.labelsDir, dev), devNode, taken.ports, null, took.quoted);
          taken.movedTo = dev;
        }
        entry.ports = [...(entry.ports ?? []), taken];
      }
      if (exposePort(target, node, p.port!)) entry.exposed ??= p.port!;
      const kind = kindOf.get(p.service);
      const env = kind ? BASE_PATH_ENV[kind] : undefined;
      const envNow = isObj(svc.value.environment) ? svc.value.environment : {};
      if (!p.strip && (env || 'BASE_PATH' in envNow)) {
        const key = env ?? 'BASE_PATH';
        entry.env ??= { key, previous: getEnv(node, key) };
        setEnv(target, node, key, p.prefix);
      }
      undo.set(p.service, entry);
    }
    if (docker.length) declareNetwork(target);
  }
  for (const [abs, e] of edited) {
    const text = e.doc.toString(TO_STRING);
    if (text === e.before) continue;
    overlay.set(abs, text);
    const dir = abs.startsWith(repo.labelsDir + '/') ? repo.labelsDir : repo.sourceDir;
    const rel = relative(dir, abs).split('\\').join('/');
    if (!appTrees.has(dir)) appTrees.set(dir, new FileTree());
    // The user's file: edited in place (comments kept), whoever wrote the repo.
    const tree = appTrees.get(dir)!;
    tree.add(rel, text, { userOwned: true });
    tree.files.get(rel)!.merge = () => text;
  }

  // Host services: a file-provider route in the infra repo.
  const infra = new FileTree();
  const removals: string[] = [];
  const hostRoutes = planned.filter((p) => p.url);
  const cfgPath = `${CONFIG_DIR}/${name}.yml`;
  const cfgAbs = join(server.dir, cfgPath);
  if (hostRoutes.length) {
    const text = fileProviderConfig(name, host, hostRoutes);
    overlay.set(cfgAbs, text);
    infra.add(cfgPath, text);
  } else if (readConfig(server.dir, name) !== null) {
    // Re-added (--force) without host services: their old routes go.
    overlay.set(cfgAbs, null);
    removals.push(cfgPath);
  }

  const record: AppRecord = {
    name,
    repo: labelsRel,
    source: relative(server.dir, repo.sourceDir).split('\\').join('/') || '.',
    file: repo.file,
    origin: repo.origin,
    project: null,
    ...(undo.size ? { undo: [...undo.values()] } : {}),
  };
  const app = readApp(server.dir, record, overlay);
  const apps = [...others, app].sort((a, b) => a.name.localeCompare(b.name));
  const state: InfraState = { server: server.info, apps, own };
  for (const [path, content] of renderDerived(state)) infra.add(path, content);

  const targets = [{ dir: server.dir, tree: infra, discard: removals }, ...[...appTrees].map(([dir, tree]) => ({ dir, tree }))];
  return { plan: { targets }, app, state };
}

function readOwnConfig(serverDir: string): string {
  return readConfig(serverDir, 'dashboard') ?? '';
}

export function readConfig(serverDir: string, app: string): string | null {
  const p = join(serverDir, CONFIG_DIR, `${app}.yml`);
  return existsSync(p) ? readFileSync(p, 'utf8') : null;
}

/** The file-provider config of an app's host services: a router, a service (URL) and a strip middleware each. */
export function fileProviderConfig(
  app: string,
  host: string | null,
  routes: Array<RouteArg & { url: string | null; router: string; middleware: string | null }>,
): string {
  const routers: Record<string, unknown> = {};
  const services: Record<string, unknown> = {};
  const middlewares: Record<string, unknown> = {};
  for (const r of routes) {
    routers[r.router] = {
      rule: buildRule(host, r.prefix),
      entryPoints: [r.entrypoint],
      service: r.router,
      ...(r.middleware ? { middlewares: [r.middleware] } : {}),
    };
    services[r.router] = { loadBalancer: { servers: [{ url: r.url }] } };
    if (r.middleware) middlewares[r.middleware] = { stripPrefix: { prefixes: [r.prefix] } };
  }
  const http: Record<string, unknown> = { routers, services };
  if (Object.keys(middlewares).length) http.middlewares = middlewares;
  return (
    `# ${app}: routes to its services on the host network (or under systemd), reached at the Docker\n` +
    `# bridge address. Written by create-stack add app; create-stack remove app ${app} takes it away.\n` +
    stringify({ http }, { lineWidth: 0 })
  );
}
