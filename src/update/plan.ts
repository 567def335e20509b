// `create-stack update` as a plan: for every file create-stack owns, base = what the record says it
// wrote, ours = the repo now, theirs = what this version renders for the recorded spec; the three are
// merged (src/merge/) and the result goes through the engine like any other plan.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { version as currentVersion } from '../templates.js';
import { UserError } from '../errors.js';
import { planPreset } from '../engine.js';
import { recoverInterrupted, SPEC_FILE } from '../apply.js';
import { locateRepos } from '../add.js';
import { parseAnswers } from '../answers.js';
import { readRecord, RECORD_FILE } from '../record.js';
import { withTemplates, type TemplateSet } from '../render.js';
import { FileTree, type Plan, type Target } from '../tree.js';
import { isYamlPath, merge3, type MergeConflict } from '../merge/index.js';
import { compareVersions, migrationsBetween, MIGRATIONS, type Migration, type MigrationTree } from './migrations/index.js';
import type { StackSpec } from '../spec.js';
import type { PresetOutput } from '../presets/types.js';

export type Strategy = 'merge' | 'ours' | 'theirs';
export const STRATEGIES: Strategy[] = ['merge', 'ours', 'theirs'];

export interface UpdateOptions {
  repo?: string;
  /** The version to update to: only this create-stack's own version can be rendered. */
  to?: string;
  /** How conflicts end: none (default) leaves each conflicted file as yours; 'merge' also writes the
   *  other versions beside it (YAML) or conflict markers into it (other text); 'ours'/'theirs' resolve
   *  every conflicting value or lines to that side. */
  strategy?: Strategy;
  dryRun?: boolean;
  /** Render "this version" from another template set (tests; programs with their own templates). */
  templates?: TemplateSet;
  /** Migrations in place of the registry's (tests). */
  migrations?: Migration[];
}

export type Outcome =
  | 'same' // nothing to do: ours = theirs, or the template did not change it
  | 'theirs' // untouched by the user: the new version's text
  | 'merged' // the user's edits and the new version's changes, merged
  | 'new' // a file this version adds
  | 'conflict' // left as yours (or with markers), listed
  | 'resolved' // conflicts resolved by --strategy ours|theirs
  | 'deleted-kept' // the user deleted it; stays deleted
  | 'removed'; // no longer generated (deleted, or kept when the user changed it: see the engine's report)

export interface FileReport {
  dir: string;
  path: string;
  outcome: Outcome;
}

export interface UpdatePlan {
  plan: Plan;
  spec: StackSpec;
  from: string;
  to: string;
  files: FileReport[];
  conflicts: Array<MergeConflict & { dir: string }>;
  /** Side files written by --strategy merge, relative to their repo. */
  sideFiles: Array<{ dir: string; path: string }>;
  migrations: string[];
  /** True when the repo had no record and base was rendered by this same version. */
  baseRendered: boolean;
}

/** One repo in memory for the migrations: reads through to the disk, records every change. */
class RepoTree implements MigrationTree {
  readonly overlay = new Map<string, string | null>();
  readonly moved: string[] = [];
  constructor(
    readonly dir: string,
    readonly record: Map<string, string>,
  ) {}
  read(path: string): string | undefined {
    if (this.overlay.has(path)) return this.overlay.get(path) ?? undefined;
    return readText(join(this.dir, path));
  }
  write(path: string, content: string): void {
    this.overlay.set(path, content);
  }
  remove(path: string): void {
    this.overlay.set(path, null);
  }
  move(from: string, to: string): void {
    const text = this.read(from);
    if (text === undefined) return;
    this.write(to, text);
    this.remove(from);
    this.moved.push(from);
    const base = this.record.get(from);
    if (base !== undefined) {
      this.record.set(to, base);
      this.record.delete(from);
    }
  }
  editSpec(edit: (doc: Document) => void): void {
    const doc = parseDocument(this.read(SPEC_FILE) ?? '');
    edit(doc);
    this.write(SPEC_FILE, doc.toString({ lineWidth: 0 }));
  }
}

