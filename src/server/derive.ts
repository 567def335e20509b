// Reads a server back from what Traefik reads: the labels of every app's compose file and the
// file-provider files of the infra repo. The inventory and every generated document come from here,
// so they can only say what the configuration says.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { yaml } from '../lazy.js';
import { composeGroups, composeRole, loadRepo, mergeCompose, YamlFile, type ComposeFile, type MergedService } from '../model/index.js';
import { kinds as KINDS } from '../templates.js';
import { parseRule } from './rules.js';
import { bare, isObj, list, portOfUrl, routesOfFile, stripsPrefix } from './routes-file.js';

export { portOfUrl, routesOfFile };
import { NETWORK, type AppRecord, type AppService, type AppState, type Route } from './types.js';

/** Planned contents by absolute path: what a file will hold once the plan is applied (null: removed). */
export type Overlay = Map<string, string | null>;

export const CONFIG_DIR = 'traefik/config';

function readText(abs: string, overlay: Overlay): string | null {
  if (overlay.has(abs)) return overlay.get(abs)!;
  return existsSync(abs) ? readFileSync(abs, 'utf8') : null;
}

interface RouterConf {
  rule?: string;
  entrypoints: string[];
  middlewares: string[];
  service?: string;
  priority: number | null;
}

/** `traefik.http.<what>.<name>.<rest…>` labels of one service, grouped. Keys are case-insensitive to Traefik. */
function traefikLabels(labels: Record<string, unknown>) {
  const routers = new Map<string, RouterConf>();
  const ports = new Map<string, number>();
  const strips = new Map<string, string[]>();
  const router = (n: string) => {
    if (!routers.has(n)) routers.set(n, { entrypoints: [], middlewares: [], priority: null });
    return routers.get(n)!;
  };
  for (const [key, raw] of Object.entries(labels)) {
    const m = /^traefik\.http\.(routers|services|middlewares)\.([^.]+)\.(.+)$/i.exec(key);
    if (!m) continue;
    const [, what, name, rest] = m as unknown as [string, string, string, string];
    const attr = rest.toLowerCase();
    const value = String(raw ?? '');
    if (what.toLowerCase() === 'routers') {
      const r = router(name);
      if (attr === 'rule') r.rule = value;
      else if (attr === 'entrypoints') r.entrypoints = list(value);
      else if (attr === 'middlewares') r.middlewares = list(value).map(bare);
      else if (attr === 'service') r.service = bare(value);
      else if (attr === 'priority') r.priority = Number(value);
    } else if (what.toLowerCase() === 'services' && attr === 'loadbalancer.server.port') ports.set(name, Number(value));
    else if (what.toLowerCase() === 'middlewares' && attr === 'stripprefix.prefixes') strips.set(name, list(value));
  }
  return { routers, ports, strips };
}

/** The routes one compose service declares in its labels (none unless traefik.enable=true). */
export function routesOfService(app: string, svc: MergedService, source: string): Route[] {
  const labels = isObj(svc.value.labels) ? svc.value.labels : {};
  if (String(labels['traefik.enable'] ?? '').toLowerCase() !== 'true') return [];
  const { routers, ports, strips } = traefikLabels(labels);
  const routes: Route[] = [];
  for (const [name, r] of routers) {
    if (!r.rule) continue;
    const parsed = parseRule(r.rule);
    const traefikService = r.service ?? (ports.size === 1 ? [...ports.keys()][0]! : svc.name);
    routes.push({
      app,
      router: name,
      service: svc.name,
      traefikService,
      middlewares: r.middlewares,
      prefix: parsed?.prefix ?? null,
      strip: stripsPrefix(r.middlewares, strips, parsed?.prefix ?? null),
      entrypoints: r.entrypoints,
      host: parsed?.host ?? null,
      rule: r.rule,
      priority: r.priority,
      provider: 'docker',
      port: ports.get(traefikService) ?? null,
      url: null,
      source,
    });
  }
  return routes;
}

/** The names of the Traefik routers, services and middlewares a dynamic-config file or label set defines. */
export function namesOfFile(text: string): string[] {
  try {
    const doc = yaml().parse(text, { maxAliasCount: 100 });
    const http = isObj(doc) && isObj(doc.http) ? doc.http : {};
    return ['routers', 'services', 'middlewares'].flatMap((k) => (isObj(http[k]) ? Object.keys(http[k] as object) : []));
  } catch {
    return [];
  }
}

export function namesOfLabels(labels: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const key of Object.keys(labels)) {
    const m = /^traefik\.http\.(?:routers|services|middlewares)\.([^.]+)\./i.exec(key);
    if (m) out.add(m[1]!);
  }
  return [...out];
}

const DB_IMAGE = /(^|[/:])(postgres|postgis|timescaledb|mysql|mariadb|mongo|redis|valkey|keydb|clickhouse|elasticsearch|opensearch|influxdb|couchdb|cassandra|neo4j|memcached|rabbitmq)([:@-]|$)/i;

/** Whether a compose service is a database (its data is what the server's backup takes). */
export function isDatabase(image: string | null, kind: string | null): boolean {
  if (kind && KINDS[kind]) return KINDS[kind]!.role === 'stateful';
  return image !== null && DB_IMAGE.test(image);
}

