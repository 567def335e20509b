// The recorded spec of a repo create-stack made (.create-stack.yaml), read as `new --answers` reads it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RepoModel } from '../../../model/index.js';

export const SPEC = '.create-stack.yaml';

export interface Recorded {
  version: string | null;
  repo: string | null;
  preset: string | null;
  name: string | null;
  text: string;
}

export function recorded(repo: RepoModel): Recorded | null {
  const f = repo.file(SPEC);
  if (!f || !existsSync(join(repo.root, SPEC))) return null;
  const js = repo.yaml(f).toJS();
  if (!js || typeof js !== 'object' || (js as Record<string, unknown>).tool !== 'create-stack') return null;
  const o = js as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return { version: str(o.version), repo: str(o.repo), preset: str(o.preset), name: str(o.name), text: repo.text(f) ?? '' };
}

/** -1, 0, 1 for semantic versions a < b, =, > (pre-release tags compare as text). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    const c = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx - ny;
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}