function readText(full: string): string | undefined {
  if (!existsSync(full) || !statSync(full).isFile()) return undefined;
  return readFileSync(full, 'utf8');
}

function recordedVersion(specText: string): string {
  try {
    const v = parseDocument(specText).get('version');
    return typeof v === 'string' ? v : currentVersion;
  } catch {
    return currentVersion;
  }
}

export async function planUpdate(opts: UpdateOptions = {}): Promise<UpdatePlan> {
  const repo = resolve(opts.repo ?? '.');
  // A run killed while writing this repo left its old files aside: put them back before reading it.
  if (!opts.dryRun) recoverInterrupted(dirname(repo));
  if (!existsSync(join(repo, SPEC_FILE))) {
    throw new UserError('not-a-stack', `${repo} has no ${SPEC_FILE}: update works inside a repo that create-stack made`, 'cd into the stack, or pass --repo <dir>');
  }
  const to = currentVersion;
  if (opts.to !== undefined && opts.to !== to) {
    throw new UserError('version-unavailable', `this create-stack is ${to}; it can update only to ${to}, not ${opts.to}`, `run npx create-stack@${opts.to} update`);
  }
  const from = recordedVersion(readFileSync(join(repo, SPEC_FILE), 'utf8'));
  if (compareVersions(from, to) > 0) {
    throw new UserError('version-newer', `${repo} was written by create-stack ${from}, newer than this ${to}`, `run npx create-stack@${from} update (or a later version)`);
  }
  const migrations = migrationsBetween(from, to, opts.migrations ?? MIGRATIONS);

  const trees = new Map<string, RepoTree>();
  const treeOf = (dir: string) => {
    let t = trees.get(dir);
    if (!t) {
      t = new RepoTree(dir, new Map(Object.entries(readRecord(dir)?.files ?? {})));
      for (const m of migrations) m.migrate(t);
      trees.set(dir, t);
    }
    return t;
  };
  const main = treeOf(repo);
  const answers = await parseAnswers(main.read(SPEC_FILE) ?? '', join(repo, SPEC_FILE));
  const spec = { preset: 'bd-build-data', services: [], with: [], ...answers } as StackSpec;
  if (!spec.name) throw new UserError('answers-shape', `${join(repo, SPEC_FILE)} has no name`, 'restore the name: line');

  const theirs: PresetOutput = opts.templates ? withTemplates(opts.templates, () => planPreset(spec)) : planPreset(spec);
  const names = theirs.repos.map((r) => r.name);
    const dirs = locateRepos(repo, names, theirs.layerRepo);

  const out: UpdatePlan = { plan: { targets: [] }, spec, from, to, files: [], conflicts: [], sideFiles: [], migrations: migrations.map((m) => m.id), baseRendered: false };
  // A repo without a record: its base can still be rendered exactly when this version wrote it.
  let rendered: PresetOutput | null = null;
  dirs.forEach((dir, i) => {
    const t = treeOf(dir);
    if (!existsSync(join(dir, RECORD_FILE)) && t.record.size === 0) {
      if (from !== to) {
        throw new UserError('record-missing', `${dir} has no record of what create-stack ${from} wrote (.create-stack/base.json.gz), so its edits cannot be told from the standard`, `run npx create-stack@${from} new ${spec.name} --answers ${SPEC_FILE} --force there first (it records), then update`);
      }
      rendered ??= planPreset(spec);
      for (const [path, file] of rendered.repos[i]!.tree.files) if (!file.userOwned && file.mode !== 0o600) t.record.set(path, file.content);
      out.baseRendered = true;
    }
    out.plan.targets.push(planRepo(dir, t, theirs.repos[i]!.tree, opts, out));
  });
  return out;
}

