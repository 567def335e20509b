/**
 * A model of Traefik v3's HTTP routing, read from configuration alone (no Traefik binary here):
 * the Docker labels of app repos' compose files and the file-provider files of an infra repo.
 *
 * Written independently of src/server (its own label reader and a general rule parser), so a test
 * that compares the two is not comparing a thing with itself.
 *
 * What it models, from Traefik's documentation:
 * - Docker provider with exposedByDefault: false: only containers with traefik.enable=true.
 * - Rules: Host, Path, PathPrefix, PathRegexp, with &&, ||, ! and parentheses; `…` or "…" arguments.
 * - Router order: priority (explicit, else the length of the rule), highest first. Two matching
 *   routers with the same priority is reported as ambiguous, never silently picked.
 * - A router with no entryPoints listens on every entry point.
 * - StripPrefix: the longest matching prefix is removed and a leading "/" ensured.
 * - An entry point redirection (web → websecure) answers every request of that entry point.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

type Ast =
  | { op: 'and' | 'or'; left: Ast; right: Ast }
  | { op: 'not'; expr: Ast }
  | { op: 'matcher'; name: string; args: string[] };

export interface Request {
  host: string;
  path: string;
  entrypoint: string;
}

export interface Router {
  /** name@provider */
  id: string;
  provider: 'docker' | 'file';
  rule: string;
  ast: Ast;
  priority: number;
  entrypoints: string[] | null;
  /** name@provider of the Traefik service. */
  service: string;
  middlewares: string[];
  /** Where the route came from: app repo dir and compose service, or the file. */
  origin: { repo: string; composeService?: string; file: string };
}

export interface TraefikService {
  id: string;
  /** Docker: compose service and port; file: URL; internal: api@internal. */
  composeService?: string;
  repo?: string;
  port?: number;
  url?: string;
  internal?: boolean;
}

export interface Answer {
  router: Router;
  service: TraefikService;
  /** The path the backend receives. */
  forwardedPath: string;
  stripped: string | null;
}

export type Outcome = { kind: 'routed'; answer: Answer } | { kind: 'redirect'; to: string } | { kind: 'not-found' } | { kind: 'ambiguous'; routers: Router[] };

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

export function parseRuleAst(rule: string): Ast {
  let i = 0;
  const s = rule;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const fail = (why: string): never => {
    throw new Error(`rule ${JSON.stringify(rule)}: ${why} at ${i}`);
  };
  const arg = (): string => {
    ws();
    const q = s[i];
    if (q !== '`' && q !== '"') fail('expected a quoted argument');
    const end = s.indexOf(q!, i + 1);
    if (end < 0) fail('unterminated argument');
    const v = s.slice(i + 1, end);
    i = end + 1;
    return v;
  };
  const primary = (): Ast => {
    ws();
    if (s[i] === '!') {
      i++;
      return { op: 'not', expr: primary() };
    }
    if (s[i] === '(') {
      i++;
      const e = or();
      ws();
      if (s[i] !== ')') fail('expected )');
      i++;
      return e;
    }
    const m = /^[A-Za-z]+/.exec(s.slice(i));
    if (!m) fail('expected a matcher');
    const name = m![0];
    i += name.length;
    ws();
    if (s[i] !== '(') fail('expected ( after matcher');
    i++;
    const args = [arg()];
    ws();
    while (s[i] === ',') {
      i++;
      args.push(arg());
      ws();
    }
    if (s[i] !== ')') fail('expected ) after arguments');
    i++;
    if (!['Host', 'Path', 'PathPrefix', 'PathRegexp'].includes(name)) fail(`matcher ${name} is not modelled`);
    if (args.length !== 1) fail(`${name} takes one argument in Traefik v3`);
    return { op: 'matcher', name, args };
  };
  const and = (): Ast => {
    let left = primary();
    for (;;) {
      ws();
      if (s.startsWith('&&', i)) {
        i += 2;
        left = { op: 'and', left, right: primary() };
      } else return left;
    }
  };
  const or = (): Ast => {
    let left = and();
    for (;;) {
      ws();
      if (s.startsWith('||', i)) {
        i += 2;
        left = { op: 'or', left, right: and() };
      } else return left;
    }
  };
  const ast = or();
  ws();
  if (i !== s.length) fail('trailing text');
  return ast;
}

