// Helpers the compose rules share: each compose file alone, the merged views, services as plain JS.
import { isScalar, isSeq } from 'yaml';
import type { ComposeFile, MergedService, MergedView, PathSeg, RepoModel, YamlFile } from '../model/index.js';
import type { CheckContext, RawFinding } from './types.js';
import { familyOf, healthProgram, IMAGE_FAMILIES, type ImageFamily } from '../facts.js';

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Compose files that parsed into a mapping. */
export function composeFiles(repo: RepoModel): ComposeFile[] {
  return repo.compose().filter((f) => isObj(f.yaml.toJS()));
}

export interface FileService {
  file: ComposeFile;
  name: string;
  svc: Record<string, unknown>;
}

/** Every service of every compose file, each file alone. */
export function fileServices(repo: RepoModel): FileService[] {
  const out: FileService[] = [];
  for (const file of composeFiles(repo)) {
    const js = file.yaml.toJS() as Record<string, unknown>;
    if (!isObj(js.services)) continue;
    for (const [name, svc] of Object.entries(js.services)) out.push({ file, name, svc: isObj(svc) ? svc : {} });
  }
  return out;
}

const viewCache = new WeakMap<RepoModel, MergedView[]>();

/** The merged views (base+override, base+prod, …), computed once per repo. */
export function views(repo: RepoModel): MergedView[] {
  let v = viewCache.get(repo);
  if (!v) {
    v = repo.merged().filter((view) => view.files.some((f) => isObj(f.yaml.toJS())));
    viewCache.set(repo, v);
  }
  return v;
}

export interface ViewService {
  view: MergedView;
  svc: MergedService;
}

export function viewServices(repo: RepoModel): ViewService[] {
  return views(repo).flatMap((view) => [...view.services.values()].map((svc) => ({ view, svc })));
}

/** A merged view for production: it holds a prod-role file. */
export function isProdView(view: MergedView): boolean {
  return view.files.some((f) => f.role === 'prod');
}

/** Environment of a service as a map (list form turned into a map). */
export function envMap(env: unknown): Record<string, unknown> {
  if (Array.isArray(env)) {
    const out: Record<string, unknown> = {};
    for (const item of env) {
      const s = String(item);
      const i = s.indexOf('=');
      if (i < 0) out[s] = null;
      else out[s.slice(0, i)] = s.slice(i + 1);
    }
    return out;
  }
  return isObj(env) ? env : {};
}

/** Index of an environment variable in a list-form environment, for positions. */
export function envPathSeg(env: unknown, key: string): string | number {
  if (Array.isArray(env)) {
    const i = env.findIndex((item) => String(item) === key || String(item).startsWith(`${key}=`));
    return i >= 0 ? i : key;
  }
  return key;
}

export interface PortSpec {
  hostIp: string;
  /** Host port (or range) as written; '' when Compose picks one. */
  published: string;
  target: string;
  protocol: string;
}

/** Parses a `ports:` entry, short (`[ip:]host:container[/proto]`) or long syntax. */
export function parsePort(entry: unknown): PortSpec | null {
  if (isObj(entry)) {
    return {
      hostIp: String(entry.host_ip ?? ''),
      published: entry.published === undefined ? '' : String(entry.published),
      target: String(entry.target ?? ''),
      protocol: String(entry.protocol ?? 'tcp'),
    };
  }
  if (typeof entry !== 'string' && typeof entry !== 'number') return null;
  let s = String(entry);
  let protocol = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    protocol = s.slice(slash + 1);
    s = s.slice(0, slash);
  }
  let hostIp = '';
  // [::1]:5432:5432 or 127.0.0.1:5432:5432
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(s);
  if (v6) {
    hostIp = v6[1]!;
    s = v6[2]!;
  }
  const parts = s.split(':');
  if (!v6 && parts.length === 3) hostIp = parts.shift()!;
  if (parts.length === 1) return { hostIp, published: '', target: parts[0]!, protocol };
  return { hostIp, published: parts[0]!, target: parts[1]!, protocol };
}

/** Ports of a range like 8000-8002, or the single port. */
export function portNumbers(spec: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec);
  if (!m) return [];
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  if (b < a || b - a > 1000) return [a];
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

export interface VolumeSpec {
  type: 'bind' | 'volume' | 'tmpfs' | 'other';
  source: string;
  target: string;
  readOnly: boolean;
}

/** Parses a service `volumes:` entry, short or long syntax. */
export function parseVolume(entry: unknown): VolumeSpec | null {
  if (isObj(entry)) {
    const type = String(entry.type ?? 'volume');
    return {
      type: type === 'bind' || type === 'volume' || type === 'tmpfs' ? type : 'other',
      source: String(entry.source ?? ''),
      target: String(entry.target ?? ''),
      readOnly: entry.read_only === true,
    };
  }
  if (typeof entry !== 'string') return null;
  const parts = entry.split(':');
  if (parts.length === 1) return { type: 'volume', source: '', target: parts[0]!, readOnly: false };
  const [source, target, mode = ''] = parts as [string, string, string?];
  const bind = /^[./~]/.test(source) || source.startsWith('$');
  return { type: bind ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') };
}

/**
 * A finding about a merged service, at `path` below it in the file of highest precedence that sets it
 * (the value with at='value'), else at the service's key in the first file that defines it.
 */
export function serviceFinding(
  ctx: CheckContext,
  svc: MergedService,
  path: PathSeg[],
  message: string,
  opts: { at?: 'key' | 'value'; data?: unknown } = {},
): RawFinding {
  for (let i = svc.origins.length - 1; i >= 0; i--) {
    const o = svc.origins[i]!;
    const full = path.length ? listIndexes(o.file, [...o.path, ...path]) : null;
    if (full && o.file.pair(full)) return ctx.at(o.file, full, message, opts);
  }
  const first = svc.origins[0]!;
  return ctx.at(first.file, first.path, message, { data: opts.data });
}

/** A path whose name segments under a list (depends_on: [db], environment: [A=1]) become item indexes. */
function listIndexes(file: YamlFile, path: PathSeg[]): PathSeg[] {
  const out: PathSeg[] = [];
  for (const seg of path) {
    const node = out.length ? file.node(out) : null;
    if (typeof seg === 'string' && isSeq(node)) {
      const i = node.items.findIndex((it) => isScalar(it) && (String(it.value) === seg || String(it.value).startsWith(`${seg}=`)));
      out.push(i >= 0 ? i : seg);
    } else out.push(seg);
  }
  return out;
}

/** The image family of a service: by its image, else by the program of its health check (pg_isready → postgres). */
export function serviceFamily(svc: Record<string, unknown>): ImageFamily | null {
  const byImage = typeof svc.image === 'string' ? familyOf(svc.image) : null;
  if (byImage) return byImage;
  const prog = isObj(svc.healthcheck) ? healthProgram(svc.healthcheck.test) : null;
  return prog ? (IMAGE_FAMILIES.find((f) => f.health?.split(' ')[0] === prog) ?? null) : null;
}
