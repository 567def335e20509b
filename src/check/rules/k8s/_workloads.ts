// Kubernetes workloads of a repo: every document of every manifest, its pod spec and containers, and
// positions in the original file. Strategic-merge patches named by a kustomization are partial on
// purpose and skipped.

import { dirname, join, normalize } from 'node:path';
import type { PathSeg, RepoModel, YamlFile } from '../../../model/index.js';
import type { CheckContext, RawFinding } from '../../types.js';

export interface Container {
  name: string;
  value: Record<string, unknown>;
  path: PathSeg[];
  init: boolean;
}

export interface Workload {
  file: YamlFile;
  doc: number;
  kind: string;
  name: string;
  podPath: PathSeg[];
  pod: Record<string, unknown>;
  containers: Container[];
}

const POD_PATH: Record<string, PathSeg[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function get(v: unknown, path: PathSeg[]): unknown {
  let n = v;
  for (const s of path) n = obj(n) ? n[s as string] : Array.isArray(n) ? n[s as number] : undefined;
  return n;
}

/** Files that kustomizations use as patches (repo-relative). */
function patchFiles(repo: RepoModel): Set<string> {
  const out = new Set<string>();
  for (const f of repo.files('kubernetes')) {
    if (!/(^|\/)kustomization\.ya?ml$/.test(f.path)) continue;
    const k = repo.yaml(f).toJS();
    if (!obj(k)) continue;
    const list = [...(Array.isArray(k.patchesStrategicMerge) ? k.patchesStrategicMerge : []), ...(Array.isArray(k.patches) ? k.patches : [])];
    for (const p of list) {
      const path = typeof p === 'string' ? p : obj(p) && typeof p.path === 'string' ? p.path : null;
      if (path) out.add(normalize(join(dirname(f.path), path)));
    }
  }
  return out;
}

const cache = new WeakMap<RepoModel, Workload[]>();

export function workloads(repo: RepoModel): Workload[] {
  const hit = cache.get(repo);
  if (hit) return hit;
  const patches = patchFiles(repo);
  const out: Workload[] = [];
  for (const f of repo.files('kubernetes')) {
    if (patches.has(f.path)) continue;
    const y = repo.yaml(f);
    if (!y.parsed) continue;
    y.docs.forEach((d, i) => {
      let js: unknown;
      try {
        js = d.toJS({ maxAliasCount: 1000 });
      } catch {
        return;
      }
      if (!obj(js) || typeof js.kind !== 'string' || !POD_PATH[js.kind]) return;
      const podPath = POD_PATH[js.kind]!;
      const pod = get(js, podPath);
      if (!obj(pod)) return;
      const containers: Container[] = [];
      for (const key of ['initContainers', 'containers'] as const) {
        const list = pod[key];
        if (!Array.isArray(list)) continue;
        list.forEach((c, j) => {
          if (obj(c)) containers.push({ name: String(c.name ?? j), value: c, path: [...podPath, key, j], init: key === 'initContainers' });
        });
      }
      out.push({ file: y, doc: i, kind: js.kind, name: String(get(js, ['metadata', 'name']) ?? ''), podPath, pod, containers });
    });
  }
  cache.set(repo, out);
  return out;
}

export function at(ctx: CheckContext, w: Workload, path: PathSeg[], message: string): RawFinding {
  return ctx.at(w.file, path, message, { doc: w.doc });
}

export { obj, get };
export const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);
