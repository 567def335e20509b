// The only module that writes to disk. Everything is staged beside its target first, then moved
// into place with rename(2), so a failure or a kill leaves either no target or the old one.
import {
  existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, chmodSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Plan, PlannedFile, Target } from './tree.js';

export type Action = 'create' | 'update' | 'unchanged' | 'kept' | 'delete';

export interface Change {
  path: string;
  action: Action;
  size: number;
  mode: number;
  /** Old content of an updated file, for diffs. */
  before?: string;
  after: string;
  /** A kept file that differs from the plan in a directory create-stack did not make. */
  notOurs?: boolean;
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
  // In a directory create-stack did not make (no spec file), no existing file is ours to overwrite.
  const ours = !nonEmpty || existsSync(join(target.dir, SPEC_FILE));
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
      else {
        // A file planned private (.env) becomes private when it is extended; others keep their mode.
        const mode = file.mode === 0o600 ? 0o600 : statSync(full).mode & 0o777;
        changes.push({ ...base, size: Buffer.byteLength(merged), after: merged, before, action: 'update', mode });
      }
      continue;
    }
    const sameMode = (statSync(full).mode & 0o777) === file.mode;
    if (before === file.content && sameMode) changes.push({ ...base, action: 'unchanged' });
    else if (!ours) changes.push({ ...base, action: 'kept', notOurs: true });
    else changes.push({ ...base, action: 'update', before });
  }
  for (const path of target.remove ?? []) {
    const full = join(target.dir, path);
    if (!existsSync(full)) continue;
    changes.push({ path, action: 'delete', size: 0, mode: statSync(full).mode & 0o777, before: readFileSync(full, 'utf8'), after: '' });
  }
  return { dir: target.dir, exists, nonEmpty, changes };
}

const STAGE_TAG = '.create-stack-';
/** Every repo create-stack makes holds this file; its presence makes the repo's files ours. */
export const SPEC_FILE = '.create-stack.yaml';

/**
 * Test hook: CREATE_STACK_FAULT_AFTER=N fails after N staged files, =commit between two targets'
 * renames, =kill SIGKILLs the process after the first file of an existing repo was replaced.
 */
function faultPoint(count: number | 'commit' | 'kill'): void {
  const at = process.env.CREATE_STACK_FAULT_AFTER;
  if (at === undefined || at !== String(count)) return;
  if (at === 'kill') process.kill(process.pid, 'SIGKILL');
  throw new Error(`injected fault (CREATE_STACK_FAULT_AFTER=${at})`);
}

/** What an update of an existing repo is about to do, kept in its staging dir until it is done. */
interface Journal {
  created: string[];
  updated: string[];
  deleted?: string[];
}
const JOURNAL = '.journal.json';

function stagePath(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}${STAGE_TAG}${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Staging dirs of runs that were killed (their pid is gone). One that holds a journal was updating
 * an existing repo: its old files are put back and the files it had added are removed, so the repo
 * is as it was before that run. Called by the engine before it inspects a target.
 */
export function recoverInterrupted(dir: string): void {
  const parent = dirname(dir);
  const prefix = `.${basename(dir)}${STAGE_TAG}`;
  if (!existsSync(parent)) return;
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (pid === process.pid || isAlive(pid)) continue;
    const stage = join(parent, entry);
    const journalPath = join(stage, JOURNAL);
    if (existsSync(journalPath)) {
      const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
      for (const path of [...journal.updated, ...(journal.deleted ?? [])]) {
        const old = join(stage, '.old', path);
        if (!existsSync(old)) continue;
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        renameSync(old, join(dir, path));
      }
      // A staged file that is gone from the stage had been moved into the repo.
      for (const path of journal.created) {
        if (!existsSync(join(stage, path))) rmSync(join(dir, path), { force: true });
      }
    }
    rmSync(stage, { recursive: true, force: true });
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
 * All of it is synchronous: SIGINT/SIGTERM are handled only after it returns; what a SIGKILL
 * leaves behind, recoverInterrupted undoes (the engine calls it before inspecting the targets).
 */
export function applyPlan(plan: Plan, states: TargetState[]): void {
  const stages: string[] = [];
  const done: Array<() => void> = [];
  try {
    let written = 0;
    const staged = plan.targets.map((target, i) => {
      const state = states[i]!;
      const stage = stagePath(target.dir);
      stages.push(stage);
      mkdirSync(stage, { recursive: true });
      const made = new Set<string>([stage]);
      const files = state.changes.filter((c) => c.action === 'create' || c.action === 'update');
      for (const c of files) {
        writeStaged(stage, c.path, { content: c.after, mode: c.mode }, made);
        faultPoint(++written);
      }
      const deletes = state.changes.filter((c) => c.action === 'delete');
      return { target, state, stage, files, deletes };
    });

    for (const { target, state, stage, files, deletes } of staged) {
      if (files.length === 0 && deletes.length === 0) continue;
      if (!state.nonEmpty) {
        // rename(2) replaces an empty directory atomically.
        renameSync(stage, target.dir);
        done.push(() => renameSync(target.dir, stage));
        faultPoint('commit');
        continue;
      }
      const backup = join(stage, '.old');
      const journal: Journal = {
        created: files.filter((c) => c.action === 'create').map((c) => c.path),
        updated: files.filter((c) => c.action === 'update').map((c) => c.path),
        deleted: deletes.map((c) => c.path),
      };
      writeFileSync(join(stage, JOURNAL), JSON.stringify(journal));
      for (const c of files) {
        const dest = join(target.dir, c.path);
        if (c.action === 'update') {
          mkdirSync(dirname(join(backup, c.path)), { recursive: true });
          renameSync(dest, join(backup, c.path));
        }
        const created = firstMissing(target.dir, dirname(dest));
        if (created) mkdirSync(dirname(dest), { recursive: true });
        renameSync(join(stage, c.path), dest);
        done.push(() => {
          if (c.action === 'update') renameSync(join(backup, c.path), dest);
          else rmSync(dest, { force: true });
          if (created) rmSync(created, { recursive: true, force: true });
        });
        if (done.length === 1) faultPoint('kill');
      }
      // A deleted file is moved aside like an updated one, so an undo or a recovery can put it back.
      for (const c of deletes) {
        const dest = join(target.dir, c.path);
        mkdirSync(dirname(join(backup, c.path)), { recursive: true });
        renameSync(dest, join(backup, c.path));
        done.push(() => {
          mkdirSync(dirname(dest), { recursive: true });
          renameSync(join(backup, c.path), dest);
        });
        if (done.length === 1) faultPoint('kill');
      }
      for (const c of deletes) {
        for (let d = dirname(join(target.dir, c.path)); d.length > target.dir.length; d = dirname(d)) {
          if (!existsSync(d) || readdirSync(d).length > 0) break;
          rmSync(d, { recursive: true });
          done.push(() => mkdirSync(d, { recursive: true }));
        }
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
