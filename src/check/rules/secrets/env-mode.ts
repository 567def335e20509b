import { devEnvCommitted, secretEnvFiles } from './_env.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'secrets/env-mode',
  severity: 'warning',
  title: '.env files are readable by their owner only (0600)',
  rationale: 'Seed 003 (secrets): on a shared host every user can read a 0644 .env, passwords included.',
  howToFix: 'chmod 600 .env',
  fixable: true,
  examples: { bad: '-rw-r--r--  .env', good: '-rw-------  .env' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const f of secretEnvFiles(ctx.repo)) {
      if ((f.mode & 0o077) === 0 || devEnvCommitted(ctx.repo, f)) continue;
      out.push(ctx.pos(f.path, { line: 1, col: 1 }, `${f.path} has mode 0${f.mode.toString(8)}: others can read its secrets; chmod 600`, { path: f.path }));
    }
    return out;
  },
  fix(ctx, finding) {
    ctx.chmod((finding.data as { path: string }).path, 0o600);
  },
};