/** The kinds of a create-stack stack's services, from its .create-stack.yaml (name → kind). */
export function stackKinds(repoDir: string, overlay: Overlay = new Map()): Map<string, string> {
  const text = readText(join(repoDir, '.create-stack.yaml'), overlay);
  const out = new Map<string, string>();
  if (!text) return out;
  try {
    const doc = yaml().parse(text) as Record<string, unknown>;
    if (doc.preset === 'app-support') {
      out.set('app', String(doc.appKind ?? 'fastapi'));
      out.set('postgres', 'postgres');
    }
    for (const s of Array.isArray(doc.services) ? doc.services : []) if (isObj(s)) out.set(String(s.name), String(s.kind));
  } catch {
    /* an unreadable spec file: no kinds known */
  }
  return out;
}

/** The compose files Compose merges with `file` (base + this one), with planned contents applied. */
export function composeGroupOf(repoDir: string, file: string, overlay: Overlay): ComposeFile[] {
  const model = loadRepo(repoDir);
  const files = model.compose().map((f): ComposeFile => {
    const abs = join(model.root, f.yaml.path);
    return overlay.has(abs) ? { ...f, yaml: new YamlFile(f.yaml.path, overlay.get(abs) ?? '') } : f;
  });
  if (!files.some((f) => f.yaml.path === file)) {
    const text = readText(join(model.root, file), overlay);
    if (text !== null) files.push({ yaml: new YamlFile(file, text), role: composeRole(file), dir: file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '' });
  }
  return composeGroups(files).find((g) => g.some((f) => f.yaml.path === file)) ?? [];
}

/** Compose's project name: `name:` of the files, else the directory, lower-cased, as Compose does. */
export function projectName(dir: string, declared: string): string {
  return (declared || basename(dir)).toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

function portOf(v: Record<string, unknown>, routePort: number | null, kind: string | null): number | null {
  if (routePort) return routePort;
  const exposed = list(v.expose)[0];
  if (exposed && /^\d+/.test(exposed)) return Number(/^\d+/.exec(exposed)![0]);
  const ports = Array.isArray(v.ports) ? v.ports : [];
  const p = ports[0];
  if (isObj(p) && p.target) return Number(p.target);
  if (p !== undefined) {
    const m = /(\d+)(?:\/\w+)?$/.exec(String(p));
    if (m) return Number(m[1]);
  }
  return kind ? (KINDS[kind]?.port ?? null) : null;
}

/** One app as its repo and the infra repo say it is now (or will be, with the overlay applied). */
export function readApp(infraDir: string, record: AppRecord, overlay: Overlay): AppState {
  const repoDir = resolve(infraDir, record.repo);
  const routes: Route[] = [];
  const services: AppService[] = [];
  const shared = new Set<string>();
  let project = record.project;
  if (record.file) {
    const group = composeGroupOf(repoDir, record.file, overlay);
    const view = mergeCompose(group);
    project = projectName(join(repoDir, record.file, '..'), view.name);
    const kindOf = stackKinds(repoDir, overlay);
    for (const [name, net] of Object.entries(view.networks)) if (name !== NETWORK && isObj(net) && net.external) shared.add(`network ${String(net.name ?? name)}`);
    for (const [name, vol] of Object.entries(view.volumes)) if (isObj(vol) && vol.external) shared.add(`volume ${String(vol.name ?? name)}`);
    for (const svc of view.services.values()) {
      const own = routesOfService(record.name, svc, record.file);
      routes.push(...own);
      const v = svc.value;
      const kind = kindOf.get(svc.name) ?? null;
      const image = typeof v.image === 'string' ? v.image : null;
      const published = (Array.isArray(v.ports) ? v.ports : []).map((p) => (isObj(p) ? `${p.published ?? ''}:${p.target}` : String(p)));
      const volumes = (Array.isArray(v.volumes) ? v.volumes : []).flatMap((raw): AppService['volumes'] => {
        const src = isObj(raw) ? String(raw.source ?? '') : String(raw).split(':')[0]!;
        const target = isObj(raw) ? String(raw.target ?? '') : String(raw).split(':')[1] ?? '';
        if (!src || !target) return [];
        if (src in view.volumes) {
          const decl = view.volumes[src];
          return [{ type: 'volume', source: isObj(decl) && decl.name ? String(decl.name) : `${project}_${src}` }];
        }
        return src.startsWith('.') || src.startsWith('/') ? [{ type: 'bind', source: src }] : [];
      });
      const hostNet = v.network_mode === 'host';
      services.push({
        name: svc.name,
        port: portOf(v, own[0]?.port ?? null, kind),
        access: hostNet ? 'host' : published.length ? 'published' : own.length ? 'traefik' : 'internal',
        published,
        image,
        kind,
        database: isDatabase(image, kind),
        volumes,
      });
    }
  }
  const cfg = join(infraDir, CONFIG_DIR, `${record.name}.yml`);
  const text = readText(cfg, overlay);
  if (text !== null) {
    for (const r of routesOfFile(record.name, text, `${CONFIG_DIR}/${record.name}.yml`)) {
      routes.push(r);
      const existing = services.find((s) => s.name === r.service);
      if (existing) Object.assign(existing, { access: 'host', port: r.port });
      else services.push({ name: r.service, port: r.port, access: 'host', published: [], image: null, kind: null, database: false, volumes: [] });
    }
  }
  routes.sort((a, b) => (a.prefix ?? a.rule).localeCompare(b.prefix ?? b.rule));
  return { ...record, project, routes, services, shared: [...shared].sort() };
}

/** The app names that have a file-provider file in the infra repo. */
export function configFiles(infraDir: string): string[] {
  const dir = join(infraDir, CONFIG_DIR);
  return existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
}
