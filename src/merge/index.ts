/**
 * Three-way merge of one file: what create-stack wrote before (base), the file now (ours), and what
 * create-stack renders now (theirs). Used by `update` and by any command that rewrites an owned file
 * the user may have edited.
 *
 *   merge3({ path, base, ours, theirs, onConflict? }) → { content, conflicts, clean, how }
 *
 * - base = ours  → theirs; base = theirs or ours = theirs → ours (no parsing at all).
 * - `*.yml` / `*.yaml` whose three versions parse: merged node by node with the `yaml` Document API
 *   (src/merge/yaml.ts). Theirs' changes are applied to ours' Document, so ours' comments, order,
 *   anchors and merge keys survive; a key added by either side lands; a value both changed
 *   differently is a conflict. When a plain line merge is clean and means exactly the same data, its
 *   text is used instead (it keeps every byte of ours' formatting).
 * - Anything else: line-wise, `git merge-file` semantics (src/merge/lines.ts).
 * - `content` resolves each conflict as `onConflict` says: 'ours' (default) keeps ours' value or lines,
 *   'theirs' takes the new version's, 'markers' writes diff3-style conflict markers — never into YAML
 *   (a YAML file falls back to 'ours'). A YAML `content` always parses when base and theirs do.
 * - `conflicts` lists each conflict: `where` is `line:col` in ours (YAML) or `line N` (text), and
 *   `message` names the key (YAML) and the three values.
 * Pure and synchronous: no disk, no processes.
 */
import { mergeLines, renderRegions } from './lines.js';
import { mergeYaml, parseYamlDocs, yamlValue } from './yaml.js';

export interface MergeInput {
  /** Repo-relative path; decides YAML vs text and names the file in conflicts. */
  path: string;
  base: string;
  ours: string;
  theirs: string;
  onConflict?: 'ours' | 'theirs' | 'markers';
  /** Names in conflict markers. */
  labels?: { ours: string; base: string; theirs: string };
}

export interface MergeConflict {
  path: string;
  where: string;
  message: string;
}

export interface MergeResult {
  content: string;
  conflicts: MergeConflict[];
  clean: boolean;
  /** How it was merged: 'same' (nothing to do), 'ours' / 'theirs' (one side only changed), 'yaml', 'lines'. */
  how: 'same' | 'ours' | 'theirs' | 'yaml' | 'lines';
}

/** Texts longer than this (2 MB) are not merged. */
export const MAX_MERGE_CHARS = 2 * 1024 * 1024;

export const isYamlPath = (path: string): boolean => /\.ya?ml$/i.test(path);

export function merge3(input: MergeInput): MergeResult {
  const { path, base, ours, theirs } = input;
  const onConflict = input.onConflict ?? 'ours';
  if (ours === theirs) return { content: ours, conflicts: [], clean: true, how: 'same' };
  if (base === theirs) return { content: ours, conflicts: [], clean: true, how: 'ours' };
  if (base === ours) return { content: theirs, conflicts: [], clean: true, how: 'theirs' };
  // A diff is quadratic at worst: a huge or binary file is not merged, it stays as it is.
  if ([base, ours, theirs].some((t) => t.length > MAX_MERGE_CHARS || t.includes('\0'))) {
    return { content: ours, conflicts: [{ path, where: 'line 1', message: 'too large or binary to merge; your version is kept' }], clean: false, how: 'lines' };
  }
  if (isYamlPath(path) && parseYamlDocs(base) && parseYamlDocs(theirs)) return mergeYamlFile(input, onConflict === 'theirs' ? 'theirs' : 'ours');
  return mergeText(input, onConflict);
}

function mergeText(input: MergeInput, onConflict: 'ours' | 'theirs' | 'markers'): MergeResult {
  const { regions } = mergeLines(input.base, input.ours, input.theirs);
  const conflicts = regions.flatMap((r) =>
    'ok' in r
      ? []
      : [{ path: input.path, where: `line ${r.oursLine + 1}`, message: `lines ${r.oursLine + 1}-${r.oursLine + Math.max(r.ours.length, 1)}: you and the new version changed the same lines` }],
  );
  const labels = input.labels ?? { ours: `${input.path} (yours)`, base: `${input.path} (as create-stack wrote it)`, theirs: `${input.path} (create-stack now)` };
  return { content: renderRegions(regions, onConflict, labels), conflicts, clean: conflicts.length === 0, how: 'lines' };
}

function mergeYamlFile(input: MergeInput, prefer: 'ours' | 'theirs'): MergeResult {
  const { path, base, ours, theirs } = input;
  const node = mergeYaml(base, ours, theirs, prefer);
  if (!node) {
    // Ours is not valid YAML (or the documents do not line up): a line merge, kept only if it parses.
    const lines = mergeText(input, prefer);
    if (lines.clean && parseYamlDocs(lines.content)) return { ...lines, how: 'lines' };
    const why = parseYamlDocs(ours) ? 'its documents do not line up with the new version' : 'your version is not valid YAML';
    return { content: ours, conflicts: [{ path, where: 'line 1', message: `cannot merge: ${why}` }], clean: false, how: 'yaml' };
  }
  const conflicts = node.conflicts.map((c) => ({ path, where: `${c.line}:${c.col}`, message: `${c.key}: ${c.message}` }));
  let content = node.text;
  if (!parseYamlDocs(content)) {
    // Defensive: the serializer must never hand back YAML that does not parse.
    return { content: ours, conflicts: [...conflicts, { path, where: 'line 1', message: 'the merge did not give valid YAML; your version is kept' }], clean: false, how: 'yaml' };
  }
  // A clean line merge meaning the same data keeps ours' formatting byte for byte.
  if (conflicts.length === 0) {
    const lines = mergeText(input, 'ours');
    if (lines.clean) {
      const value = yamlValue(lines.content);
      if (value !== null && value === yamlValue(content)) content = lines.content;
    }
  }
  return { content, conflicts, clean: conflicts.length === 0, how: 'yaml' };
}
