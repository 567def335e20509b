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

// ---------------------------------------------------------------------------
// Typed structural checks of Traefik v3 configuration (no npm package ships Traefik's JSON schema).
// The key names and types are those of Traefik v3's reference (static: traefik.yml; dynamic: the
// file provider and Docker labels). Traefik refuses unknown keys, so these checks do too.
// ---------------------------------------------------------------------------

type Spec = 'string' | 'bool' | 'int' | 'string[]' | 'empty' | { $map: Spec } | { $list: Spec } | { [key: string]: Spec };

const TLS_ROUTER: Spec = { options: 'string', certResolver: 'string', domains: { $list: { main: 'string', sans: 'string[]' } } };

export const STATIC_SPEC: Spec = {
  global: { checkNewVersion: 'bool', sendAnonymousUsage: 'bool' },
  log: { level: 'string', format: 'string', filePath: 'string', noColor: 'bool', maxSize: 'int', maxAge: 'int', maxBackups: 'int', compress: 'bool' },
  accessLog: {
    filePath: 'string',
    format: 'string',
    bufferingSize: 'int',
    addInternals: 'bool',
    filters: { statusCodes: 'string[]', retryAttempts: 'bool', minDuration: 'string' },
    fields: { defaultMode: 'string', names: { $map: 'string' }, headers: { defaultMode: 'string', names: { $map: 'string' } } },
  },
  api: { insecure: 'bool', dashboard: 'bool', debug: 'bool', disableDashboardAd: 'bool', basePath: 'string' },
  ping: { entryPoint: 'string', manualRouting: 'bool', terminatingStatusCode: 'int' },
  entryPoints: {
    $map: {
      address: 'string',
      asDefault: 'bool',
      http: {
        redirections: { entryPoint: { to: 'string', scheme: 'string', permanent: 'bool', priority: 'int' } },
        middlewares: 'string[]',
        tls: TLS_ROUTER,
        encodeQuerySemicolons: 'bool',
      },
      forwardedHeaders: { trustedIPs: 'string[]', insecure: 'bool' },
      proxyProtocol: { trustedIPs: 'string[]', insecure: 'bool' },
      transport: { respondingTimeouts: { readTimeout: 'string', writeTimeout: 'string', idleTimeout: 'string' }, lifeCycle: { requestAcceptGraceTimeout: 'string', graceTimeOut: 'string' } },
    },
  },
  certificatesResolvers: {
    $map: {
      acme: {
        email: 'string',
        storage: 'string',
        caServer: 'string',
        keyType: 'string',
        certificatesDuration: 'int',
        tlsChallenge: 'empty',
        httpChallenge: { entryPoint: 'string' },
        dnsChallenge: { provider: 'string', resolvers: 'string[]' },
      },
    },
  },
  providers: {
    providersThrottleDuration: 'string',
    docker: { endpoint: 'string', exposedByDefault: 'bool', network: 'string', defaultRule: 'string', watch: 'bool', constraints: 'string', useBindPortIP: 'bool', allowEmptyServices: 'bool' },
    file: { directory: 'string', filename: 'string', watch: 'bool', debugLogGeneratedTemplate: 'bool' },
  },
};

export const DYNAMIC_SPEC: Spec = {
  http: {
    routers: { $map: { rule: 'string', entryPoints: 'string[]', service: 'string', middlewares: 'string[]', priority: 'int', tls: TLS_ROUTER, ruleSyntax: 'string' } },
    services: {
      $map: {
        loadBalancer: {
          servers: { $list: { url: 'string', weight: 'int' } },
          passHostHeader: 'bool',
          healthCheck: { path: 'string', interval: 'string', timeout: 'string', scheme: 'string', port: 'int' },
          server: { port: 'int', scheme: 'string' },
        },
      },
    },
    middlewares: {
      $map: {
        basicAuth: { users: 'string[]', usersFile: 'string', realm: 'string', removeHeader: 'bool', headerField: 'string' },
        stripPrefix: { prefixes: 'string[]', forceSlash: 'bool' },
        headers: { stsSeconds: 'int', stsIncludeSubdomains: 'bool', frameDeny: 'bool', contentTypeNosniff: 'bool', browserXssFilter: 'bool' },
        redirectScheme: { scheme: 'string', permanent: 'bool', port: 'string' },
      },
    },
  },
};

function checkSpec(value: unknown, spec: Spec, path: string, out: string[], caseInsensitive: boolean): void {
  const at = path || '(root)';
  if (spec === 'string') {
    if (typeof value !== 'string') out.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
  } else if (spec === 'bool') {
    if (typeof value !== 'boolean' && !(caseInsensitive && /^(true|false)$/i.test(String(value)))) out.push(`${at}: expected true or false`);
  } else if (spec === 'int') {
    if (!Number.isInteger(caseInsensitive ? Number(value) : value)) out.push(`${at}: expected an integer`);
  } else if (spec === 'string[]') {
    const ok = Array.isArray(value) ? value.every((v) => typeof v === 'string') : caseInsensitive && typeof value === 'string';
    if (!ok) out.push(`${at}: expected a list of strings`);
  } else if (spec === 'empty') {
    if (value !== null && !(value && typeof value === 'object' && Object.keys(value).length === 0)) out.push(`${at}: expected {}`);
  } else if ('$map' in spec) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) out.push(`${at}: expected a mapping`);
    else for (const [k, v] of Object.entries(value)) checkSpec(v, spec.$map as Spec, `${path}.${k}`, out, caseInsensitive);
  } else if ('$list' in spec) {
    if (!Array.isArray(value)) out.push(`${at}: expected a list`);
    else value.forEach((v, i) => checkSpec(v, spec.$list as Spec, `${path}[${i}]`, out, caseInsensitive));
  } else {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      out.push(`${at}: expected a mapping`);
      return;
    }
    const keys = Object.keys(spec);
    for (const [k, v] of Object.entries(value)) {
      const key = caseInsensitive ? keys.find((x) => x.toLowerCase() === k.toLowerCase()) : keys.includes(k) ? k : undefined;
      if (!key) out.push(`${path ? path + '.' : ''}${k}: not a Traefik option here`);
      else checkSpec(v, (spec as Record<string, Spec>)[key]!, `${path ? path + '.' : ''}${k}`, out, caseInsensitive);
    }
  }
}

