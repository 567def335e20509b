// --fix: runs each fixable finding's fix on the files in memory (YAML through the Document API, so
// comments, order, anchors and merge keys survive), then hands the changed files to the engine as a
// plan for the repo directory: the same validate → apply path (atomic, --dry-run diffs) as new and add.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Document } from 'yaml';
import type { RepoModel } from '../model/index.js';
import { FileTree, type Plan } from '../tree.js';
import type { Finding, FixContext, Rule } from './types.js';

interface Edited {
  before: string;
  mode: number;
  doc?: Document;
  text?: string;
  newMode?: number;
}

export async function planFixes(repo: RepoModel, findings: Finding[], rules: Rule[]): Promise<{ plan: Plan; fixed: Finding[] }> {
  const { parseDocument } = await import('yaml');
  const files = new Map<string, Edited>();
  const load = (path: string): Edited | null => {
    let e = files.get(path);
    if (e) return e;
    const abs = join(repo.root, path);
    try {
      e = { before: readFileSync(abs, 'utf8'), mode: statSync(abs).mode & 0o777 };
    } catch {
      e = { before: '', mode: -1 };
    }
    files.set(path, e);
    return e;
  };
  const ctx: FixContext = {
    repo,
    doc(path) {
      const e = load(path);
      if (!e || e.mode < 0) return null;
      if (!e.doc) {
        // merge: false keeps `<<: *anchor` a plain key, written back as it was.
        const doc = parseDocument(e.before, { uniqueKeys: false, merge: false });
        if (doc.errors.length) return null;
        e.doc = doc;
      }
      return e.doc;
    },
    editText(path, edit) {
      const e = load(path)!;
      e.text = edit(e.text ?? e.before);
    },
    chmod(path, mode) {
      const e = load(path)!;
      if (e.mode >= 0) e.newMode = mode;
    },
  };
  const byId = new Map(rules.map((r) => [r.id, r]));
  const fixed: Finding[] = [];
  for (const f of findings) {
    const rule = byId.get(f.rule);
    if (!f.fixable || !rule?.fix) continue;
    rule.fix(ctx, f);
    fixed.push(f);
  }
  const tree = new FileTree();
  for (const [path, e] of files) {
    let content = e.text ?? e.before;
    if (e.doc) content = e.doc.toString({ lineWidth: 0, flowCollectionPadding: false });
    const mode = e.newMode ?? (e.mode < 0 ? 0o644 : e.mode);
    if (content === e.before && mode === e.mode) continue;
    tree.add(path, content, { mode });
    tree.files.get(path)!.edit = true;
  }
  return { plan: { targets: tree.size ? [{ dir: repo.root, tree }] : [] }, fixed };
}
