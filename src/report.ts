// What the CLI prints: summaries, dry-run trees and diffs, --json.
import { relative } from 'node:path';
import type { RunResult } from './engine.js';
import type { Change } from './apply.js';
import type { StackSpec } from './spec.js';

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

function rel(dir: string): string {
  return relative(process.cwd(), dir) || '.';
}

function counts(changes: Change[]): string {
  const by = (a: Change['action']) => changes.filter((c) => c.action === a).length;
  const removed = by('delete') ? `, ${by('delete')} removed` : '';
  return `${by('create')} new, ${by('update')} changed, ${by('unchanged')} unchanged, ${by('kept')} kept${removed}`;
}

export async function formatDryRun(result: RunResult): Promise<string> {
  const out: string[] = [];
  for (const state of result.states) {
    const changes = state.changes;
    if (!state.exists || !state.nonEmpty) {
      const total = changes.reduce((n, c) => n + c.size, 0);
      out.push(`${rel(state.dir)}/ would be created: ${changes.length} files, ${size(total)}`);
      const width = Math.max(...changes.map((c) => c.path.length));
      for (const c of changes) out.push(`  ${c.path.padEnd(width)}  ${size(c.size).padStart(8)}${c.mode === 0o755 ? '  (executable)' : c.mode === 0o600 ? '  (private)' : ''}`);
      continue;
    }
    out.push(`${rel(state.dir)}/ would change: ${counts(changes)}`);
    const { createTwoFilesPatch } = await import('diff');
    // Private files (.env) hold secrets: their diffs show names, never values.
    const shown = (c: Change, text: string) => (c.mode === 0o600 ? text.replace(/^([A-Za-z_][A-Za-z0-9_]*)=.+$/gm, '$1=<hidden>') : text);
    for (const c of changes) {
      if (c.action === 'create') out.push(createTwoFilesPatch('/dev/null', `b/${c.path}`, '', shown(c, c.after), '', '').trimEnd());
      else if (c.action === 'update') out.push(createTwoFilesPatch(`a/${c.path}`, `b/${c.path}`, shown(c, c.before ?? ''), shown(c, c.after), '', '').trimEnd());
      else if (c.action === 'delete') out.push(createTwoFilesPatch(`a/${c.path}`, '/dev/null', shown(c, c.before ?? ''), '', '', '').trimEnd());
    }
  }
  out.push('(dry run: nothing was written)');
  return out.join('\n') + '\n';
}

export function formatSummary(spec: StackSpec, result: RunResult, git: string[]): string {
  const out: string[] = [];
  for (const state of result.states) {
    const verb = state.nonEmpty ? 'Updated' : 'Created';
    out.push(`${verb} ${rel(state.dir)}/ (${counts(state.changes)})`);
  }
  for (const state of result.states) {
    const theirs = state.changes.filter((c) => c.notOurs).map((c) => c.path);
    if (theirs.length) out.push(`  kept as they were (create-stack did not make them): ${theirs.join(', ')}`);
  }
  for (const g of git) out.push(`git: ${g}`);
  const [first, second] = result.states;
  if (first && !first.nonEmpty && spec.preset === 'bd-build-data') {
    out.push('', 'Next steps:', `  cd ${rel(first.dir)}`, '  bash data/scripts/dev-setup.sh     # build and start the dev stack', '  bash data/scripts/test.sh          # check every service answers');
    if (spec.with.includes('deploy')) out.push('  make help                          # the deploy layer; then docs/DEPLOYMENT.md');
  }
  if (first && second && !first.nonEmpty && spec.preset === 'app-support') {
    out.push(
      '',
      'Next steps:',
      `  cd ${rel(first.dir)} && docker compose up -d --build       # development (see its README.md)`,
      `  cd ${rel(second.dir)} && cp .env.prod.example .env   # production: set the passwords, then scripts/deploy.sh`,
    );
  }
  return out.join('\n') + '\n';
}

export function summaryJson(spec: StackSpec, result: RunResult, git: string[]) {
  return {
    spec,
    dryRun: !result.written,
    git,
    targets: result.states.map((s) => ({
      dir: s.dir,
      files: s.changes.map((c) => ({ path: c.path, action: c.action, size: c.size, mode: `0${c.mode.toString(8)}` })),
    })),
  };
}
