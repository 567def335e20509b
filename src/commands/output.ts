// What `new` and `add` print once the engine has run: --json, --dry-run (tree or diffs), or the summary.
import type { StackSpec } from '../spec.js';
import type { RunResult } from '../engine.js';
import { formatDryRun, formatSummary, summaryJson } from '../report.js';

export interface OutputFlags {
  json?: boolean;
  'dry-run'?: boolean;
}

export async function printResult(flags: OutputFlags, spec: StackSpec, result: RunResult, git: string[], notes: string[] = []): Promise<void> {
  if (flags.json) process.stdout.write(JSON.stringify(summaryJson(spec, result, git, notes), null, 2) + '\n');
  else if (flags['dry-run']) process.stdout.write(notes.map((n) => `${n}\n`).join('') + (await formatDryRun(result)));
  else process.stdout.write(formatSummary(spec, result, git, notes));
}
