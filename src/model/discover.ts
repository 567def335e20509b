// Finds the files of a repo that create-stack reads, by category. Respects .gitignore, skips .git and
// node_modules, never follows a symbolic link (so no loop and no escape from the root), and stops at
// bounded counts so a hostile tree cannot make it run for ever.
import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { IgnoreStack } from './gitignore.js';

export type FileCategory =
  | 'compose'
  | 'dockerfile'
  | 'dockerignore'
  | 'shell'
  | 'env'
  | 'gitignore'
  | 'kubernetes'
  | 'helm-values'
  | 'helm-template'
  | 'workflow'
  | 'spec'
  | 'yaml';

export interface FoundFile {
  /** Path from the repo root, with "/" separators. */
  path: string;
  abs: string;
  category: FileCategory;
  size: number;
  mode: number;
  /** Matched by a .gitignore rule (only .env files are kept in the list when ignored). */
  ignored: boolean;
}

export const LIMITS = {
  /** Files larger than this are not parsed (a finding says so). */
  maxBytes: 2 * 1024 * 1024,
  maxFiles: 20_000,
  maxDepth: 32,
};

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
const COMPOSE = /^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$/;

/** The category of a file by its name and place; null for files create-stack does not read. */
export function categorize(path: string, chartDirs: Set<string>): FileCategory | null {
  const name = basename(path);
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  if (name === '.create-stack.yaml') return 'spec';
  if (name === '.gitignore') return 'gitignore';
  if (name === '.env' || /^\.env\.[\w.-]+$/.test(name)) return 'env';
  if (name.endsWith('.dockerignore')) return 'dockerignore';
  if (name === 'Dockerfile' || /^Dockerfile\.[\w.-]+$/.test(name) || name.endsWith('.Dockerfile')) return 'dockerfile';
  if (/\.(?:sh|bash)$/.test(name)) return 'shell';
  if (COMPOSE.test(name)) return 'compose';
  if (!/\.ya?ml$/.test(name)) return null;
  if (/^\.github\/workflows\/[^/]+$/.test(path)) return 'workflow';
  for (const chart of chartDirs) {
    if (dir === chart && /^values(?:[.-][\w.-]+)?\.ya?ml$/.test(name)) return 'helm-values';
    if (dir === `${chart}/templates` || dir.startsWith(`${chart}/templates/`)) return 'helm-template';
  }
  return 'yaml';
}

export interface Discovery {
  files: FoundFile[];
  /** Symbolic links met (never followed). */
  links: string[];
  /** Files of no category (code, data, docs), not ignored: what layout rules look at. */
  others: string[];
  /** Set when a limit stopped the walk early. */
  truncated: string | null;
}

export function discover(root: string): Discovery {
  const files: FoundFile[] = [];
  const others: string[] = [];
  const links: string[] = [];
  const chartDirs = new Set<string>();
  const ignore = new IgnoreStack();
  let truncated: string | null = null;
  const pending: Array<{ rel: string; abs: string; st: Stats; ignored: boolean }> = [];

  const walk = (rel: string, abs: string, depth: number) => {
    if (truncated) return;
    if (depth > LIMITS.maxDepth) {
      truncated = `deeper than ${LIMITS.maxDepth} directories at ${rel}`;
      return;
    }
    let entries: string[];
    try {
      entries = readdirSync(abs).sort();
    } catch {
      return; // unreadable directory: nothing of it can be checked
    }
    if (entries.includes('.gitignore')) {
      try {
        ignore.push(rel, readFileSync(join(abs, '.gitignore'), 'utf8'));
      } catch {
        /* unreadable .gitignore: treated as absent */
      }
    }
    if (entries.includes('Chart.yaml')) chartDirs.add(rel);
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry}` : entry;
      const childAbs = join(abs, entry);
      let st: Stats;
      try {
        st = lstatSync(childAbs);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) {
        links.push(childRel);
        continue;
      }
      if (st.isDirectory()) {
        if (SKIP_DIRS.has(entry) || ignore.ignored(childRel, true)) continue;
        walk(childRel, childAbs, depth + 1);
      } else if (st.isFile()) {
        // .env files are read even when ignored: whether they are ignored is what a rule checks.
        const ignored = ignore.ignored(childRel, false);
        if (ignored && !/^\.env(\..*)?$/.test(entry)) continue;
        if (files.length + pending.length >= LIMITS.maxFiles) {
          truncated = `more than ${LIMITS.maxFiles} files`;
          return;
        }
        pending.push({ rel: childRel, abs: childAbs, st, ignored });
      }
    }
    ignore.pop(rel);
  };
  walk('', root, 0);
  for (const p of pending) {
    const category = categorize(p.rel, chartDirs);
    if (category) files.push({ path: p.rel, abs: p.abs, category, size: p.st.size, mode: p.st.mode & 0o777, ignored: p.ignored });
    else if (!p.ignored) others.push(p.rel);
  }
  return { files, others, links, truncated };
}
