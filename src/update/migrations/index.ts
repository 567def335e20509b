// Version migrations of `create-stack update`: changes a plain re-render cannot express (a key of
// .create-stack.yaml renamed, a file moved). Each is one module, src/update/migrations/NNN-<what>.ts,
// exporting a Migration; this list registers them in order. A migration runs once for a repo: when
// the version that last wrote the repo is older than `version` and this create-stack is at least it.
// It works on the repo in memory, before the three-way merge; nothing it does is written unless the
// whole update is (same atomic apply, same --dry-run diff).
//
// No released version has needed one yet: 0.1.0 is the first with a record. Add the first as
// 001-<what>.ts and list it below.
import type { Document } from 'yaml';

export interface MigrationTree {
  /** The repo directory (read only: the tree is in memory). */
  readonly dir: string;
  /** A file of the repo as it is now (after earlier migrations), or undefined. */
  read(path: string): string | undefined;
  write(path: string, content: string): void;
  remove(path: string): void;
  /** Moves a file and what the record holds for it, so the merge happens at its new path. */
  move(from: string, to: string): void;
  /** Edits .create-stack.yaml with the yaml Document API (comments and order survive). */
  editSpec(edit: (doc: Document) => void): void;
}

export interface Migration {
  /** NNN-what, as the file is named; runs in this order. */
  id: string;
  /** The create-stack version that made the change. */
  version: string;
  description: string;
  migrate(tree: MigrationTree): void;
}

export const MIGRATIONS: Migration[] = [];

/** Compares two versions (major.minor.patch; a pre-release sorts before its release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [main, pre] = v.split('-', 2) as [string, string?];
    return { nums: main.split('.').map((n) => Number(n) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** The migrations between the version that wrote a repo and the one updating it, in order. */
export function migrationsBetween(from: string, to: string, list: Migration[] = MIGRATIONS): Migration[] {
  return list
    .filter((m) => compareVersions(m.version, from) > 0 && compareVersions(m.version, to) <= 0)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
