// `create-stack new <name>` (and the `create-stack <name>` shorthand): flags, answers file and, on a
// TTY, prompts → StackSpec → the engine.
import { relative } from 'node:path';
import { kinds, version } from '../templates.js';
import { UserError } from '../errors.js';
import { assignFreePorts, parseServiceArg, type StackSpec } from '../spec.js';
import { planStack, runPlan, type RunResult } from '../engine.js';
import { DEFAULT_SERVICES } from '../defaults.js';
import { parseFlags, type Options } from './args.js';
import { printResult } from './output.js';
import { HELP } from './help.js';
import { RESERVED_NAMES } from './registry.js';

interface Flags {
  preset?: string;
  service?: string[];
  with?: string[];
  dest?: string;
  yes?: boolean;
  answers?: string;
  'dry-run'?: boolean;
  force?: boolean;
  'overwrite-edited'?: boolean;
  git?: boolean;
  'no-git'?: boolean;
  json?: boolean;
  help?: boolean;
  'app-kind'?: string;
  'db-memory'?: string;
  domain?: string;
  ip?: string;
  'acme-email'?: string;
  https?: string;
  terraform?: boolean;
  'no-terraform'?: boolean;
}

export const NEW_OPTIONS: Options = {
  preset: { type: 'string' },
  service: { type: 'string', multiple: true, short: 's' },
  with: { type: 'string', multiple: true },
  dest: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  answers: { type: 'string' },
  force: { type: 'boolean' },
  'overwrite-edited': { type: 'boolean' },
  git: { type: 'boolean' },
  'no-git': { type: 'boolean' },
  'app-kind': { type: 'string' },
  'db-memory': { type: 'string' },
  domain: { type: 'string' },
  ip: { type: 'string' },
  'acme-email': { type: 'string' },
  https: { type: 'string' },
  terraform: { type: 'boolean' },
  'no-terraform': { type: 'boolean' },
};

/** Builds the spec from answers file, flags, defaults and (on a TTY) prompts, in that order of precedence. */
async function buildSpec(flags: Flags, nameArg: string | undefined): Promise<StackSpec> {
  const fromFile = flags.answers ? await (await import('../answers.js')).readAnswers(flags.answers) : {};
  const spec: Partial<StackSpec> = { ...fromFile };
  if (nameArg !== undefined) spec.name = nameArg;
  else delete spec.name; // a stack's answers reproduce its tree, under a new name
  if (flags.preset !== undefined) spec.preset = flags.preset as StackSpec['preset'];
  if (flags.service?.length) spec.services = flags.service.map(parseServiceArg);
  if (flags.with?.length) spec.with = flags.with.flatMap((w) => w.split(',')) as StackSpec['with'];
  if (flags['app-kind'] !== undefined) spec.appKind = flags['app-kind'];
  if (flags['db-memory'] !== undefined) spec.dbMemory = flags['db-memory'];
  if (flags.domain !== undefined) spec.domain = flags.domain;
  if (flags.ip !== undefined) spec.ip = flags.ip;
  if (flags['acme-email'] !== undefined) spec.acmeEmail = flags['acme-email'];
  if (flags.https !== undefined) spec.https = flags.https;
  if (flags['no-terraform']) spec.terraform = false;
  else if (flags.terraform) spec.terraform = true;

  spec.preset ??= 'bd-build-data';
  const layersGiven = spec.with !== undefined;
  spec.with ??= [];
  const missing: string[] = [];
  if (spec.name === undefined) missing.push('name');
  if (spec.services === undefined && spec.preset === 'bd-build-data') missing.push('services');

  if (missing.length && !flags.yes) {
    if (process.stdin.isTTY && process.stdout.isTTY) {
      const { askMissing } = await import('../prompts.js');
      await askMissing(spec, missing, { askLayers: !layersGiven });
    } else {
      const how: Record<string, string> = { name: 'create-stack new <name>', services: '--service <name>:<kind> (or --yes for the default set)' };
      throw new UserError(
        'input-missing',
        `no ${missing.join(' and no ')} given, and there is no terminal to ask on`,
        `pass ${missing.map((m) => how[m]).join(' and ')}`,
      );
    }
  }
  if (spec.name === undefined) {
    throw new UserError('input-missing', 'no stack name given', 'pass it: create-stack new <name> --yes');
  }
  if (spec.preset === 'bd-build-data') spec.services ??= DEFAULT_SERVICES.map((s) => ({ ...s }));
  spec.services ??= [];
  return spec as StackSpec;
}

const GIT_WORDS = {
  committed: 'initialised, first commit made',
  'skipped-inside-work-tree': 'not initialised: it is inside another git repository (commit it there)',
  'skipped-no-git': 'not initialised: git is not installed',
} as const;

export async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags<Flags>(argv, NEW_OPTIONS, 'new');
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [nameArg, ...extra] = positionals;
  if (extra.length) {
    throw new UserError('argument-extra', `unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.join(' ')}`, 'give one name; add services with --service <name>:<kind>');
  }
  if (nameArg !== undefined && RESERVED_NAMES.has(nameArg)) {
    throw new UserError('name-reserved', `"${nameArg}" is a create-stack command, not a stack name`, `run create-stack ${nameArg} --help, or choose another stack name`);
  }
  if (flags.git && flags['no-git']) throw new UserError('option-conflict', '--git and --no-git were both given', 'keep one of them');

  const spec = await buildSpec(flags, nameArg);
  const notes = assignFreePorts(spec.services, kinds);
  const plan = planStack(spec, flags.dest);
  const overwrite = flags['overwrite-edited'];
  const result: RunResult = runPlan(plan, { force: flags.force || overwrite, dryRun: flags['dry-run'], edited: overwrite ? 'overwrite' : 'keep' });

  const git: string[] = [];
  if (result.written && !flags['no-git']) {
    const { initRepo } = await import('../git.js');
    for (const state of result.states) {
      if (state.exists) continue; // only new repos get git init; an existing one is the user's
      const where = relative(process.cwd(), state.dir) || '.';
      try {
        git.push(`${where}: ${GIT_WORDS[await initRepo(state.dir, `Initial stack from create-stack ${version}`)]}`);
      } catch (err) {
        // The files are written and complete; a failed first commit is the user's to redo.
        const why = (err as Error).message.split('\n')[0];
        git.push(`${where}: failed (${why})`);
        process.stderr.write(`warning: git init/commit failed in ${where}: ${why}\n  the stack is written; run git there yourself\n`);
      }
    }
  }
  await printResult(flags, spec, result, git, notes);
  return 0;
}
