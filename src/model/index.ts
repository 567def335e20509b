// One model of a compose repo, ours or anyone's: the files found (by category), each YAML file with its
// Document and positions, the compose files alone and merged. `check`, `add service` and `add app`
// all read a repo through this; nothing here writes.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { discover, LIMITS, type Discovery, type FileCategory, type FoundFile } from './discover.js';
import { YamlFile } from './yaml-file.js';
import { composeGroups, composeRole, mergeCompose, type ComposeFile, type MergedView } from './compose.js';

export * from './discover.js';
export * from './yaml-file.js';
export * from './compose.js';
export { IgnoreStack, parseGitignore } from './gitignore.js';

const YAML_CATEGORIES = new Set<FileCategory>(['compose', 'kubernetes', 'helm-values', 'workflow', 'spec', 'yaml']);

export class RepoModel {
  readonly root: string;
  readonly found: Discovery;
  private yamlCache = new Map<string, YamlFile>();
  private textCache = new Map<string, string | null>();
  private composeCache: ComposeFile[] | null = null;

  constructor(root: string, found?: Discovery) {
    this.root = resolve(root);
    this.found = found ?? discover(this.root);
  }

  /** The files of a category (a YAML file that turns out to be a Kubernetes object is 'kubernetes'). */
  files(category: FileCategory): FoundFile[] {
    if (category === 'kubernetes') return this.found.files.filter((f) => f.category === 'yaml' && this.isKubernetes(f));
    if (category === 'yaml') return this.found.files.filter((f) => f.category === 'yaml' && !this.isKubernetes(f));
    return this.found.files.filter((f) => f.category === category);
  }

  file(path: string): FoundFile | undefined {
    return this.found.files.find((f) => f.path === path);
  }

  /** The parsed YAML of a found file (parsed once). */
  yaml(f: FoundFile): YamlFile {
    let y = this.yamlCache.get(f.path);
    if (!y) {
      y = YamlFile.read(f.path, f.abs, f.size);
      this.yamlCache.set(f.path, y);
    }
    return y;
  }

  /** The text of a found file, or null when it is too large, binary or unreadable. */
  text(f: FoundFile): string | null {
    if (this.textCache.has(f.path)) return this.textCache.get(f.path)!;
    let t: string | null = null;
    if (f.size <= LIMITS.maxBytes) {
      try {
        t = readFileSync(f.abs, 'utf8');
        if (t.includes('\0')) t = null;
      } catch {
        t = null;
      }
    }
    this.textCache.set(f.path, t);
    return t;
  }

  compose(): ComposeFile[] {
    this.composeCache ??= this.files('compose').map((f) => ({
      yaml: this.yaml(f),
      role: composeRole(f.path),
      dir: f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '',
    }));
    return this.composeCache;
  }

  /** The merged views Compose users run (base+override, base+prod, …), plus each single file without a base. */
  merged(): MergedView[] {
    return composeGroups(this.compose()).map(mergeCompose);
  }

  private isKubernetes(f: FoundFile): boolean {
    if (/(^|\/)kustomization\.ya?ml$/.test(f.path)) return true;
    const text = this.text(f);
    return text !== null && /^apiVersion:/m.test(text) && /^kind:/m.test(text);
  }
}

export function loadRepo(root: string): RepoModel {
  return new RepoModel(root);
}

export { YAML_CATEGORIES };
