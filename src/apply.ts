// The only module that writes to disk. Everything is staged beside its target first, then moved
// into place with rename(2), so a failure or a kill leaves either no target or the old one.
import {
  existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, chmodSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Plan, PlannedFile, Target } from './tree.js';
import { UserError } from './errors.js';

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
  /** A kept file create-stack owns that the user changed since it was written (src/record.ts). */
  edited?: boolean;
  /** A file the plan no longer produces, kept because the user changed it. */
  removed?: boolean;
  /** Bytes to write instead of `after` (the gzipped record); `after` then only describes them. */
  data?: Uint8Array;
  record?: boolean;
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
  const noLinks = linkGuard(target.dir);
  // In a directory create-stack did not make (no spec file), no existing file is ours to overwrite.
  const ours = !nonEmpty || existsSync(join(target.dir, SPEC_FILE));
  for (const path of target.tree.paths()) {
    const file = target.tree.files.get(path)!;
    const full = join(target.dir, path);
    const base = { path, size: Buffer.byteLength(file.content), mode: file.mode, after: file.content };
    if (exists) noLinks(path);
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
    else if (!ours && !file.edit) changes.push({ ...base, action: 'kept', notOurs: true });
    else changes.push({ ...base, action: 'update', before });
  }
  return { dir: target.dir, exists, nonEmpty, changes };
}

/**
 * Refuses a planned path that meets a symbolic link inside the target (the file itself or a folder
 * on its way): a write there would land outside the repo. Each folder is looked at once.
 */
function linkGuard(root: string): (path: string) => void {
  const seen = new Map<string, boolean>();
  const isLink = (p: string) => {
    let v = seen.get(p);
    if (v === undefined) {
      try {
        v = lstatSync(p).isSymbolicLink();
      } catch {
        v = false;
      }
      seen.set(p, v);
    }
    return v;
  };
  return (path) => {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const p = join(root, ...parts.slice(0, i));
      if (isLink(p)) {
        throw new UserError(
          'target-symlink',
          `${p} is a symbolic link; create-stack does not write through links`,
          'replace the link with the real file or folder, or remove it',
        );
      }
    }
  };
}

const STAGE_TAG = '.create-stack-';
const MARKER_TAG = '.create-stack-commit-';
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

/**
 * What one run is about to do to one target, written into the target's staging dir (atomically)
 * before the first rename of the run, so a later run can undo a killed one wholly.
 */
interface Journal {
  target: string;
  /** The target is new (or was an empty dir): its staged files/ is renamed into place whole. */
  fresh: boolean;
  /** A fresh target that existed as an empty directory before. */
  existedEmpty: boolean;
  created: string[];
  /** Updated and deleted files: their old copies are in old/. */
  updated: string[];
  /** Directories a created file needed inside an existing target, outermost first. */
  dirs: string[];
  /** Every staging dir of the run: one run is undone as a unit. */
  stages: string[];
  /** Present once every rename of the run is done: the run then stands. */
  marker: string;
}
const JOURNAL = 'journal.json';

function stagePath(dir: string, run: string): string {
  return join(dirname(dir), `.${basename(dir)}${STAGE_TAG}${run}`);
}

const STAGE_NAME = /^\..+\.create-stack-(\d+)-[0-9a-f]+$/;
const MARKER_NAME = /^\.create-stack-commit-(\d+)-[0-9a-f]+$/;

function readJournal(stage: string): Journal | null {
  try {
    return JSON.parse(readFileSync(join(stage, JOURNAL), 'utf8')) as Journal;
  } catch {
    // No journal (or none finished: it is renamed into place whole): nothing had been moved yet.
    return null;
  }
}

/**
 * Finishes or undoes the runs that were killed (their pid is gone) while writing into `parent`.
 * A run whose commit marker exists had made every rename: only its staging dirs go. Any other is
 * undone in every target it touched: old files back, files it added removed, a repo it created
 * removed. Idempotent, so a kill during recovery is recovered by the next run too.
 * Every writing command calls it before it reads its repo (src/commands/recover.ts).
 */
