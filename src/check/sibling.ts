// Reading a file of a sibling repo (app-support: the support repo reaches ../<app>/), for rules that
// compare the two. Only a path one level up and then down (../<name>/...), a regular file (a link is
// not followed), under the repo model's size limit, with no NUL byte; anything else reads as absent.
import { closeSync, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { join, posix } from 'node:path';
import { LIMITS, type FoundFile } from '../model/index.js';

/** `rel` as a sibling path (../<name>/<rest>), normalized, or null. */
export function siblingPath(rel: string): string | null {
  const n = posix.normalize(rel);
  return /^\.\.\/(?!\.\.\/)[^/]+\/.+/.test(n) && !n.split('/').slice(1).includes('..') ? n : null;
}

/** The text of a sibling file, or null. */
export function readSibling(root: string, rel: string): string | null {
  const path = siblingPath(rel);
  if (!path) return null;
  const abs = join(root, path);
  const repo = join(root, path.split('/').slice(0, 2).join('/'));
  try {
    // Neither the sibling repo's directory nor any folder on the way may be a link: the file's real
    // path must be the path itself.
    if (lstatSync(repo).isSymbolicLink() || realpathSync(abs) !== join(realpathSync(repo), path.split('/').slice(2).join('/'))) return null;
  } catch {
    return null;
  }
  return readBounded(abs);
}

/** A regular file's text (a link is not followed), or null when too large, binary or unreadable. */
export function readBounded(abs: string): string | null {
  try {
    if (!lstatSync(abs).isFile()) return null;
    const fd = openSync(abs, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > LIMITS.maxBytes) return null;
      const buf = Buffer.alloc(size);
      readSync(fd, buf, 0, size, 0);
      const text = buf.toString('utf8');
      return text.includes('\0') ? null : text;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** A FoundFile for a sibling file, so parsers that take one can read it (its path keeps the ../). */
export function siblingFile(root: string, rel: string, category: FoundFile['category'], text: string): FoundFile {
  return { path: siblingPath(rel)!, abs: join(root, siblingPath(rel)!), category, size: Buffer.byteLength(text), mode: 0o644, ignored: false };
}
