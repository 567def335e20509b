// Every Markdown table of every generated file has, on every row, as many cells as its header:
// a value holding `|` (a health command `redis-cli ping | grep -q PONG`) must not split its cell.
import { describe, expect, it } from 'vitest';
import { planStack, type StackSpec } from '../dist/index.js';

/** GitHub's rule: a row's cells are split on every `|` not escaped as `\|`, backticks or not. */
export function cells(row: string): number {
  const inner = row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).length;
}

/** "path:line: n cells, header has m" for every row that does not fit its table. */
export function tableProblems(path: string, text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  let fence = false;
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*(```|~~~)/.test(lines[i]!)) fence = !fence;
    if (fence) continue;
    const sep = lines[i + 1];
    if (!lines[i]!.trim().startsWith('|') || !sep || !/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(sep)) continue;
    const want = cells(lines[i]!);
    if (cells(sep) !== want) out.push(`${path}:${i + 2}: the separator has ${cells(sep)} cells, the header ${want}`);
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim().startsWith('|'); j++) {
      const n = cells(lines[j]!);
      if (n !== want) out.push(`${path}:${j + 1}: ${n} cells, the header has ${want}: ${lines[j]!.slice(0, 120)}`);
    }
    i = j - 1;
  }
  return out;
}

const SPECS: Array<[string, StackSpec]> = [
  [
    'bd-build-data, every kind, deploy layer',
    {
      name: 'shop',
      preset: 'bd-build-data',
      services: [
        { name: 'web', kind: 'node' },
        { name: 'api', kind: 'fastapi' },
        { name: 'worker', kind: 'worker' },
        { name: 'proxy', kind: 'nginx' },
        { name: 'db', kind: 'postgres' },
        { name: 'cache', kind: 'redis' },
        { name: 'docs', kind: 'mongodb' },
      ],
      with: ['deploy'],
    },
  ],
  ['app-support', { name: 'shop', preset: 'app-support', services: [], with: [] }],
  ['app-support, deploy layer', { name: 'shop', preset: 'app-support', services: [], with: ['deploy'] }],
  ['server', { name: 'edge', preset: 'server', services: [], with: [], domain: 'example.com', acmeEmail: 'ops@example.com' }],
  ['platform', { name: 'plat', preset: 'platform', services: [], with: [] }],
];

describe('Markdown tables keep their shape', () => {
  it('the checker sees a split cell (it can fail)', () => {
    expect(tableProblems('x.md', '| a | b |\n|---|---|\n| `x | y` | z |\n')).toHaveLength(1);
    expect(tableProblems('x.md', '| a | b |\n|---|---|\n| `x \\| y` | z |\n')).toEqual([]);
  });

  it.each(SPECS)('%s', (_, spec) => {
    const plan = planStack(spec, '/nonexistent-parent');
    const problems: string[] = [];
    let tables = 0;
    for (const target of plan.targets) {
      for (const path of target.tree.paths()) {
        if (!path.endsWith('.md')) continue;
        const text = target.tree.files.get(path)!.content;
        tables += (text.match(/^\s*\|?\s*:?-{3,}:?\s*\|/gm) ?? []).length;
        problems.push(...tableProblems(path, text));
      }
    }
    expect(tables).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
