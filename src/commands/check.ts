// `create-stack check [path ...]`: checks repos against the standard (src/check/), prints text, JSON
// or SARIF, and with --fix repairs what it safely can through the engine.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import { version } from '../templates.js';
import { parseFlags, type Options } from './args.js';

interface Flags {
  format?: string;
  output?: string;
  fix?: boolean;
  'dry-run'?: boolean;
  rule?: string[];
  'max-warnings'?: string;
  quiet?: boolean;
  config?: string;
  'list-rules'?: boolean;
  json?: boolean;
  help?: boolean;
}

const OPTIONS: Options = {
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  fix: { type: 'boolean' },
  rule: { type: 'string', multiple: true },
  'max-warnings': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  config: { type: 'string', short: 'c' },
  'list-rules': { type: 'boolean' },
};

export const CHECK_HELP = `create-stack check [path ...] — check repos against the container standard

Options:
  -f, --format <text|json|sarif>  output format (default text; --json = --format json)
  -o, --output <file>             write the report to a file instead of stdout
      --fix                       apply the safe fixes (through the same engine as new/add)
      --dry-run                   with --fix: print the diff, write nothing
      --rule <id>=<level>         off, info, warn or error for one rule (repeatable)
  -c, --config <file>             read the check: section from this file, not .create-stack.yaml
      --max-warnings <N>          exit 1 when there are more than N warnings
  -q, --quiet                     report errors only
      --list-rules                list every rule (with --format json or markdown)

Exit codes: 0 no errors (warnings within --max-warnings), 1 errors, 2 bad input.
Inline: a "# create-stack-ignore <rule-id>" comment on the line above a finding silences it.
Rules: docs/rules.md.
`;

const toPosix = (p: string) => p.split(sep).join('/');

export async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags<Flags>(argv, OPTIONS, 'check');
  if (flags.help) {
    process.stdout.write(CHECK_HELP);
    return 0;
  }
  const format = flags.format ?? (flags.json ? 'json' : 'text');
  const { knownRuleIds, loadRules, checkRepo } = await import('../check/runner.js');
  if (flags['list-rules']) {
    const { listRules } = await import('../check/docs.js');
    if (!['text', 'json', 'markdown'].includes(format)) throw new UserError('option-invalid', `--list-rules --format ${format}: not a list format`, 'use text, json or markdown');
    process.stdout.write(listRules(await loadRules(), format as 'text' | 'json' | 'markdown'));
    return 0;
  }
  if (!['text', 'json', 'sarif'].includes(format)) throw new UserError('option-invalid', `--format ${format}: unknown format`, 'use text, json or sarif');
  let maxWarnings = -1;
  if (flags['max-warnings'] !== undefined) {
    if (!/^\d+$/.test(flags['max-warnings'])) throw new UserError('option-invalid', `--max-warnings ${flags['max-warnings']}: not a whole number`, 'e.g. --max-warnings 0');
    maxWarnings = Number(flags['max-warnings']);
  }
  if (flags['dry-run'] && !flags.fix) throw new UserError('option-invalid', '--dry-run shows what --fix would change', 'pass --fix --dry-run');

  const known = knownRuleIds();
  const { parseRuleFlags, readConfigFile, repoConfigPath } = await import('../check/config.js');
  const ruleLevels = parseRuleFlags(flags.rule ?? [], known);
  const explicit = flags.config ? await readConfigFile(resolve(flags.config), known, true) : null;

  const cwd = process.cwd();
  const targets = (positionals.length ? positionals : ['.']).map((p) => {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new UserError('path-missing', `${p} does not exist`, 'pass a directory (or file) of the repo to check');
    const isDir = statSync(abs).isDirectory();
    return { arg: p, root: isDir ? abs : dirname(abs), only: isDir ? null : basename(abs) };
  });

  const { loadRepo } = await import('../model/index.js');
  type Finding = import('../check/types.js').Finding;
  const all: Finding[] = [];
  const rulesUsed = new Map<string, import('../check/types.js').Rule>();
  let filesChecked = 0;
  let fixOutput = '';
  for (const t of targets) {
    const config = explicit ?? (await readConfigFile(repoConfigPath(t.root), known, false));
    const levels = new Map([...config.levels, ...ruleLevels]);
    const cfg = { levels, ignore: config.ignore };
    let repo = loadRepo(t.root);
    let { findings, rules } = await checkRepo(repo, cfg);
    if (t.only) findings = findings.filter((f) => f.file === t.only);
    if (flags.fix) {
      const { planFixes } = await import('../check/fix.js');
      const { plan } = await planFixes(repo, findings, rules);
      if (plan.targets.length) {
        const { runPlan } = await import('../engine.js');
        const result = runPlan(plan, { force: true, dryRun: flags['dry-run'], edited: 'overwrite' });
        if (flags['dry-run']) {
          const { formatDryRun } = await import('../report.js');
          fixOutput += await formatDryRun(result);
        } else {
          const changed = result.states.flatMap((s) => s.changes.filter((c) => c.action === 'update' || c.action === 'create'));
          fixOutput += `fixed ${changed.length} file${changed.length === 1 ? '' : 's'} in ${relative(cwd, t.root) || '.'}: ${changed.map((c) => c.path).join(', ')}\n`;
          repo = loadRepo(t.root);
          ({ findings, rules } = await checkRepo(repo, cfg));
          if (t.only) findings = findings.filter((f) => f.file === t.only);
        }
      } else if (flags['dry-run']) fixOutput += `nothing to fix in ${relative(cwd, t.root) || '.'}\n(dry run: nothing was written)\n`;
    }
    filesChecked += t.only ? 1 : repo.found.files.length;
    for (const r of rules) rulesUsed.set(r.id, r);
    for (const f of findings) all.push({ ...f, file: toPosix(relative(cwd, join(t.root, f.file)) || f.file) });
  }

  const shown = flags.quiet ? all.filter((f) => f.severity === 'error') : all;
  const { summarize, formatText } = await import('../check/format/text.js');
  const summary = summarize(shown, filesChecked);
  let report: string;
  if (format === 'json') report = (await import('../check/format/json.js')).formatJson(shown, summary, version);
  else if (format === 'sarif') report = (await import('../check/format/sarif.js')).formatSarif(shown, [...rulesUsed.values()], version, cwd);
  else {
    const color = !flags.output && !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
    report = formatText(shown, summary, color);
  }
  // The diff of --fix --dry-run (or what --fix wrote) goes with a text report; beside JSON or SARIF, to stderr.
  if (fixOutput) (format === 'text' && !flags.output ? process.stdout : process.stderr).write(fixOutput + (format === 'text' ? '\n' : ''));
  if (flags.output) {
    try {
      writeFileSync(resolve(flags.output), report);
    } catch (err) {
      throw new UserError('output-unwritable', `cannot write ${flags.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'pass a path in an existing, writable directory');
    }
  } else process.stdout.write(report);

  if (summary.errors > 0) return 1;
  if (maxWarnings >= 0 && summary.warnings > maxWarnings) return 1;
  return 0;
}
