// Runs the enabled rules over one repo model: loads only the areas with an enabled rule, applies
// levels, path ignores and inline `# create-stack-ignore <rule-id>` comments, and sorts the findings.
import type { RepoModel } from '../model/index.js';
import { AREAS } from './rules/index.js';
import { makeContext } from './context.js';
import { globToRegExp, type CheckConfig } from './config.js';
import type { Finding, Level, Rule } from './types.js';

export function knownRuleIds(): Set<string> {
  return new Set(Object.values(AREAS).flatMap((a) => a.ids));
}

export async function loadRules(filter: (id: string) => boolean = () => true): Promise<Rule[]> {
  const out: Rule[] = [];
  for (const area of Object.values(AREAS)) {
    if (!area.ids.some(filter)) continue;
    for (const rule of await area.load()) if (filter(rule.id)) out.push(rule);
  }
  return out;
}

const IGNORE_COMMENT = /#\s*create-stack-ignore\b([^\n]*)/;

/** Rule ids an inline comment on the line above (or at the end of the line) silences. */
function silenced(lines: string[], line: number): string[] {
  const ids: string[] = [];
  for (const l of [lines[line - 2], lines[line - 1]]) {
    const m = l === undefined ? null : IGNORE_COMMENT.exec(l);
    if (m) ids.push(...m[1]!.split(/[\s,]+/).filter(Boolean));
  }
  return ids;
}

export interface CheckResult {
  findings: Finding[];
  rules: Rule[];
}

export async function checkRepo(repo: RepoModel, config: CheckConfig): Promise<CheckResult> {
  const level = (r: { id: string; severity: Level }): Level => config.levels.get(r.id) ?? r.severity;
  const rules = await loadRules((id) => (config.levels.get(id) ?? 'on') !== 'off');
  const ctx = makeContext(repo);
  const ignores = config.ignore.map(globToRegExp);
  const lineCache = new Map<string, string[]>();
  const byPath = new Map(repo.found.files.map((f) => [f.path, f]));
  const linesOf = (path: string): string[] => {
    let lines = lineCache.get(path);
    if (!lines) {
      const f = byPath.get(path);
      const text = f ? repo.text(f) : null;
      // Only files that hold an ignore comment are split into lines.
      lines = text?.includes('create-stack-ignore') ? text.split('\n') : [];
      lineCache.set(path, lines);
    }
    return lines;
  };
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    const severity = level(rule);
    if (severity === 'off') continue;
    let raw;
    try {
      raw = await rule.check(ctx);
    } catch (err) {
      // A rule that fails on some input must not hide the others' findings.
      raw = [{ file: '.', line: 1, col: 1, message: `internal error in ${rule.id}: ${(err as Error).message}` }];
    }
    for (const f of raw) {
      if (ignores.some((re) => re.test(f.file))) continue;
      if (silenced(linesOf(f.file), f.line).includes(rule.id)) continue;
      const key = `${rule.id}\0${f.file}\0${f.line}\0${f.col}\0${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ ...f, rule: rule.id, severity, fixable: rule.fixable && !!rule.fix });
    }
  }
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)));
  return { findings, rules };
}
