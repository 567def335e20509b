// `create-stack update`: bring a repo create-stack made to this version of the standard, merging the
// user's edits three ways (src/update/, src/merge/). Exit 1 when conflicts are left for the user.
import { relative } from 'node:path';
import { UserError } from '../errors.js';
import { formatDryRun, formatSummary, summaryJson } from '../report.js';
import { parseFlags } from './args.js';

interface Flags {
  repo?: string;
  to?: string;
  strategy?: string;
  'dry-run'?: boolean;
  json?: boolean;
  help?: boolean;
}

const USAGE = `Usage: create-stack update [--repo <dir>] [--to <version>] [--dry-run] [--strategy merge|ours|theirs] [--json]

Merges what this version of create-stack renders for the repo's .create-stack.yaml into the repo:
base = what create-stack last wrote (.create-stack/base.json.gz), yours = the repo now, theirs = the
new render. Files you did not touch follow the new version; YAML you edited is merged key by key,
other text line by line; a file you changed in the same place as the new version is a conflict:
it is left as yours, listed, and update exits 1.

  --repo <dir>        the stack to update (default: the current directory)
  --to <version>      the version to update to; only this create-stack's own version
  --dry-run           print the unified diff of every change; write nothing
  --strategy merge    also write <file>.base and <file>.theirs beside a conflicted YAML file
                      (gitignored), conflict markers into other conflicted files
  --strategy ours     resolve every conflicting value or lines to yours
  --strategy theirs   resolve every conflicting value or lines to the new version's
  --json              machine-readable result
`;

function rel(dir: string): string {
  return relative(process.cwd(), dir) || '.';
}

export async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags<Flags>(argv, { repo: { type: 'string' }, to: { type: 'string' }, strategy: { type: 'string' } }, 'update');
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length) throw new UserError('argument-extra', `unexpected arguments: ${positionals.join(' ')}`, 'run create-stack update [--repo <dir>]');
  const { updateStack, STRATEGIES } = await import('../update/index.js');
  if (flags.strategy !== undefined && !(STRATEGIES as string[]).includes(flags.strategy)) {
    throw new UserError('strategy-unknown', `--strategy ${JSON.stringify(flags.strategy)} is not one of ${STRATEGIES.join(', ')}`, 'use --strategy merge, --strategy ours or --strategy theirs');
  }
  const { update, result, unresolved, exitCode } = await updateStack({
    repo: flags.repo,
    to: flags.to,
    strategy: flags.strategy as 'merge' | 'ours' | 'theirs' | undefined,
    dryRun: flags['dry-run'],
  });
  const conflicts = update.conflicts.map((c) => ({ file: `${rel(c.dir)}/${c.path}`, where: c.where, message: c.message }));

  if (flags.json) {
    const base = summaryJson(update.spec, result, []);
    const json = {
      ok: exitCode === 0,
      from: update.from,
      to: update.to,
      strategy: flags.strategy ?? null,
      migrations: update.migrations,
      ...base,
      files: update.files.map((f) => ({ file: `${rel(f.dir)}/${f.path}`, outcome: f.outcome })),
      conflicts,
      resolved: unresolved === 0 && conflicts.length > 0,
      sideFiles: update.sideFiles.map((s) => `${rel(s.dir)}/${s.path}`),
    };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    return exitCode;
  }

  const out: string[] = [];
  out.push(`create-stack update: ${update.from} → ${update.to}${update.migrations.length ? ` (migrations: ${update.migrations.join(', ')})` : ''}`);
  if (update.baseRendered) out.push('  no record of what create-stack wrote: base rendered by this same version');
  const DRY = '(dry run: nothing was written)';
  out.push((flags['dry-run'] ? (await formatDryRun(result)).replace(DRY, '') : formatSummary(update.spec, result, [])).trimEnd());
  const by = (o: string) => update.files.filter((f) => f.outcome === o).map((f) => f.path);
  const merged = by('merged');
  if (merged.length) out.push(`  merged (your edits + the new version): ${merged.join(', ')}`);
  const deleted = by('deleted-kept');
  if (deleted.length) out.push(`  still deleted (you removed them): ${deleted.join(', ')}`);
  if (conflicts.length) {
    out.push(unresolved ? `conflicts (each file is left as yours${flags.strategy === 'merge' ? ', with the other versions beside YAML files and markers in other files' : ''}):` : `conflicts resolved with --strategy ${flags.strategy}:`);
    for (const c of conflicts) out.push(`  ${c.file}:${c.where.replace(/^line /, '')}  ${c.message}`);
    if (update.sideFiles.length) out.push(`  wrote beside them: ${update.sideFiles.map((s) => `${rel(s.dir)}/${s.path}`).join(', ')}`);
    if (unresolved && !flags.strategy) out.push('  resolve by hand and run update again, or: --strategy merge | ours | theirs');
  } else if (!result.states.some((s) => s.changes.some((c) => c.action !== 'unchanged' && c.action !== 'kept'))) {
    out.push('  up to date: nothing to change');
  }
  if (flags['dry-run']) out.push(DRY);
  process.stdout.write(out.join('\n') + '\n');
  if (unresolved) process.stderr.write(`create-stack update: ${unresolved} conflict${unresolved > 1 ? 's' : ''} left for you (listed above)${flags['dry-run'] ? '; nothing was written' : ''}\n`);
  return exitCode;
}
