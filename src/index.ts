// Programmatic API: the same engine the CLI and the plopfile call.
export { createStack, planStack, runPlan, validatePlan, type RunOptions, type RunResult } from './engine.js';
export { validateSpec, parseServiceArg, nameProblem, assignFreePorts, type StackSpec, type ServiceSpec } from './spec.js';
export { UserError } from './errors.js';
export { FileTree, type Plan, type Target, type PlannedFile } from './tree.js';
export type { Change, TargetState } from './apply.js';
export { kinds, version } from './templates.js';
export { DEFAULT_SERVICES } from './defaults.js';
export { initRepo, type GitOutcome } from './git.js';
export { updateStack, planUpdate, MIGRATIONS, type UpdateOptions, type UpdateResult, type Migration, type MigrationTree, type Strategy } from './update/index.js';
export { merge3, type MergeInput, type MergeResult, type MergeConflict } from './merge/index.js';
export { readRecord, RECORD_FILE, type StackRecord } from './record.js';
export { withTemplates, type TemplateSet } from './render.js';
