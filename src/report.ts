// What the CLI prints: summaries, dry-run trees and diffs, --json.
import { basename, relative } from 'node:path';
import type { RunResult } from './engine.js';
import type { Change } from './apply.js';
import type { StackSpec } from './spec.js';

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

function rel(dir: string): string {
  return relative(process.cwd(), dir) || '.';
}

/** A repo as the summary names it: `shop/`, or `shop in ./` when it is the working directory. */
function label(dir: string): string {
  const r = rel(dir);
  return r === '.' ? `${basename(dir)} in ./` : `${r}/`;
}

function counts(changes: Change[]): string {
  const by = (a: Change['action']) => changes.filter((c) => c.action === a).length;
  const deleted = by('delete');
  return `${by('create')} new, ${by('update')} changed, ${by('unchanged')} unchanged, ${by('kept')} kept${deleted ? `, ${deleted} removed` : ''}`;
}

export async function formatDryRun(result: RunResult): Promise<string> {
  const out: string[] = [];
  for (const state of result.states) {
    const changes = state.changes;
    if (!state.exists || !state.nonEmpty) {
      const total = changes.reduce((n, c) => n + c.size, 0);
      out.push(`${label(state.dir)} would be created: ${changes.length} files, ${size(total)}`);
      const width = Math.max(...changes.map((c) => c.path.length));
      for (const c of changes) out.push(`  ${c.path.padEnd(width)}  ${size(c.size).padStart(8)}${c.mode === 0o755 ? '  (executable)' : c.mode === 0o600 ? '  (private)' : ''}`);
      continue;
    }
    out.push(`${label(state.dir)} would change: ${counts(changes)}`);
    const { createTwoFilesPatch } = await import('diff');
    // Private files (.env) hold secrets: their diffs show names, never values.
    const shown = (c: Change, text: string) => (c.mode === 0o600 ? text.replace(/^([A-Za-z_][A-Za-z0-9_]*)=.+$/gm, '$1=<hidden>') : text);
    for (const c of changes) {
      if (c.record) {
        if (c.action !== 'unchanged') out.push(`${c.action === 'create' ? 'create' : 'update'} ${c.path} (${c.after.trim()})`);
        continue;
      }
      if (c.edited && !c.removed) out.push(`kept (edited) ${c.path}: changed since create-stack wrote it; --overwrite-edited would write:`);
      if (c.action === 'delete') out.push(createTwoFilesPatch(`a/${c.path}`, '/dev/null', shown(c, c.before ?? ''), '', '', '').trimEnd());
      else if (c.edited && !c.removed) out.push(createTwoFilesPatch(`a/${c.path}`, `b/${c.path}`, shown(c, c.before ?? ''), shown(c, c.after), '', '').trimEnd());
      else if (c.action === 'create') out.push(createTwoFilesPatch('/dev/null', `b/${c.path}`, '', shown(c, c.after), '', '').trimEnd());
      else if (c.action === 'update') out.push(createTwoFilesPatch(`a/${c.path}`, `b/${c.path}`, shown(c, c.before ?? ''), shown(c, c.after), '', '').trimEnd());
    }
  }
  out.push('(dry run: nothing was written)');
  return out.join('\n') + '\n';
}

export function formatSummary(spec: StackSpec, result: RunResult, git: string[], notes: string[] = []): string {
  const out: string[] = [];
  for (const state of result.states) {
    const verb = state.nonEmpty ? 'Updated' : 'Created';
    out.push(`${verb} ${label(state.dir)} (${counts(state.changes)})`);
  }
  for (const state of result.states) {
    const theirs = state.changes.filter((c) => c.notOurs).map((c) => c.path);
    if (theirs.length) out.push(`  kept as they were (create-stack did not make them): ${theirs.join(', ')}`);
    const edited = state.changes.filter((c) => c.edited && !c.removed).map((c) => c.path);
    if (edited.length) out.push(`  kept (edited since create-stack wrote them; --overwrite-edited replaces them, --dry-run shows how): ${edited.join(', ')}`);
    const removed = state.changes.filter((c) => c.removed).map((c) => c.path);
    if (removed.length) out.push(`  no longer generated, kept because you changed them: ${removed.join(', ')}`);
  }
  for (const n of notes) out.push(`  ${n}`);
  for (const g of git) out.push(`git: ${g}`);
  const [first, second] = result.states;
  if (first && !first.nonEmpty && spec.preset === 'bd-build-data') {
    out.push('', 'Next steps:', `  cd ${rel(first.dir)}`, '  bash data/scripts/dev-setup.sh     # build and start the dev stack', '  bash data/scripts/test.sh          # check every service answers');
    if (spec.with.includes('deploy')) out.push('  make help                          # the deploy layer; then docs/DEPLOYMENT.md');
  }
  if (first && !first.nonEmpty && spec.preset === 'platform') {
    out.push(
      '',
      'Next steps:',
      `  cd ${rel(first.dir)}`,
      '  bash data/scripts/dev-cert.sh      # self-signed certificate for https://localhost',
      '  bash data/scripts/dev-setup.sh     # build and start the dev stack',
      '  bash data/scripts/test.sh          # check every service answers',
    );
    if (spec.terraform !== false) out.push('  terraform/README.md                # the AWS infrastructure');
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

export function summaryJson(spec: StackSpec, result: RunResult, git: string[], notes: string[] = []) {
  return {
    spec,
    dryRun: !result.written,
    git,
    notes,
    targets: result.states.map((s) => ({
      dir: s.dir,
      files: s.changes.map((c) => ({
        path: c.path,
        action: c.action,
        size: c.size,
        mode: `0${c.mode.toString(8)}`,
        ...(c.edited ? { edited: true } : {}),
        ...(c.removed ? { removed: true } : {}),
      })),
    })),
  };
}