function matches(ast: Ast, req: Request): boolean {
  switch (ast.op) {
    case 'and':
      return matches(ast.left, req) && matches(ast.right, req);
    case 'or':
      return matches(ast.left, req) || matches(ast.right, req);
    case 'not':
      return !matches(ast.expr, req);
    case 'matcher': {
      const a = ast.args[0]!;
      // Host is case-insensitive; paths are compared as they are.
      if (ast.name === 'Host') return req.host.toLowerCase() === a.toLowerCase();
      if (ast.name === 'Path') return req.path === a;
      if (ast.name === 'PathPrefix') return req.path.startsWith(a);
      return new RegExp(a).test(req.path);
    }
  }
}

// ---------------------------------------------------------------------------
// Reading configuration
// ---------------------------------------------------------------------------

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Compose labels as a map, whichever syntax (map or KEY=value list) the file uses. */
function labelMap(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    return Object.fromEntries(v.map((x) => String(x)).map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, String(x)]));
}

export interface AppRepoInput {
  /** The repo directory. */
  dir: string;
  /** Compose files as `docker compose -f a -f b` gets them, relative to dir. */
  files: string[];
}

export class TraefikModel {
  readonly routers: Router[] = [];
  readonly services = new Map<string, TraefikService>();
  readonly strips = new Map<string, string[]>();
  /** Entry point → scheme it redirects to (static config). */
  readonly redirects = new Map<string, string>();
  readonly entrypoints: string[] = [];
  readonly problems: string[] = [];

  constructor(infraDir: string, apps: AppRepoInput[]) {
    const stat = obj(parse(readFileSync(join(infraDir, 'traefik', 'traefik.yml'), 'utf8')));
    for (const [name, ep] of Object.entries(obj(stat.entryPoints))) {
      this.entrypoints.push(name);
      const redir = obj(obj(obj(obj(ep).http).redirections).entryPoint);
      if (redir.to) this.redirects.set(name, String(redir.scheme ?? 'https'));
    }
    const cfgDir = join(infraDir, 'traefik', 'config');
    for (const f of existsSync(cfgDir) ? readdirSync(cfgDir).sort() : []) {
      if (/\.ya?ml$/.test(f)) this.readFile(join(cfgDir, f));
    }
    for (const app of apps) this.readCompose(app);
    // Every router must lead somewhere that exists.
    for (const r of this.routers) {
      if (!this.services.has(r.service) && r.service !== 'api@internal') this.problems.push(`router ${r.id}: service ${r.service} is not defined`);
      for (const m of r.middlewares) if (!this.strips.has(m) && !m.startsWith('dashboard-auth')) this.problems.push(`router ${r.id}: middleware ${m} is not defined`);
    }
    const ids = this.routers.map((r) => r.id);
    for (const id of new Set(ids)) if (ids.filter((x) => x === id).length > 1) this.problems.push(`router ${id} is defined twice`);
  }

  private readFile(path: string): void {
    const http = obj(obj(parse(readFileSync(path, 'utf8'))).http);
    for (const [name, m] of Object.entries(obj(http.middlewares))) {
      const sp = obj(obj(m).stripPrefix);
      this.strips.set(`${name}@file`, (Array.isArray(sp.prefixes) ? sp.prefixes : []).map(String));
    }
    for (const [name, s] of Object.entries(obj(http.services))) {
      const servers = obj(obj(s).loadBalancer).servers;
      const url = Array.isArray(servers) && servers.length ? String(obj(servers[0]).url) : undefined;
      this.services.set(`${name}@file`, { id: `${name}@file`, url });
    }
    for (const [name, raw] of Object.entries(obj(http.routers))) {
      const r = obj(raw);
      const rule = String(r.rule);
      const qualify = (n: string) => (n.includes('@') ? n : `${n}@file`);
      this.routers.push({
        id: `${name}@file`,
        provider: 'file',
        rule,
        ast: parseRuleAst(rule),
        priority: typeof r.priority === 'number' && r.priority > 0 ? r.priority : rule.length,
        entrypoints: Array.isArray(r.entryPoints) ? r.entryPoints.map(String) : null,
        service: qualify(String(r.service)),
        middlewares: (Array.isArray(r.middlewares) ? r.middlewares.map(String) : []).map(qualify),
        origin: { repo: path, file: path },
      });
    }
  }

