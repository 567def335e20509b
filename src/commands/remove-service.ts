// `create-stack remove service <name>...`: shrinks a stack create-stack made, or any compose repo.
// Data and code the user changed are kept and listed; dependents are refused unless --force.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { runPlan } from '../engine.js';
import { SPEC_FILE } from '../apply.js';
import type { StackSpec } from '../spec.js';
import { parseFlags } from './args.js';
import { repoDir } from './add-service.js';

interface Flags {
  repo?: string;
  file?: string;
  force?: boolean;
  'dry-run'?: boolean;
  json?: boolean;
  help?: boolean;
}

const USAGE = `Usage: create-stack remove service <name>... [options]

Removes services from a stack create-stack made (every file it owns follows) or from any compose repo.
Never deletes data (bd/<svc>-data, named volumes) or files you changed: they are kept and listed.

Options
  --repo <dir>      the repo to change (default: current directory)
  --file <compose>  the compose file, when the repo has several (repos create-stack did not make)
  --dry-run         print the diffs; write nothing
  --force           remove a service others depend on, and their references to it; resolve
                    conflicts with your edits in favour of this command
  --json            machine-readable summary
`;

export async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags<Flags>(argv, { repo: { type: 'string' }, file: { type: 'string' }, force: { type: 'boolean' } }, 'remove service');
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let names = positionals;
  if (names.length === 0) {
    if (!(process.stdin.isTTY && process.stdout.isTTY)) {
      throw new UserError('input-missing', 'no service named, and there is no terminal to ask on', 'pass it: create-stack remove service <name>');
    }
    const { input } = await import('@inquirer/prompts');
    names = [await input({ message: 'Service to remove' })];
  }
  const repo = repoDir(flags.repo);
  const { report } = await import('../add-service/output.js');
  if (existsSync(join(repo, SPEC_FILE))) {
    if (flags.file !== undefined) throw new UserError('option-not-applicable', `--file is for repos create-stack did not make; ${repo} is a create-stack stack`, 'drop --file');
    const { planStackRemove } = await import('../add-service/remove.js');
    const change = await planStackRemove(repo, names, { force: flags.force });
    if (change.conflicts.length && !flags.force && !flags['dry-run']) {
      throw new UserError('remove-conflict', `these edits of yours meet the change:\n  ${change.conflicts.join('\n  ')}`, 'see the differences with --dry-run, then resolve by hand or pass --force (this command wins there)');
    }
    const result = runPlan(change.plan, { force: true, dryRun: flags['dry-run'], edited: 'overwrite' });
    await report(flags, { spec: change.next as StackSpec, result, added: [], removed: names, kept: change.kept, conflicts: flags.force ? [] : change.conflicts, notes: [] });
    return 0;
  }
  const { planForeignRemove } = await import('../add-service/remove.js');
  const planned = planForeignRemove(repo, names, { force: flags.force, file: flags.file });
  const result = runPlan(planned.plan, { force: true, dryRun: flags['dry-run'], edited: 'overwrite' });
  await report(flags, { spec: null, result, added: [], removed: names, kept: planned.kept, conflicts: [], notes: [`edited ${planned.file}`, ...planned.notes] });
  return 0;
}
