// `create-stack add <what>`: a layer (deploy) to a stack create-stack made; `add service` and `add app`
// are commands of their own modules.
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { runPlan } from '../engine.js';
import type { TargetState } from '../apply.js';
import { parseFlags } from './args.js';
import { printResult } from './output.js';

const SUBCOMMANDS: Record<string, () => Promise<{ run: (argv: string[]) => Promise<number> }>> = {
  service: () => import('./add-service.js'),
  app: () => import('./add-app.js'),
};

interface Flags {
  repo?: string;
  force?: boolean;
  'overwrite-edited'?: boolean;
  'dry-run'?: boolean;
  json?: boolean;
  help?: boolean;
}

export async function run(argv: string[]): Promise<number> {
  const sub = SUBCOMMANDS[argv[0] ?? ''];
  if (sub) return (await sub()).run(argv.slice(1));
  const { flags, positionals } = parseFlags<Flags>(argv, { repo: { type: 'string' }, force: { type: 'boolean' }, 'overwrite-edited': { type: 'boolean' } }, 'add');
  if (flags['overwrite-edited']) flags.force = true;
  if (flags.help) {
    process.stdout.write('Usage: create-stack add deploy [--repo <dir>] [--dry-run] [--force [--overwrite-edited]] [--json]\n       create-stack add service <name>:<kind>[:<port>] ...\n       create-stack add app ...\n');
    return 0;
  }
  const args = positionals;
  if (args.length > 1) throw new UserError('argument-extra', `unexpected arguments: ${args.slice(1).join(' ')}`, 'run create-stack add deploy');
  const { planAddLayer, SPEC_FILE } = await import('../add.js');
  const { plan, spec, bases } = await planAddLayer(args[0], flags.repo);
  // A conflict is a file the user changed: it differs from what create-stack wrote before the layer.
  let conflicts: string[] = [];
  const noEditedFiles = (states: TargetState[]) => {
    conflicts = states.flatMap((s) =>
      s.changes.filter((c) => c.action === 'update' && c.path !== SPEC_FILE && c.before !== bases.get(join(s.dir, c.path))).map((c) => c.path),
    );
    if (conflicts.length && !flags.force && !flags['dry-run']) {
      throw new UserError(
        'add-conflict',
        `these files were changed since create-stack wrote them: ${conflicts.join(', ')}`,
        'see the differences with --dry-run; --force adds the layer and keeps your edited files, --overwrite-edited replaces them',
      );
    }
  };
  const result = runPlan(plan, { force: true, dryRun: flags['dry-run'], check: noEditedFiles, edited: flags['overwrite-edited'] ? 'overwrite' : 'keep' });
  await printResult(flags, spec, result, []);
  if (flags['dry-run'] && !flags.json && conflicts.length && !flags.force) {
    process.stdout.write(`without --force, add stops here [add-conflict]: changed since create-stack wrote them: ${conflicts.join(', ')}\n`);
  }
  return 0;
}
