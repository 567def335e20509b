// What a check rule is: data (id, severity, why, how to fix, examples) plus a check over the repo
// model and, for fixable rules, an edit of the files through the yaml Document API.
import type { Document } from 'yaml';
import type { PathSeg, Position, RepoModel, YamlFile } from '../model/index.js';

export type Severity = 'error' | 'warning' | 'info';
export type Level = Severity | 'off';

/** What a rule reports: a place in a file (repo-relative path, 1-based line and column) and why. */
export interface RawFinding {
  file: string;
  line: number;
  col: number;
  message: string;
  /** What the rule's fix needs to repair this finding (a YAML path, a service name…). */
  data?: unknown;
}

export interface Finding extends RawFinding {
  rule: string;
  severity: Severity;
  fixable: boolean;
}

export interface CheckContext {
  repo: RepoModel;
  /** A finding at `path` of a YAML file (the key, or with at='value' the value). */
  at(file: YamlFile, path: PathSeg[], message: string, opts?: { at?: 'key' | 'value'; data?: unknown; doc?: number }): RawFinding;
  /** A finding at a position of a file. */
  pos(file: string, pos: Position, message: string, data?: unknown): RawFinding;
}

export interface FixContext {
  repo: RepoModel;
  /** The editable Document of a YAML file (one per file, shared by every fix of a run). */
  doc(path: string): Document | null;
  /** Replaces the text of a non-YAML file (or creates it). */
  editText(path: string, edit: (text: string) => string): void;
  /** Sets the POSIX mode of a file. */
  chmod(path: string, mode: number): void;
}

export interface Rule {
  /** Stable id: <area>/<name>, the module's own path under src/check/rules/. */
  id: string;
  severity: Severity;
  title: string;
  /** Why: which part of the standard (or which practice) the rule enforces. */
  rationale: string;
  /** How to fix it by hand. */
  howToFix: string;
  /** `--fix` repairs it. */
  fixable: boolean;
  examples: { good: string; bad: string };
  check(ctx: CheckContext): RawFinding[] | Promise<RawFinding[]>;
  fix?(ctx: FixContext, finding: Finding): void;
}
