import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { usesLayout } from './_layout.js';
import type { Rule, RawFinding } from '../../types.js';

export const SCRIPTS = ['setup.sh', 'test.sh', 'cleanup.sh', 'diagnostic.sh'];

export const rule: Rule = {
  id: 'layout/standard-scripts',
  severity: 'warning',
  title: 'The standard scripts exist in data/scripts/',
  rationale: 'Seed 001 (data/scripts: setup.sh, test.sh, cleanup.sh, diagnostic.sh): every repo on the standard is set up, tested, cleaned and diagnosed the same way.',
  howToFix: 'Add the missing scripts to data/scripts/ (create-stack new writes all four).',
  fixable: false,
  examples: { bad: 'data/scripts/\n  setup.sh\n', good: 'data/scripts/\n  setup.sh\n  test.sh\n  cleanup.sh\n  diagnostic.sh\n' },
  check(ctx) {
    if (!usesLayout(ctx.repo)) return [];
    const out: RawFinding[] = [];
    for (const s of SCRIPTS) {
      if (!existsSync(join(ctx.repo.root, 'data', 'scripts', s))) out.push(ctx.pos(`data/scripts/${s}`, { line: 1, col: 1 }, `data/scripts/${s} is missing`));
    }
    return out;
  },
};
