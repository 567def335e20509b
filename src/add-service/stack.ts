// `add service` / `remove service` on a repo create-stack made: a change of the spec. The preset is
// planned for the old spec (base) and the new one (theirs); every file create-stack owns becomes
// theirs where the user left it as base, and gets the change base→theirs merged into it where the
// user edited it (YAML node by node, other files line by line). What both changed is a conflict.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { planPreset } from '../engine.js';
import { readAnswers } from '../answers.js';
import { SPEC_FILE } from '../apply.js';
import { FileTree, type Plan } from '../tree.js';
import type { StackSpec } from '../spec.js';
import { readSpecFast } from './spec-file.js';
import type { PresetOutput } from '../presets/types.js';

export interface StackChange {
  plan: Plan;
  spec: StackSpec;
  next: StackSpec;
  /** Files where the user's edit and this change meet: "path: what". */
  conflicts: string[];
  /** Files and directories kept on purpose (remove): data, and what the user changed or added. */
  kept: string[];
}

export async function readStackSpec(repo: string): Promise<StackSpec> {
  const specPath = join(repo, SPEC_FILE);
  let fast: Partial<StackSpec> | null = null;
  try {
    fast = readSpecFast(readFileSync(specPath, 'utf8'));
  } catch {
    /* unreadable: readAnswers says so */
  }
  const answers = fast ?? (await readAnswers(specPath));
  const spec = { preset: 'bd-build-data', services: [], with: [], ...answers } as StackSpec;
  if (!spec.name) throw new UserError('answers-shape', `${specPath} has no name`, 'restore the name: line');
  if (spec.preset === 'app-support') {
    throw new UserError(
      'services-fixed',
      'an app-support stack has a fixed pair of services (the application and its PostgreSQL): add service and remove service do not apply',
      'use a bd-build-data stack for a stack that grows service by service',
    );
  }
  return spec;
}

function isYamlPath(path: string): boolean {
  return /\.ya?ml$/.test(path) && !/\/templates\//.test(path);
}

/** Files under `dir` (relative to `root`), bounded; used to list what the user added to a removed service's directories. */
function filesUnder(root: string, dir: string, limit = 1000): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    if (out.length >= limit) return;
    let entries: string[];
    try {
      entries = readdirSync(join(root, rel));
    } catch {
      return;
    }
    for (const e of entries.sort()) {
      const r = `${rel}/${e}`;
      const st = statSync(join(root, r), { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk(dir);
  return out;
}

/**
 * Plans the change from `spec` to `next` for the stack in `repo`. `--force` resolves conflicts with
 * this command's side; without it they are returned for the caller to refuse.
 */
export async function planStackChange(
  repo: string,
  spec: StackSpec,
  next: StackSpec,
  opts: { force?: boolean; removed?: string[]; base?: PresetOutput } = {},
): Promise<StackChange> {
  const dir = resolve(repo);
  // The merges (and the libraries they load) are needed only where the user edited a file.
  let merge: typeof import('./merge.js') | null = null;
  const base = opts.base ?? planPreset(spec);
  const theirs = planPreset(next);
  if (base.repos.length !== 1 || theirs.repos.length !== 1) {
    throw new UserError('services-fixed', `the ${spec.preset} preset writes several repos; add service works on one-repo stacks`, 'use a bd-build-data stack');
  }
  const B = base.repos[0]!.tree;
  const T = theirs.repos[0]!.tree;
  const tree = new FileTree();
  const remove: string[] = [];
  const conflicts: string[] = [];
  const kept: string[] = [];
  const prefer = opts.force ? ('theirs' as const) : undefined;
  const read = (path: string): string | null => {
    const full = join(dir, path);
    return existsSync(full) ? readFileSync(full, 'utf8') : null;
  };

  for (const path of T.paths()) {
    const t = T.files.get(path)!;
    const b = B.files.get(path);
    if (t.userOwned) {
      // Written only when missing; .env gains the new variables through its own merge.
      if (!b || t.merge) tree.files.set(path, t);
      continue;
    }
    if (b && b.content === t.content && b.mode === t.mode) continue; // this change does not touch it
    const ours = read(path);
    if (!b) {
      if (ours !== null && ours !== t.content) {
        conflicts.push(`${path}: exists, and is not what create-stack would write there`);
        if (!opts.force) continue;
      }
      tree.add(path, t.content, { mode: t.mode });
      continue;
    }
    if (ours === null) {
      conflicts.push(`${path}: deleted here, changed by this command`);
      if (opts.force) tree.add(path, t.content, { mode: t.mode });
      continue;
    }
    if (ours === b.content) {
      tree.add(path, t.content, { mode: t.mode });
      continue;
    }
    merge ??= await import('./merge.js');
    const merged = merge.mergeFile(path, b.content, ours, t.content, { prefer, yaml: isYamlPath(path) || path === SPEC_FILE });
    for (const c of merged.conflicts) conflicts.push(`${path}: ${c}`);
    tree.add(path, merged.text, { mode: t.mode });
    // The record keeps the render, not the merge: a later update still sees the user's edits as theirs.
    tree.files.get(path)!.base = t.content;
  }

  // What the new spec no longer has: deleted where the user left it as create-stack wrote it.
  const removedDirs = new Set<string>();
  for (const path of B.paths()) {
    if (T.files.has(path)) continue;
    const b = B.files.get(path)!;
    const ours = read(path);
    if (ours === null) continue;
    const data = /^bd\/[^/]+-data\//.exec(path)?.[0];
    if (data) {
      // Data is never deleted: the directory goes only when it holds nothing but the placeholder.
      const inside = filesUnder(dir, data.slice(0, -1));
      if (inside.length === 1 && inside[0] === path && ours === b.content) remove.push(path);
      else kept.push(`${data} (data)`);
      continue;
    }
    if (ours === b.content) remove.push(path);
    else kept.push(`${path} (changed since create-stack wrote it)`);
    const top = /^(build|data)\/[^/]+\//.exec(path)?.[0];
    if (top && opts.removed?.some((r) => top === `build/${r}/` || top === `data/${r}/`)) removedDirs.add(top.slice(0, -1));
  }
  // Files the user added beside the removed service's own files stay too, and are listed.
  for (const d of removedDirs) {
    for (const f of filesUnder(dir, d)) if (!B.files.has(f)) kept.push(`${f} (not written by create-stack)`);
  }
  return { plan: { targets: [{ dir, tree, discard: remove }] }, spec, next, conflicts, kept: [...new Set(kept)] };
}