export function recoverInterrupted(parent: string): string[] {
  if (!existsSync(parent) || !statSync(parent).isDirectory()) return [];
  const recovered: string[] = [];
  const markers: string[] = [];
  for (const entry of readdirSync(parent)) {
    const m = MARKER_NAME.exec(entry);
    if (m) {
      if (!isAlive(Number(m[1]))) markers.push(join(parent, entry));
      continue;
    }
    const s = STAGE_NAME.exec(entry);
    if (!s || Number(s[1]) === process.pid || isAlive(Number(s[1]))) continue;
    const stage = join(parent, entry);
    if (!existsSync(stage)) continue; // handled with an earlier stage of its run
    const journal = readJournal(stage);
    if (!journal) {
      rmSync(stage, { recursive: true, force: true });
      continue;
    }
    const committed = existsSync(journal.marker);
    for (const other of journal.stages) {
      const j = other === stage ? journal : readJournal(other);
      if (j && !committed) undo(other, j);
      if (existsSync(other)) {
        rmSync(other, { recursive: true, force: true });
        recovered.push(j?.target ?? other);
      }
    }
    rmSync(journal.marker, { force: true });
  }
  // A marker outlives its stages only when a run was killed between the two removals.
  for (const m of markers) rmSync(m, { force: true });
  return recovered;
}