/** Problems of a static configuration (traefik.yml): unknown keys, wrong types, dangling references. */
export function staticConfigProblems(doc: unknown): string[] {
  const out: string[] = [];
  checkSpec(doc, STATIC_SPEC, '', out, false);
  const d = obj(doc);
  const eps = obj(d.entryPoints);
  const resolvers = obj(d.certificatesResolvers);
  for (const [name, ep] of Object.entries(eps)) {
    if (!/^[\w.-]*:\d{1,5}(\/(tcp|udp))?$/.test(String(obj(ep).address))) out.push(`entryPoints.${name}.address: not [host]:port`);
    const to = obj(obj(obj(obj(ep).http).redirections).entryPoint).to;
    if (to !== undefined && !(String(to) in eps)) out.push(`entryPoints.${name}: redirects to unknown entry point ${String(to)}`);
    const cr = obj(obj(obj(ep).http).tls).certResolver;
    if (cr !== undefined && !(String(cr) in resolvers)) out.push(`entryPoints.${name}: unknown certResolver ${String(cr)}`);
  }
  const ping = obj(d.ping).entryPoint;
  if (ping !== undefined && !(String(ping) in eps)) out.push(`ping.entryPoint ${String(ping)} is not an entry point`);
  return out;
}

/** Problems of a dynamic configuration (a file-provider file): types, rules that do not parse, dangling names. */
export function dynamicConfigProblems(doc: unknown, entrypoints: string[], extraServices: string[] = []): string[] {
  const out: string[] = [];
  checkSpec(doc, DYNAMIC_SPEC, '', out, false);
  const http = obj(obj(doc).http);
  const services = new Set([...Object.keys(obj(http.services)), ...extraServices]);
  const middlewares = new Set(Object.keys(obj(http.middlewares)));
  for (const [name, raw] of Object.entries(obj(http.routers))) {
    const r = obj(raw);
    try {
      parseRuleAst(String(r.rule));
    } catch (err) {
      out.push(`http.routers.${name}.rule: ${(err as Error).message}`);
    }
    const svc = String(r.service);
    if (!svc.endsWith('@internal') && !services.has(svc)) out.push(`http.routers.${name}: unknown service ${svc}`);
    for (const m of Array.isArray(r.middlewares) ? r.middlewares : []) if (!middlewares.has(String(m))) out.push(`http.routers.${name}: unknown middleware ${String(m)}`);
    for (const e of Array.isArray(r.entryPoints) ? r.entryPoints : []) if (!entrypoints.includes(String(e))) out.push(`http.routers.${name}: unknown entry point ${String(e)}`);
  }
  return out;
}

/** Problems of a container's Traefik labels, read as the Docker provider reads them (keys case-insensitive). */
export function labelProblems(labels: Record<string, string>, entrypoints: string[]): string[] {
  const out: string[] = [];
  const tree: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (!/^traefik\./i.test(k)) continue;
    if (/^traefik\.(enable|docker\.network)$/i.test(k)) continue;
    const parts = k.split('.').slice(1);
    if (parts[0]!.toLowerCase() !== 'http') {
      out.push(`${k}: not an HTTP label`);
      continue;
    }
    let node = tree;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    const last = parts.at(-1)!;
    node[last] = /^(entrypoints|middlewares|prefixes|users)$/i.test(last) ? v.split(',') : v;
  }
  checkSpec(tree, DYNAMIC_SPEC, '', out, true);
  const http = obj(tree.http);
  const routers = obj(http.routers);
  for (const [name, raw] of Object.entries(routers)) {
    const r = obj(raw);
    try {
      parseRuleAst(String(r.rule));
    } catch (err) {
      out.push(`router ${name}: ${(err as Error).message}`);
    }
    for (const e of Array.isArray(r.entrypoints) ? r.entrypoints : []) if (!entrypoints.includes(String(e))) out.push(`router ${name}: unknown entry point ${String(e)}`);
    for (const m of Array.isArray(r.middlewares) ? r.middlewares : []) if (!(String(m) in obj(http.middlewares))) out.push(`router ${name}: unknown middleware ${String(m)}`);
    if (r.service && !(String(r.service) in obj(http.services))) out.push(`router ${name}: unknown service ${String(r.service)}`);
  }
  for (const [name, raw] of Object.entries(obj(http.services))) {
    const port = Number(obj(obj(obj(raw).loadbalancer).server).port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) out.push(`service ${name}: loadbalancer.server.port is not a port`);
  }
  return out;
}
