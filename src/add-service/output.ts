// What add service / remove service print: the engine's summary or dry-run diffs, plus what was kept
// on purpose and what conflicts; or all of it as JSON.
import type { RunResult } from '../engine.js';
import type { StackSpec } from '../spec.js';
import { formatDryRun, formatSummary } from '../report.js';

export interface ServiceReport {
  spec: StackSpec | null;
  result: RunResult;
  added: string[];
  removed: string[];
  kept: string[];
  conflicts: string[];
  notes: string[];
}

export async function report(flags: { json?: boolean; 'dry-run'?: boolean }, r: ServiceReport): Promise<void> {
  if (flags.json) {
    const out = {
      dryRun: !r.result.written,
      added: r.added,
      removed: r.removed,
      kept: r.kept,
      conflicts: r.conflicts,
      notes: r.notes,
      targets: r.result.states.map((s) => ({
        dir: s.dir,
        files: s.changes.map((c) => ({ path: c.path, action: c.action, size: c.size, mode: `0${c.mode.toString(8)}` })),
      })),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const lines: string[] = [];
  if (flags['dry-run']) lines.push((await formatDryRun(r.result)).trimEnd());
  else lines.push(formatSummary(r.spec ?? ({ preset: 'foreign' } as unknown as StackSpec), r.result, []).trimEnd());
  if (r.added.length) lines.push(`${flags['dry-run'] ? 'would add' : 'added'}: ${r.added.join(', ')}`);
  if (r.removed.length) lines.push(`${flags['dry-run'] ? 'would remove' : 'removed'}: ${r.removed.join(', ')}`);
  for (const n of r.notes) lines.push(n);
  if (r.kept.length) lines.push(`kept: ${r.kept.join(', ')}; delete by hand`);
  if (r.conflicts.length) lines.push(`without --force, this stops here [add-conflict]:\n  ${r.conflicts.join('\n  ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}
