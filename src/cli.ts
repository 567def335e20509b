// The argv door: flags (and prompts, when a TTY is there) → StackSpec → the engine.
import { parseArgs } from 'node:util';
import { join, relative } from 'node:path';
import { kinds, version } from './templates.js';
import { UserError } from './errors.js';
import { parseServiceArg, PRESETS, type StackSpec } from './spec.js';
import { planStack, runPlan, type RunResult } from './engine.js';
import type { TargetState } from './apply.js';
import { DEFAULT_SERVICES } from './defaults.js';
import { formatDryRun, formatSummary, summaryJson } from './report.js';

const HELP = `create-stack ${version}: scaffold Docker Compose stacks in the bd/ build/ data/ standard

Usage
  create-stack new <name> [options]
  create-stack <name> [options]            (same; this is what \`npm create stack\` runs)
  create-stack add deploy [--repo <dir>]   add the deploy layer to a stack create-stack made

Options
  --preset <name>            ${PRESETS.join(' | ')} (default bd-build-data)
  --with deploy              add the deploy layer (Kubernetes, Helm, CI/CD, Makefile)
  --app-kind <kind>          app-support: kind of the application (fastapi, node, worker)
  --db-memory <size>         app-support: memory PostgreSQL is tuned for (e.g. 512MB, 4GB; default 4GB)
  --service <name>:<kind>[:<port>]
                             add a service; repeat for more. <port> is its host port
                             kinds: ${Object.keys(kinds).sort().join(', ')}
  --dest <dir>               parent directory of the new repo (default: current directory)
  --repo <dir>               add: the stack to change (default: current directory)
  --yes, -y                  take the defaults for everything not given, ask nothing
  --answers <file.yaml>      read the spec from a .create-stack.yaml (flags still win)
  --dry-run                  print what would be written (a tree, or diffs of changed files); write nothing
  --force                    write into a non-empty directory: only files create-stack owns are
                             overwritten, your code, config and .env are kept, nothing is deleted
  --no-git                   do not run git init + first commit
  --json                     print a machine-readable summary
  -h, --help                 this help
  -v, --version              the version of create-stack

Examples
  npx create-stack new shop --service api:fastapi --service db:postgres --yes
  npx create-stack new shop --service api:fastapi:8001 --service web:node:3001 --service cache:redis
  npx create-stack new shop --yes --dry-run
  npx create-stack new shop2 --answers shop/.create-stack.yaml
  npx create-stack new demo --preset app-support --app-kind node --db-memory 2GB --yes
  cd shop && npx create-stack add deploy --dry-run

Exit codes
  0 done   1 failure (nothing half-written is left behind)   2 bad input (nothing written)
`;

interface Flags {
  preset?: string;
  service?: string[];
  with?: string[];
  dest?: string;
  repo?: string;
  yes?: boolean;
  answers?: string;
  'dry-run'?: boolean;
  force?: boolean;
  git?: boolean;
  'no-git'?: boolean;
  json?: boolean;
  help?: boolean;
  version?: boolean;
  'app-kind'?: string;
  'db-memory'?: string;
}

function parse(argv: string[]): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        preset: { type: 'string' },
        service: { type: 'string', multiple: true, short: 's' },
        with: { type: 'string', multiple: true },
        dest: { type: 'string' },
        repo: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        answers: { type: 'string' },
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean' },
        git: { type: 'boolean' },
        'no-git': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        'app-kind': { type: 'string' },
        'db-memory': { type: 'string' },
      },
    });
    return { flags: values as Flags, positionals };
  } catch (err) {
    throw new UserError('option-unknown', (err as Error).message.replace(/\. To specify.*$/s, ''), 'run create-stack --help for the options');
  }
}

