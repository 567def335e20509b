// Compose files as Compose reads them: each file alone, and the merged view of `docker compose -f a -f b`
// (the base with its override for development, the base with its prod file for production).
import { basename } from 'node:path';
import type { YamlFile, PathSeg, Position } from './yaml-file.js';

export type ComposeRole = 'base' | 'override' | 'prod' | 'variant';

export interface ComposeFile {
  yaml: YamlFile;
  role: ComposeRole;
  /** Directory (from the repo root, "" for the root) the file sits in: its project directory. */
  dir: string;
}

/** The role of a compose file by its name: compose.yaml / docker-compose.yml are the base. */
export function composeRole(path: string): ComposeRole {
  const name = basename(path);
  if (/^(?:docker-)?compose\.ya?ml$/.test(name)) return 'base';
  if (/^(?:docker-)?compose[.-]override\.ya?ml$/.test(name)) return 'override';
  if (/^(?:docker-)?compose[.-]prod(?:uction)?\.ya?ml$/.test(name)) return 'prod';
  return 'variant';
}

/** Where a value of the merged view came from. */
export interface Origin {
  file: YamlFile;
  path: PathSeg[];
}

export interface MergedService {
  name: string;
  /** The service as Compose sees it after merging (lists of environment/labels turned into maps). */
  value: Record<string, unknown>;
  /** Every file that defines the service, lowest precedence first. */
  origins: Origin[];
}

export interface MergedView {
  /** The files merged, in -f order. */
  files: ComposeFile[];
  name: string;
  services: Map<string, MergedService>;
  networks: Record<string, unknown>;
  volumes: Record<string, unknown>;
  secrets: Record<string, unknown>;
  configs: Record<string, unknown>;
}

/** The -f combinations Compose users run in one directory: base+override, base+prod, each variant with the base. */
export function composeGroups(files: ComposeFile[]): ComposeFile[][] {
  const byDir = new Map<string, ComposeFile[]>();
  for (const f of files) byDir.set(f.dir, [...(byDir.get(f.dir) ?? []), f]);
  const groups: ComposeFile[][] = [];
  for (const list of byDir.values()) {
    const base = list.find((f) => f.role === 'base');
    if (!base) {
      groups.push(...list.map((f) => [f]));
      continue;
    }
    const others = list.filter((f) => f !== base);
    if (others.length === 0) groups.push([base]);
    for (const o of others) groups.push([base, o]);
  }
  return groups;
}

const CONCAT = new Set(['ports', 'expose', 'external_links', 'dns', 'dns_search', 'tmpfs', 'cap_add', 'cap_drop', 'env_file', 'security_opt']);
const REPLACE = new Set(['command', 'entrypoint', 'test']);
const AS_MAP = new Set(['environment', 'labels', 'extra_hosts', 'depends_on', 'networks', 'sysctls', 'ulimits']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `["A=1", "B"]` → `{A: "1", B: null}`; depends_on/networks lists → `{name: {}}`. */
export function listToMap(key: string, v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const item of v) {
    const s = String(item);
    if (key === 'depends_on' || key === 'networks') out[s] = key === 'depends_on' ? { condition: 'service_started' } : {};
    else {
      const sep = key === 'extra_hosts' ? s.search(/[=:]/) : s.indexOf('=');
      if (sep < 0) out[s] = null;
      else out[s.slice(0, sep)] = s.slice(sep + 1);
    }
  }
  return out;
}

function volumeTarget(v: unknown): string {
  if (isObj(v)) return String(v.target ?? '');
  const parts = String(v).split(':');
  return parts.length >= 2 ? parts[1]! : parts[0]!;
}

function mergeValue(key: string, a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (a === undefined || REPLACE.has(key)) return b;
  if (AS_MAP.has(key)) return mergeMaps(listToMap(key, a), listToMap(key, b));
  if (CONCAT.has(key) && Array.isArray(a) && Array.isArray(b)) {
    const seen = new Set(a.map((x) => JSON.stringify(x)));
    return [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))];
  }
  if ((key === 'volumes' || key === 'devices') && Array.isArray(a) && Array.isArray(b)) {
    const byTarget = new Map(a.map((v) => [volumeTarget(v), v]));
    for (const v of b) byTarget.set(volumeTarget(v), v);
    return [...byTarget.values()];
  }
  return mergeMaps(a, b);
}

function mergeMaps(a: unknown, b: unknown): unknown {
  if (!isObj(a) || !isObj(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = mergeValue(k, a[k], v);
  return out;
}

/** Merges the files in -f order. Files that did not parse contribute nothing. */
export function mergeCompose(files: ComposeFile[]): MergedView {
  const view: MergedView = { files, name: '', services: new Map(), networks: {}, volumes: {}, secrets: {}, configs: {} };
  for (const f of files) {
    const js = f.yaml.toJS();
    if (!isObj(js)) continue;
    if (typeof js.name === 'string') view.name = js.name;
    const services = isObj(js.services) ? js.services : {};
    for (const [name, svc] of Object.entries(services)) {
      const normal: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(isObj(svc) ? svc : {})) normal[k] = AS_MAP.has(k) ? listToMap(k, v) : v;
      const prev = view.services.get(name);
      if (prev) {
        prev.value = mergeMaps(prev.value, normal) as Record<string, unknown>;
        prev.origins.push({ file: f.yaml, path: ['services', name] });
      } else view.services.set(name, { name, value: normal, origins: [{ file: f.yaml, path: ['services', name] }] });
    }
    for (const top of ['networks', 'volumes', 'secrets', 'configs'] as const) {
      if (isObj(js[top])) view[top] = mergeMaps(view[top], js[top]) as Record<string, unknown>;
    }
  }
  return view;
}

/**
 * Where `path` (below the service) is set, in the file of highest precedence that sets it; else the
 * service's own key in the first file that defines it.
 */
export function locateInService(svc: MergedService, path: PathSeg[]): { file: YamlFile; pos: Position } {
  for (let i = svc.origins.length - 1; i >= 0; i--) {
    const o = svc.origins[i]!;
    if (path.length && o.file.pair([...o.path, ...path])) return { file: o.file, pos: o.file.locate([...o.path, ...path]) };
  }
  const first = svc.origins[0]!;
  return { file: first.file, pos: first.file.locate(first.path) };
}
