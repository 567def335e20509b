// The in-memory tree every plan renders into; nothing here touches the disk.

export interface PlannedFile {
  content: string;
  /** POSIX mode bits (0o644, 0o755 for scripts, 0o600 for secrets). */
  mode: number;
  /** Written only when missing: user code, settings and secrets survive re-runs. */
  userOwned: boolean;
  /** For a user-owned file that exists: what to add to it (e.g. .env variables of new services). */
  merge?: (existing: string) => string;
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
  /** Files to delete (ones create-stack wrote and the user left alone); directories left empty go too. */
  remove?: string[];
}

export interface Plan {
  targets: Target[];
}
