import { filesUnder, usesLayout } from './_layout.js';
import type { Rule } from '../../types.js';

const ALLOWED = /(^|\/)(?:\.gitkeep|\.gitignore|README(?:\.md)?)$/;

export const rule: Rule = {
  id: 'layout/bd-data-only',
  severity: 'error',
  title: 'bd/ holds only data directories',
  rationale: 'Seed 001 (bd/: solo datos de bases de datos): bd/ is where containers write their data; it is gitignored except for .gitkeep files, so code or a Dockerfile put there is lost or leaks into backups.',
  howToFix: 'Move Dockerfiles to build/<service>/, code and config to data/<service>/; keep only <service>-data/ directories (with .gitkeep) in bd/.',
  fixable: false,
  examples: { bad: 'bd/\n  postgres-data/.gitkeep\n  postgres-data/init.sql\n  Dockerfile\n', good: 'bd/\n  postgres-data/.gitkeep\n  redis-data/.gitkeep\n' },
  check(ctx) {
    if (!usesLayout(ctx.repo)) return [];
    return filesUnder(ctx.repo, 'bd')
      .filter((p) => !ALLOWED.test(p))
      .map((p) => ctx.pos(p, { line: 1, col: 1 }, `${p}: bd/ holds database data only (a committed file here is code or config in the wrong place)`));
  },
};
