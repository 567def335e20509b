// Snapshots of a directory tree for comparing repos: path → content and mode.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from './validators.js';

export interface Snap {
  [path: string]: { content: string; mode: number };
}

export function snap(dir: string): Snap {
  const out: Snap = {};
  for (const f of listFiles(dir)) out[f] = { content: readFileSync(join(dir, f), 'utf8'), mode: statSync(join(dir, f)).mode & 0o777 };
  return out;
}

/** The variable names of a .env text. */
export function envKeys(text: string): string[] {
  return text.split('\n').map((l) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(l)?.[1]).filter((k): k is string => !!k).sort();
}

/** Paths whose content or mode differ (or exist on one side only), `.env` compared by its variable names. */
export function treeDiff(a: Snap, b: Snap): string[] {
  const out: string[] = [];
  for (const p of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[p];
    const y = b[p];
    if (!x || !y) out.push(`${p}: only in ${x ? 'first' : 'second'}`);
    else if (p === '.env') {
      if (envKeys(x.content).join() !== envKeys(y.content).join()) out.push('.env: other variables');
    } else if (x.content !== y.content) out.push(`${p}: content`);
    else if (x.mode !== y.mode) out.push(`${p}: mode ${x.mode.toString(8)} vs ${y.mode.toString(8)}`);
  }
  return out.sort();
}