/** Builds the spec from answers file, flags, defaults and (on a TTY) prompts, in that order of precedence. */
async function buildSpec(flags: Flags, nameArg: string | undefined): Promise<StackSpec> {
  const fromFile = flags.answers ? await (await import('./answers.js')).readAnswers(flags.answers) : {};
  const spec: Partial<StackSpec> = { ...fromFile };
  if (nameArg !== undefined) spec.name = nameArg;
  else delete spec.name; // a stack's answers reproduce its tree, under a new name
  if (flags.preset !== undefined) spec.preset = flags.preset as StackSpec['preset'];
  if (flags.service?.length) spec.services = flags.service.map(parseServiceArg);
  if (flags.with?.length) spec.with = flags.with.flatMap((w) => w.split(',')) as StackSpec['with'];
  if (flags['app-kind'] !== undefined) spec.appKind = flags['app-kind'];
  if (flags['db-memory'] !== undefined) spec.dbMemory = flags['db-memory'];

  spec.preset ??= 'bd-build-data';
  spec.with ??= [];
  const missing: string[] = [];
  if (spec.name === undefined) missing.push('name');
  if (spec.services === undefined && spec.preset === 'bd-build-data') missing.push('services');

  if (missing.length && !flags.yes) {
    if (process.stdin.isTTY && process.stdout.isTTY) {
      const { askMissing } = await import('./prompts.js');
      await askMissing(spec, missing);
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

export async function main(argv: string[]): Promise<number> {
  const { flags, positionals } = parse(argv);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (flags.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command === 'add') return add(flags, rest);
  let nameArg: string | undefined;
  if (command === 'new') nameArg = rest[0];
  else if (command !== undefined) nameArg = command;
  const extra = command === 'new' ? rest.slice(1) : rest;
  if (extra.length) {
    throw new UserError('argument-extra', `unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.join(' ')}`, 'give one name; add services with --service <name>:<kind>');
  }
  if (flags.git && flags['no-git']) throw new UserError('option-conflict', '--git and --no-git were both given', 'keep one of them');

  const spec = await buildSpec(flags, nameArg);
  const plan = planStack(spec, flags.dest);
  const result: RunResult = runPlan(plan, { force: flags.force, dryRun: flags['dry-run'] });

  const git: string[] = [];
  if (result.written && !flags['no-git']) {
    const { initRepo } = await import('./git.js');
    for (const state of result.states) {
      if (state.exists) continue; // only new repos get git init; an existing one is the user's
      const where = relative(process.cwd(), state.dir) || '.';
      try {
        git.push(`${where}: ${await initRepo(state.dir, `Initial stack from create-stack ${version}`)}`);
      } catch (err) {
        // The files are written and complete; a failed first commit is the user's to redo.
        const why = (err as Error).message.split('\n')[0];
        git.push(`${where}: failed (${why})`);
        process.stderr.write(`warning: git init/commit failed in ${where}: ${why}\n  the stack is written; run git there yourself\n`);
      }
    }
  }
  await printResult(flags, spec, result, git);
  return 0;
}

/** --json, --dry-run (tree or diffs), or the summary: the same for `new` and `add`. */
async function printResult(flags: Flags, spec: StackSpec, result: RunResult, git: string[]): Promise<void> {
  if (flags.json) process.stdout.write(JSON.stringify(summaryJson(spec, result, git), null, 2) + '\n');
  else if (flags['dry-run']) process.stdout.write(await formatDryRun(result));
  else process.stdout.write(formatSummary(spec, result, git));
}

async function add(flags: Flags, args: string[]): Promise<number> {
  if (args.length > 1) throw new UserError('argument-extra', `unexpected arguments: ${args.slice(1).join(' ')}`, 'run create-stack add deploy');
  const { planAddLayer, SPEC_FILE } = await import('./add.js');
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
        'see the differences with --dry-run, then pass --force to overwrite them (nothing else is touched)',
      );
    }
  };
  const result = runPlan(plan, { force: true, dryRun: flags['dry-run'], check: noEditedFiles });
  await printResult(flags, spec, result, []);
  if (flags['dry-run'] && !flags.json && conflicts.length && !flags.force) {
    process.stdout.write(`without --force, add stops here [add-conflict]: changed since create-stack wrote them: ${conflicts.join(', ')}\n`);
  }
  return 0;
}

function fail(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`${err.format()}\n`);
    return 2;
  }
  const e = err as Error;
  if (e?.name === 'ExitPromptError') {
    process.stderr.write('create-stack: cancelled, nothing written\n');
    return 130;
  }
  process.stderr.write(`create-stack: ${e?.message ?? String(err)}\n`);
  if (process.env.CREATE_STACK_DEBUG) process.stderr.write(`${e?.stack}\n`);
  return 1;
}

// `create-stack ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
// Apply is synchronous, so these run only once it has finished or not started: never mid-write.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));
main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => (process.exitCode = fail(err)),
);
