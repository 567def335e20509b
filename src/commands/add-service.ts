// `create-stack add service <name>:<kind>[:<host-port>]...`: grows a stack create-stack made (a spec
// change, merged into the user's files) or any compose repo (inserted in the file's own style).
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { runPlan } from '../engine.js';
import { SPEC_FILE } from '../apply.js';
import { kinds } from '../templates.js';
import { parseServiceArg, type StackSpec } from '../spec.js';
import { parseFlags } from './args.js';
import type { NewService } from '../add-service/types.js';

interface Flags {
  repo?: string;
  link?: string[];
  file?: string;
  context?: string;
  force?: boolean;
  'dry-run'?: boolean;
  json?: boolean;
  help?: boolean;
}

export const USAGE = `Usage: create-stack add service <name>:<kind>[:<host-port>]... [options]

Adds services to a stack create-stack made (every file it owns follows, your edits are kept) or to
any compose repo (the service is inserted in the compose file's own style).

Options
  --repo <dir>           the repo to change (default: current directory)
  --link <svc>[,<svc>]   services that use the new one: depends_on (healthy) and its connection URL
  --file <compose>       the compose file to edit, when the repo has several (repos create-stack did not make)
  --context <dir>        where a built service's code and Dockerfile go (default ./<name>/; repos create-stack did not make)
  --dry-run              print the diffs; write nothing
  --force                resolve conflicts with your edits in favour of this command
  --json                 machine-readable summary
Kinds: ${Object.keys(kinds).sort().join(', ')}
`;

function parseServices(args: string[]): NewService[] {
  return args.map((a) => {
    try {
      return parseServiceArg(a);
    } catch (err) {
      if (err instanceof UserError && err.rule === 'service-format') {
        throw new UserError('service-format', `${JSON.stringify(a)} is not of the form <name>:<kind>[:<host-port>]`, 'write it as create-stack add service cache:redis or api:fastapi:8001');
      }
      throw err;
    }
  });
}

async function askService(): Promise<string> {
  const { input, select } = await import('@inquirer/prompts');
  const { DEFAULT_NAME_FOR_KIND } = await import('../defaults.js');
  const { nameProblem } = await import('../spec.js');
  const kind = await select({ message: 'Kind of the new service', choices: Object.keys(kinds).sort().map((k) => ({ value: k, name: `${k}: ${kinds[k]!.description}` })) });
  const name = await input({ message: 'Service name', default: DEFAULT_NAME_FOR_KIND[kind] ?? kind, validate: (v) => (nameProblem(v) ? `the name ${nameProblem(v)}` : true) });
  return `${name}:${kind}`;
}

export function repoDir(arg: string | undefined): string {
  const repo = resolve(arg ?? '.');
  if (!existsSync(repo) || !statSync(repo).isDirectory()) throw new UserError('repo-missing', `${repo} is not a directory`, 'pass --repo <the repo to change>');
  return repo;
}

export async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags<Flags>(
    argv,
    { repo: { type: 'string' }, link: { type: 'string', multiple: true }, file: { type: 'string' }, context: { type: 'string' }, force: { type: 'boolean' } },
    'add service',
  );
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let args = positionals;
  if (args.length === 0) {
    if (!(process.stdin.isTTY && process.stdout.isTTY)) {
      throw new UserError('input-missing', 'no service given, and there is no terminal to ask on', 'pass it: create-stack add service <name>:<kind>, e.g. cache:redis');
    }
    args = [await askService()];
  }
  const services = parseServices(args);
  const link = (flags.link ?? []).flatMap((l) => l.split(',')).map((l) => l.trim()).filter(Boolean);
  const repo = repoDir(flags.repo);
  const { report } = await import('../add-service/output.js');

  if (existsSync(join(repo, SPEC_FILE))) {
    for (const [flag, value] of [['--file', flags.file], ['--context', flags.context]] as const) {
      if (value !== undefined) throw new UserError('option-not-applicable', `${flag} is for repos create-stack did not make; ${repo} is a create-stack stack`, `drop ${flag}: the stack's layout decides where files go`);
    }
    const { planStackAdd } = await import('../add-service/add-stack.js');
    const change = await planStackAdd(repo, services, link, { force: flags.force });
    const conflicts = change.conflicts;
    if (conflicts.length && !flags.force && !flags['dry-run']) {
      throw new UserError('add-conflict', `these edits of yours meet the change:\n  ${conflicts.join('\n  ')}`, 'see the differences with --dry-run, then resolve by hand or pass --force (this command wins there)');
    }
    const result = runPlan(change.plan, { force: true, dryRun: flags['dry-run'], edited: 'overwrite' });
    await report(flags, { spec: change.next as StackSpec, result, added: services.map((s) => s.name), removed: [], kept: [], conflicts: flags.force ? [] : conflicts, notes: change.notes });
    return 0;
  }
  const { planForeignAdd } = await import('../add-service/foreign.js');
  const planned = planForeignAdd({ repo, services, link, file: flags.file, context: flags.context });
  const result = runPlan(planned.plan, { force: true, dryRun: flags['dry-run'], edited: 'overwrite' });
  await report(flags, { spec: null, result, added: services.map((s) => s.name), removed: [], kept: [], conflicts: [], notes: [`edited ${planned.file}`, ...planned.notes] });
  return 0;
}