/** Puts a target back as it was before the run the journal belongs to; each step may be repeated. */
function undo(stage: string, j: Journal): void {
  if (j.fresh) {
    // files/ gone from the stage means it had become the target.
    if (!existsSync(join(stage, 'files')) && existsSync(j.target)) {
      rmSync(j.target, { recursive: true, force: true });
      if (j.existedEmpty) mkdirSync(j.target);
    }
    return;
  }
  for (const path of j.updated) {
    const old = join(stage, 'old', path);
    if (!existsSync(old)) continue;
    mkdirSync(dirname(join(j.target, path)), { recursive: true });
    renameSync(old, join(j.target, path));
  }
  // A staged file that is gone from the stage had been moved into the repo.
  for (const path of j.created) {
    if (!existsSync(join(stage, 'files', path))) rmSync(join(j.target, path), { force: true });
  }
  for (const d of [...j.dirs].reverse()) {
    if (existsSync(d) && readdirSync(d).length === 0) rmSync(d, { recursive: true });
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

/** Written beside, then renamed: a reader sees the whole file or none. */
function writeWhole(path: string, data: string): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

/** Writes into a fresh staging directory; `made` remembers directories so each is created once. */
function writeStaged(root: string, path: string, file: { content: string | Uint8Array; mode: number }, made: Set<string>): void {
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

/** Another run made the target (or a file of it) between inspection and rename. */
function raced(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR';
}

/**
 * Writes every target as one unit. Each target's changed files are staged beside it; a journal
 * per target says what the run will do; then a new target's files/ is renamed into place whole and
 * an existing one gets each file renamed over the old, whose copy is kept in old/. A commit marker
 * ends the run. Any failure undoes every target here; a SIGKILL is undone by recoverInterrupted
 * on the next run of any writing command. All of it is synchronous: SIGINT/SIGTERM are handled
 * only after it returns.
 */
export function applyPlan(plan: Plan, states: TargetState[]): void {
  const run = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const marker = join(dirname(plan.targets[0]?.dir ?? '.'), `${MARKER_TAG}${run}`);
  const stages: string[] = [];
  const done: Array<() => void> = [];
  try {
    let written = 0;
    const staged = plan.targets.map((target, i) => {
      const state = states[i]!;
      const stage = stagePath(target.dir, run);
      const files = state.changes.filter((c) => c.action === 'create' || c.action === 'update' || c.action === 'delete');
      if (files.length === 0) return null;
      stages.push(stage);
      mkdirSync(join(stage, 'files'), { recursive: true });
      const made = new Set<string>([join(stage, 'files')]);
      for (const c of files) {
        if (c.action === 'delete') continue;
        writeStaged(join(stage, 'files'), c.path, { content: c.data ?? c.after, mode: c.mode }, made);
        faultPoint(++written);
      }
      return { target, state, stage, files, deletes: files.filter((c) => c.action === 'delete') };
    }).filter((s) => s !== null);

    // Every journal is in place before the first rename: recovery sees the whole run or none of it.
    for (const { target, state, stage, files } of staged) {
      const dirs = new Set<string>();
      if (state.nonEmpty) {
        for (const c of files) {
          if (c.action !== 'create') continue;
          const missing = firstMissing(target.dir, dirname(join(target.dir, c.path)));
          if (missing) for (let d = dirname(join(target.dir, c.path)); d.length >= missing.length; d = dirname(d)) dirs.add(d);
        }
      }
      const journal: Journal = {
        target: target.dir,
        fresh: !state.nonEmpty,
        existedEmpty: state.exists && !state.nonEmpty,
        created: files.filter((c) => c.action === 'create').map((c) => c.path),
        // A deletion is undone like an update: its old file is kept in old/ and put back.
        updated: files.filter((c) => c.action === 'update' || c.action === 'delete').map((c) => c.path),
        dirs: [...dirs].sort((a, b) => a.length - b.length),
        stages,
        marker,
      };
      writeWhole(join(stage, JOURNAL), JSON.stringify(journal));
    }

    for (const { target, state, stage, files, deletes } of staged) {
      if (!state.nonEmpty) {
        // rename(2) replaces an empty directory atomically, and fails if another run filled it.
        try {
          renameSync(join(stage, 'files'), target.dir);
        } catch (err) {
          if (!raced(err)) throw err;
          throw new UserError('target-created-meanwhile', `${target.dir} was created by another run meanwhile; nothing was written`, 'look at what the other run made, then re-run with --force to update it');
        }
        done.push(() => {
          renameSync(target.dir, join(stage, 'files'));
          if (state.exists) mkdirSync(target.dir);
        });
        faultPoint('commit');
        continue;
      }
      const backup = join(stage, 'old');
      for (const c of files) {
        const dest = join(target.dir, c.path);
        if (c.action === 'create' && existsSync(dest)) {
          throw new UserError('target-created-meanwhile', `${dest} was created by another run meanwhile; nothing was written`, 're-run the command: it will see that file');
        }
        if (c.action === 'update' || c.action === 'delete') {
          mkdirSync(dirname(join(backup, c.path)), { recursive: true });
          renameSync(dest, join(backup, c.path));
        }
        if (c.action === 'delete') {
          done.push(() => {
            mkdirSync(dirname(dest), { recursive: true });
            renameSync(join(backup, c.path), dest);
          });
          if (done.length === 1) faultPoint('kill');
          continue;
        }
        const created = firstMissing(target.dir, dirname(dest));
        if (created) mkdirSync(dirname(dest), { recursive: true });
        renameSync(join(stage, 'files', c.path), dest);
        done.push(() => {
          if (c.action === 'update') renameSync(join(backup, c.path), dest);
          else rmSync(dest, { force: true });
          if (created) rmSync(created, { recursive: true, force: true });
        });
        if (done.length === 1) faultPoint('kill');
      }
      // Directories a deletion left empty go too (put back by an undo).
      for (const c of deletes) {
        for (let d = dirname(join(target.dir, c.path)); d.length > target.dir.length; d = dirname(d)) {
          if (!existsSync(d) || readdirSync(d).length > 0) break;
          rmSync(d, { recursive: true });
          done.push(() => mkdirSync(d, { recursive: true }));
        }
      }
      faultPoint('commit');
    }
    // The run stands from here: a kill now leaves staging dirs that recovery only removes.
    if (staged.length > 0) writeFileSync(marker, '');
  } catch (err) {
    for (const undoStep of done.reverse()) undoStep();
    throw err;
  } finally {
    for (const s of stages) rmSync(s, { recursive: true, force: true });
    rmSync(marker, { force: true });
  }
}
