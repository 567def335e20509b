// spec → plan → validate → apply: the one path every door (CLI, prompts, plop, API) goes through.
import { existsSync, lstatSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { kinds, version } from './templates.js';
import { settleRecord } from './record.js';
import { UserError } from './errors.js';
import { assignFreePorts, validateSpec, type StackSpec } from './spec.js';
import { applyPlan, inspectTarget, recoverInterrupted, type TargetState } from './apply.js';
import { PLANNERS } from './presets/index.js';
import { planDeployLayer } from './layers/deploy.js';
import type { PresetOutput } from './presets/types.js';
import type { Plan } from './tree.js';

export interface RunOptions {
  /** Parent directory of the new repo(s); default: the current directory. */
  dest?: string;
  force?: boolean;
  dryRun?: boolean;
  /** A door's own rule on the changes (add: no file the user edited), checked before anything is written. */
  check?: (states: TargetState[]) => void;
  /** A file create-stack owns that the user edited since: 'keep' it (default) or 'overwrite' it. */
  edited?: 'keep' | 'overwrite';
}

export interface RunResult {
  plan: Plan;
  states: TargetState[];
  written: boolean;
}

/** The preset's repos in memory, with the layers the spec asks for. Reads nothing from disk. */
export function planPreset(spec: StackSpec): PresetOutput {
  validateSpec(spec, { kinds });
  const out: PresetOutput = PLANNERS[spec.preset]!(spec);
  if (spec.with.includes('deploy')) planDeployLayer(out.repos[out.layerRepo]!.tree, out.stack);
  return out;
}

/** Renders the whole stack into memory, each repo placed under `dest`. */
export function planStack(spec: StackSpec, dest = '.'): Plan {
  const parent = resolve(dest);
  return { targets: planPreset(spec).repos.map((r) => ({ dir: join(parent, r.name), tree: r.tree })) };
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

// A value the templates could not turn into text.
const UNSAFE_OUTPUT = /\[object Object\]/;

/** Checks the plan against itself and against the disk before anything is written. */
export function validatePlan(plan: Plan, opts: RunOptions): TargetState[] {
  for (const target of plan.targets) {
    for (const path of target.tree.paths()) {
      if (isAbsolute(path) || path.split('/').includes('..') || path.includes('\\')) {
        throw new Error(`internal: planned path escapes its target: ${path}`);
      }
      const content = target.tree.files.get(path)!.content;
      if (UNSAFE_OUTPUT.test(content)) throw new Error(`internal: ${path} rendered a missing value`);
    }
    const parent = dirname(target.dir);
    const link = lstatOrNull(target.dir);
    if (link?.isSymbolicLink()) {
      throw new UserError(
        'target-symlink',
        `${target.dir} is a symbolic link to ${readlinkSync(target.dir)}; create-stack does not write through links`,
        'pass the real directory (--dest <the link\'s target>), or remove the link',
      );
    }
    if (!existsSync(parent) || !statSync(parent).isDirectory()) {
      throw new UserError('dest-missing', `destination directory ${parent} does not exist`, 'create it first or pass --dest <existing dir>');
    }
    if (existsSync(target.dir) && !statSync(target.dir).isDirectory()) {
      throw new UserError('target-not-directory', `${target.dir} exists and is not a directory`, 'choose another name or --dest');
    }
  }
  const states = plan.targets.map(inspectTarget);
  for (const state of states) {
    if (state.nonEmpty && !opts.force) {
      throw new UserError(
        'target-not-empty',
        `${state.dir} already exists and is not empty`,
        'choose another name, or pass --force to write the files create-stack owns (it never deletes anything)',
      );
    }
  }
  return states;
}

export function runPlan(plan: Plan, opts: RunOptions): RunResult {
  // A run killed while updating one of these repos left its old files aside: put them back first.
  if (!opts.dryRun) for (const parent of new Set(plan.targets.map((t) => dirname(t.dir)))) recoverInterrupted(parent);
  const states = validatePlan(plan, opts);
  opts.check?.(states);
  settleRecord(plan, states, { version, edited: opts.edited ?? 'keep' });
  if (opts.dryRun) return { plan, states, written: false };
  applyPlan(plan, states);
  return { plan, states, written: true };
}

export function createStack(spec: StackSpec, opts: RunOptions = {}): RunResult {
  // As the CLI does: a second service of one kind given without a port gets the next free one (set in spec).
  assignFreePorts(spec.services, kinds);
  return runPlan(planStack(spec, opts.dest), opts);
}
