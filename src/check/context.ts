// The context a rule's check receives: the repo model and helpers that turn YAML paths into findings.
import type { PathSeg, Position, RepoModel, YamlFile } from '../model/index.js';
import type { CheckContext, RawFinding } from './types.js';

export function makeContext(repo: RepoModel): CheckContext {
  return {
    repo,
    at(file: YamlFile, path: PathSeg[], message: string, opts = {}): RawFinding {
      const pos = file.locate(path, opts.at ?? 'key', opts.doc ?? 0);
      return { file: file.path, line: pos.line, col: pos.col, message, data: opts.data };
    },
    pos(file: string, pos: Position, message: string, data?: unknown): RawFinding {
      return { file, line: pos.line, col: pos.col, message, data };
    },
  };
}
