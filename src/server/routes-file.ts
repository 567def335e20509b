// Routes of a Traefik dynamic-config file: what the server preset needs at `new`, kept apart from
// derive.ts so that planning a stack does not load the repo model (and the yaml library with it).
import { yaml } from '../lazy.js';
import { parseRule } from './rules.js';
import type { Route } from './types.js';

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
export const bare = (name: string) => name.replace(/@[a-z]+$/, '');

export function stripsPrefix(middlewares: string[], strips: Map<string, string[]>, prefix: string | null): boolean {
  if (!prefix) return false;
  return middlewares.some((m) => (strips.get(m) ?? []).some((p) => p === prefix || p === `${prefix}/`));
}

/** The routes of a file-provider file (http.routers with their services and strip middlewares). */
export function routesOfFile(app: string, text: string, source: string): Route[] {
  let doc: unknown;
  try {
    doc = yaml().parse(text, { maxAliasCount: 100 });
  } catch {
    return [];
  }
  const http = isObj(doc) && isObj(doc.http) ? doc.http : {};
  const routers = isObj(http.routers) ? http.routers : {};
  const services = isObj(http.services) ? http.services : {};
  const middlewares = isObj(http.middlewares) ? http.middlewares : {};
  const strips = new Map<string, string[]>();
  for (const [n, m] of Object.entries(middlewares)) if (isObj(m) && isObj(m.stripPrefix)) strips.set(n, list(m.stripPrefix.prefixes));
  const routes: Route[] = [];
  for (const [name, r] of Object.entries(routers)) {
    if (!isObj(r) || typeof r.rule !== 'string') continue;
    const parsed = parseRule(r.rule);
    const svcName = bare(String(r.service ?? ''));
    const svc = services[svcName];
    const servers = isObj(svc) && isObj(svc.loadBalancer) && Array.isArray(svc.loadBalancer.servers) ? svc.loadBalancer.servers : [];
    const url = servers.length && isObj(servers[0]) ? String(servers[0].url ?? '') : null;
    const mws = list(r.middlewares).map(bare);
    routes.push({
      app,
      router: name,
      // create-stack names a router <app>-<service>.
      service: name.startsWith(`${app}-`) ? name.slice(app.length + 1) : svcName,
      traefikService: svcName,
      middlewares: mws,
      prefix: parsed?.prefix ?? null,
      strip: stripsPrefix(mws, strips, parsed?.prefix ?? null),
      entrypoints: list(r.entryPoints),
      host: parsed?.host ?? null,
      rule: r.rule,
      priority: typeof r.priority === 'number' ? r.priority : null,
      provider: 'file',
      port: url ? portOfUrl(url) : null,
      url,
      source,
    });
  }
  return routes;
}

export function portOfUrl(url: string): number | null {
  try {
    const u = new URL(url);
    return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  } catch {
    return null;
  }
}

