// The only module that writes to disk. Everything is staged beside its target first, then moved
// into place with rename(2), so a failure or a kill leaves either no target or the old one.
import {
  existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, chmodSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Plan, PlannedFile, Target } from './tree.js';

export type Action = 'create' | 'update' | 'unchanged' | 'kept';

export interface Change {
  path: string;
  action: Action;
  size: number;
  mode: number;
  /** Old content of an updated file, for diffs. */
  before?: string;
  after: string;
}

export interface TargetState {
  dir: string;
  /** The directory exists and holds at least one entry. */
  nonEmpty: boolean;
  exists: boolean;
  changes: Change[];
}

/** Compares the plan with what is on disk; reads, never writes. */
export function inspectTarget(target: Target): TargetState {
  const exists = existsSync(target.dir);
  const nonEmpty = exists && statSync(target.dir).isDirectory() && readdirSync(target.dir).length > 0;
  const changes: Change[] = [];
  for (const path of target.tree.paths()) {
    const file = target.tree.files.get(path)!;
    const full = join(target.dir, path);
    const base = { path, size: Buffer.byteLength(file.content), mode: file.mode, after: file.content };
    if (!exists || !existsSync(full)) {
      changes.push({ ...base, action: 'create' });
      continue;
    }
    const before = readFileSync(full, 'utf8');
    if (file.userOwned) {
      const merged = file.merge?.(before) ?? before;
      if (merged === before) changes.push({ ...base, action: 'kept' });
      else changes.push({ ...base, size: Buffer.byteLength(merged), after: merged, before, action: 'update', mode: statSync(full).mode & 0o777 });
      continue;
    }
    const sameMode = (statSync(full).mode & 0o777) === file.mode;
    changes.push({ ...base, action: before === file.content && sameMode ? 'unchanged' : 'update', before });
  }
  return { dir: target.dir, exists, nonEmpty, changes };
}

const STAGE_TAG = '.create-stack-';

/** Test hook: CREATE_STACK_FAULT_AFTER=N fails after N staged files, CREATE_STACK_FAULT_AFTER=commit between two renames. */
function faultPoint(count: number | 'commit'): void {
  const at = process.env.CREATE_STACK_FAULT_AFTER;
  if (at !== undefined && at === String(count)) throw new Error(`injected fault (CREATE_STACK_FAULT_AFTER=${at})`);
}

function stagePath(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}${STAGE_TAG}${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Staging dirs of runs that were killed: their pid is gone. */
function removeStaleStages(dir: string): void {
  const parent = dirname(dir);
  const prefix = `.${basename(dir)}${STAGE_TAG}`;
  if (!existsSync(parent)) return;
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (pid === process.pid || isAlive(pid)) continue;
    rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes into a fresh staging directory; `made` remembers directories so each is created once. */
function writeStaged(root: string, path: string, file: Pick<PlannedFile, 'content' | 'mode'>, made: Set<string>): void {
  const full = join(root, path);
  const dir = dirname(full);
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true });
    for (let d = dir; d.length > root.length && !made.has(d); d = dirname(d)) made.add(d);
  }
  writeFileSync(full, file.content, { mode: file.mode });
  // The mode given to open(2) is masked by the umask: fix it only where that changed it.
  if ((file.mode & ~UMASK) !== file.mode) chmodSync(full, file.mode);
}

const UMASK = process.umask();

interface Step {
  undo(): void;
}

/** The first directory of `dir`'s ancestry (up to root) that does not exist yet, or null. */
function firstMissing(root: string, dir: string): string | null {
  let missing: string | null = null;
  for (let d = dir; d.length > root.length && !existsSync(d); d = dirname(d)) missing = d;
  return missing;
}

/**
 * Writes every target as one unit. A new target is staged whole and renamed into place; an
 * existing one gets its changed files staged beside it, then each is renamed over the old file,
 * whose copy is kept until every target is done, so any failure puts every old file back.
 * All of it is synchronous: SIGINT/SIGTERM are handled only after it returns, and a SIGKILL
 * leaves at worst a hidden staging directory, removed by the next run.
 */
export function applyPlan(plan: Plan, states: TargetState[]): void {
  const stages: string[] = [];
  const done: Array<() => void> = [];
  try {
    let written = 0;
    const staged = plan.targets.map((target, i) => {
      const state = states[i]!;
      removeStaleStages(target.dir);
      const stage = stagePath(target.dir);
      stages.push(stage);
      mkdirSync(stage, { recursive: true });
      const made = new Set<string>([stage]);
      const files = state.changes.filter((c) => c.action === 'create' || c.action === 'update');
      for (const c of files) {
        writeStaged(stage, c.path, { content: c.after, mode: c.mode }, made);
        faultPoint(++written);
      }
      return { target, state, stage, files };
    });

    for (const { target, state, stage, files } of staged) {
      if (files.length === 0) continue;
      if (!state.nonEmpty) {
        // rename(2) replaces an empty directory atomically.
        renameSync(stage, target.dir);
        done.push(() => renameSync(target.dir, stage));
        faultPoint('commit');
        continue;
      }
      const backup = join(stage, '.old');
      for (const c of files) {
        const dest = join(target.dir, c.path);
        if (c.action === 'update') {
          mkdirSync(dirname(join(backup, c.path)), { recursive: true });
          renameSync(dest, join(backup, c.path));
        }
        const created = firstMissing(target.dir, dirname(dest));
        if (created) mkdirSync(created, { recursive: true });
        mkdirSync(dirname(dest), { recursive: true });
        renameSync(join(stage, c.path), dest);
        done.push(() => {
          if (c.action === 'update') renameSync(join(backup, c.path), dest);
          else rmSync(dest, { force: true });
          if (created) rmSync(created, { recursive: true, force: true });
        });
      }
      faultPoint('commit');
    }
  } catch (err) {
    for (const undo of done.reverse()) undo();
    throw err;
  } finally {
    for (const s of stages) rmSync(s, { recursive: true, force: true });
  }
}
