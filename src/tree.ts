// The in-memory tree every plan renders into; nothing here touches the disk.

export interface PlannedFile {
  content: string;
  /** POSIX mode bits (0o644, 0o755 for scripts, 0o600 for secrets). */
  mode: number;
  /** Written only when missing: user code, settings and secrets survive re-runs. */
  userOwned: boolean;
  /** For a user-owned file that exists: what to add to it (e.g. .env variables of new services). */
  merge?: (existing: string) => string;
  /** What the record (src/record.ts) keeps for this file when not `content`: a merged file keeps
   *  the render it came from; null leaves it out of the record. */
  base?: string | null;
  /** An edit the user asked for (check --fix): written over the existing file even in a repo create-stack did not make. */
  edit?: boolean;
}

export class FileTree {
  readonly files = new Map<string, PlannedFile>();

  add(path: string, content: string, opts: { mode?: number; userOwned?: boolean } = {}): void {
    if (this.files.has(path)) throw new Error(`internal: two templates render ${path}`);
    const mode = opts.mode ?? (path.endsWith('.sh') ? 0o755 : 0o644);
    this.files.set(path, { content, mode, userOwned: opts.userOwned ?? false });
  }

  paths(): string[] {
    return [...this.files.keys()].sort();
  }

  get size(): number {
    return this.files.size;
  }
}

/** One directory the plan writes: a new repo, or an existing one edited in place. */
export interface Target {
  /** Absolute path of the repo directory. */
  dir: string;
  tree: FileTree;
  /** Files the plan no longer produces: deleted if unchanged since create-stack wrote them, else kept and listed. */
  remove?: string[];
  /** Files removed whatever they hold: the old path of a moved file, merge leftovers. */
  discard?: string[];
}

export interface Plan {
  targets: Target[];
}
