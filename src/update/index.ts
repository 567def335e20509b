// `create-stack update` for programs: plan (src/update/plan.ts) → the engine's runPlan (validate,
// record, atomic apply or dry run). The CLI (src/commands/update.ts) only prints what this returns.
import { runPlan, type RunResult } from '../engine.js';
import { planUpdate, type UpdateOptions, type UpdatePlan } from './plan.js';

export { planUpdate, STRATEGIES, type Strategy, type UpdateOptions, type UpdatePlan, type Outcome, type FileReport } from './plan.js';
export { MIGRATIONS, compareVersions, type Migration, type MigrationTree } from './migrations/index.js';

export interface UpdateResult {
  update: UpdatePlan;
  result: RunResult;
  /** Conflicts left for the user (none with --strategy ours|theirs). */
  unresolved: number;
  /** 0: up to date; 1: conflicts left (each file as the user has it, or with markers). */
  exitCode: 0 | 1;
}

export async function updateStack(opts: UpdateOptions = {}): Promise<UpdateResult> {
  const update = await planUpdate(opts);
  const result = runPlan(update.plan, { force: true, dryRun: opts.dryRun, edited: 'overwrite' });
  const unresolved = opts.strategy === 'ours' || opts.strategy === 'theirs' ? 0 : update.conflicts.length;
  return { update, result, unresolved, exitCode: unresolved ? 1 : 0 };
}