  private readCompose(app: AppRepoInput): void {
    // Labels merge by key across -f files, later files winning; network_mode too.
    const merged = new Map<string, { labels: Record<string, string>; networkMode?: string }>();
    for (const f of app.files) {
      const doc = obj(parse(readFileSync(join(app.dir, f), 'utf8'), { merge: true }));
      for (const [svc, def] of Object.entries(obj(doc.services))) {
        const m = merged.get(svc) ?? { labels: {} };
        Object.assign(m.labels, labelMap(obj(def).labels));
        if (obj(def).network_mode) m.networkMode = String(obj(def).network_mode);
        merged.set(svc, m);
      }
    }
    for (const [svc, { labels }] of merged) {
      if ((labels['traefik.enable'] ?? '').toLowerCase() !== 'true') continue;
      const routers = new Map<string, Record<string, string>>();
      const services = new Map<string, Record<string, string>>();
      for (const [k, v] of Object.entries(labels)) {
        const m = /^traefik\.http\.(routers|services|middlewares)\.([^.]+)\.(.+)$/i.exec(k);
        if (!m) continue;
        const [, kind, name, attr] = m as unknown as [string, string, string, string];
        if (kind === 'routers') routers.set(name, { ...routers.get(name), [attr.toLowerCase()]: v });
        else if (kind === 'services') services.set(name, { ...services.get(name), [attr.toLowerCase()]: v });
        else if (attr.toLowerCase() === 'stripprefix.prefixes') this.strips.set(`${name}@docker`, v.split(',').map((x) => x.trim()));
      }
      for (const [name, s] of services) {
        this.services.set(`${name}@docker`, { id: `${name}@docker`, composeService: svc, repo: app.dir, port: Number(s['loadbalancer.server.port']) });
      }
      for (const [name, r] of routers) {
        if (!r.rule) {
          this.problems.push(`router ${name}@docker has no rule`);
          continue;
        }
        // Without a service label, a container with exactly one service uses it.
        const service = r.service ?? (services.size === 1 ? [...services.keys()][0]! : svc);
        const qualify = (n: string) => (n.includes('@') ? n : `${n}@docker`);
        this.routers.push({
          id: `${name}@docker`,
          provider: 'docker',
          rule: r.rule,
          ast: parseRuleAst(r.rule),
          priority: r.priority ? Number(r.priority) : r.rule.length,
          entrypoints: r.entrypoints ? r.entrypoints.split(',').map((x) => x.trim()) : null,
          service: qualify(service),
          middlewares: r.middlewares ? r.middlewares.split(',').map((x) => qualify(x.trim())) : [],
          origin: { repo: app.dir, composeService: svc, file: app.files.join(' + ') },
        });
      }
    }
  }

  /** Which router and service get the request, and the path the backend sees. */
  route(req: Request): Outcome {
    const redirect = this.redirects.get(req.entrypoint);
    if (redirect) return { kind: 'redirect', to: `${redirect}://${req.host}${req.path}` };
    const candidates = this.routers
      .filter((r) => r.entrypoints === null || r.entrypoints.includes(req.entrypoint))
      .filter((r) => matches(r.ast, req))
      .sort((a, b) => b.priority - a.priority);
    if (candidates.length === 0) return { kind: 'not-found' };
    const top = candidates.filter((r) => r.priority === candidates[0]!.priority);
    if (top.length > 1) return { kind: 'ambiguous', routers: top };
    const router = top[0]!;
    let path = req.path;
    let stripped: string | null = null;
    for (const m of router.middlewares) {
      const prefixes = [...(this.strips.get(m) ?? [])].sort((a, b) => b.length - a.length);
      const p = prefixes.find((x) => path.startsWith(x));
      if (p) {
        stripped = p;
        path = path.slice(p.length);
        if (!path.startsWith('/')) path = `/${path}`;
      }
    }
    const service = router.service === 'api@internal' ? { id: 'api@internal', internal: true } : this.services.get(router.service)!;
    return { kind: 'routed', answer: { router, service, forwardedPath: path, stripped } };
  }
}
