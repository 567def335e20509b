import { devEnvCommitted, gitIgnored, secretEnvFiles } from './_env.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'secrets/env-gitignored',
  severity: 'error',
  title: '.env files are gitignored',
  rationale: 'Seed 001 (.env: no versionado) and seed 000 (production secrets never committed): a .env in git leaks every secret to whoever can read the repo, for ever. Only .env.example is versioned (seed 000 lets the application repo commit a .env of dummy development values).',
  howToFix: 'Add .env (and .env.*, then !.env.example) to .gitignore; if it was committed, rotate its secrets and git rm --cached it.',
  fixable: true,
  examples: { bad: '# .gitignore\nnode_modules/\n', good: '# .gitignore\nnode_modules/\n.env\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const f of secretEnvFiles(ctx.repo)) {
      if (devEnvCommitted(ctx.repo, f) || gitIgnored(ctx.repo, f)) continue;
      out.push(ctx.pos(f.path, { line: 1, col: 1 }, `${f.path} is not gitignored: its secrets would be committed`, { path: f.path }));
    }
    return out;
  },
  fix(ctx, finding) {
    const { path } = finding.data as { path: string };
    ctx.editText('.gitignore', (text) => {
      const line = `/${path}`;
      if (text.split('\n').some((l) => l.trim() === line)) return text;
      return `${text}${text && !text.endsWith('\n') ? '\n' : ''}${text.includes('# Secrets') ? '' : '# Secrets: never committed (create-stack check --fix)\n'}${line}\n`;
    });
  },
};
