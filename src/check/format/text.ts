// eslint/ruff-style text: `path:line:col  severity  rule-id  message`, grouped by file, then a summary.
import type { Finding } from '../types.js';

export interface Summary {
  errors: number;
  warnings: number;
  info: number;
  fixable: number;
  filesChecked: number;
}

export function summarize(findings: Finding[], filesChecked: number): Summary {
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    info: findings.filter((f) => f.severity === 'info').length,
    fixable: findings.filter((f) => f.fixable).length,
    filesChecked,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatText(findings: Finding[], summary: Summary, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sev = { error: paint('31', 'error  '), warning: paint('33', 'warning'), info: paint('36', 'info   ') };
  const out: string[] = [];
  let current = '';
  const width = Math.max(0, ...findings.map((f) => f.rule.length));
  for (const f of findings) {
    if (f.file !== current) {
      if (current) out.push('');
      out.push(paint('4', f.file));
      current = f.file;
    }
    out.push(`${f.file}:${f.line}:${f.col}  ${sev[f.severity]}  ${paint('2', f.rule.padEnd(width))}  ${f.message}`);
  }
  if (out.length) out.push('');
  const total = summary.errors + summary.warnings + summary.info;
  const line = total
    ? `${plural(total, 'problem')} (${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${summary.info} info) in ${plural(summary.filesChecked, 'file')} checked` +
      (summary.fixable ? `; ${summary.fixable} fixable with --fix` : '')
    : `no problems in ${plural(summary.filesChecked, 'file')} checked`;
  out.push(summary.errors ? paint('1;31', line) : total ? paint('1;33', line) : paint('32', line));
  return out.join('\n') + '\n';
}