function planRepo(dir: string, ours: RepoTree, theirs: FileTree, opts: UpdateOptions, out: UpdatePlan): Target {
  const tree = new FileTree();
  const removedByMigrations = [...ours.overlay].filter(([, c]) => c === null).map(([p]) => p);
  const target: Target = { dir, tree, remove: [], discard: removedByMigrations };
  const report = (path: string, outcome: Outcome) => out.files.push({ dir, path, outcome });
  const strategy = opts.strategy;

  for (const path of theirs.paths()) {
    const file = theirs.files.get(path)!;
    const o = ours.read(path);
    if (file.userOwned) {
      // Written only when missing, as by new; .env gains the variables of services added since.
      tree.files.set(path, { ...file });
      continue;
    }
    const b = ours.record.get(path);
    const t = file.content;
    const add = (content: string, base: string | null | undefined) => tree.files.set(path, { content, mode: file.mode, userOwned: false, base });
    if (o === undefined) {
      if (b === undefined) {
        add(t, undefined);
        report(path, 'new');
      } else if (b === t) {
        report(path, 'deleted-kept'); // the user deleted it, the new version did not change it
      } else if (strategy === 'theirs') {
        add(t, undefined);
        report(path, 'resolved');
      } else {
        out.conflicts.push({ dir, path, where: 'line 1', message: 'you deleted this file; the new version changed it' });
        report(path, 'conflict');
      }
      continue;
    }
    if (b === undefined) {
      // On disk but never written by create-stack (the user's), and now the new version writes it.
      if (o === t) {
        add(o, undefined);
        report(path, 'same');
      } else if (strategy === 'theirs' || strategy === 'ours') {
        add(strategy === 'theirs' ? t : o, t);
        report(path, 'resolved');
      } else {
        add(o, null);
        out.conflicts.push({ dir, path, where: 'line 1', message: 'create-stack did not write this file, and the new version writes one of its own here' });
        report(path, 'conflict');
        if (strategy === 'merge') side(path, '', t);
      }
      continue;
    }
    const r = merge3({ path, base: b, ours: o, theirs: t, onConflict: strategy === 'theirs' ? 'theirs' : strategy === 'merge' ? 'markers' : 'ours' });
    if (r.clean) {
      add(r.content, t);
      report(path, r.how === 'same' || r.how === 'ours' ? 'same' : r.how === 'theirs' ? 'theirs' : 'merged');
      if (isYamlPath(path)) dropSides(path);
      continue;
    }
    for (const c of r.conflicts) out.conflicts.push({ dir, ...c });
    if (strategy === 'ours' || strategy === 'theirs') {
      // The user chose: the conflict is settled, the new version is the base from now on.
      add(r.content, t);
      report(path, 'resolved');
    } else if (strategy === 'merge' && !isYamlPath(path)) {
      add(r.content, b); // conflict markers; the old base stays until the user resolves them
      report(path, 'conflict');
    } else {
      // The file stays exactly as the user has it; so does its base, so the conflict is seen again.
      add(o, b);
      report(path, 'conflict');
      if (strategy === 'merge') side(path, b, t);
    }
  }
  // Files of the record the new version no longer produces (the engine deletes them only if unchanged).
  for (const path of ours.record.keys()) {
    if (!theirs.files.has(path) && !ours.moved.includes(path)) {
      target.remove!.push(path);
      report(path, 'removed');
    }
  }
  // What the migrations wrote that the render does not cover (a moved file of the user's).
  for (const [path, content] of ours.overlay) {
    if (content !== null && !tree.files.has(path)) tree.files.set(path, { content, mode: 0o644, userOwned: false, base: ours.record.get(path) ?? null });
  }
  return target;

  function side(path: string, base: string, theirsText: string): void {
    for (const [suffix, content] of [['.base', base], ['.theirs', theirsText]] as const) {
      tree.files.set(path + suffix, { content, mode: 0o644, userOwned: false, base: null });
      out.sideFiles.push({ dir, path: path + suffix });
    }
  }
  function dropSides(path: string): void {
    for (const suffix of ['.base', '.theirs']) if (existsSync(join(dir, path + suffix))) target.discard!.push(path + suffix);
  }
}
