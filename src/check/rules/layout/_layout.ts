// Seed 001's layout applies to a repo that uses it: bd/ and build/ (and data/) at its root.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RepoModel } from '../../../model/index.js';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export function usesLayout(repo: RepoModel): boolean {
  return isDir(join(repo.root, 'bd')) && isDir(join(repo.root, 'build'));
}

/** Every file below `dir` that the walk saw (categorized or not; gitignored ones are not listed). */
export function filesUnder(repo: RepoModel, dir: string): string[] {
  const prefix = `${dir}/`;
  return [...repo.found.files.map((f) => f.path), ...repo.found.others].filter((p) => p.startsWith(prefix)).sort();
}
