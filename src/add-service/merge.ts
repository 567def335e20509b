// The three-way merge `add service` and `remove service` lay onto files the user may have edited:
// YAML node by node where all three sides are one parseable document, else line by line.
import { mergeLines, type MergeResult } from './merge-lines.js';
import { mergeYaml } from './merge-yaml.js';

export type { MergeResult };

export function mergeFile(path: string, base: string, ours: string, theirs: string, opts: { prefer?: 'theirs'; yaml?: boolean } = {}): MergeResult {
  if (opts.yaml ?? /\.ya?ml$/.test(path)) {
    const r = mergeYaml(base, ours, theirs, opts);
    if (r) return r;
  }
  return mergeLines(base, ours, theirs, opts);
}
