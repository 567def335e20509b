import { filesUnder, usesLayout } from './_layout.js';
import type { Rule } from '../../types.js';

// Dockerfiles, their ignore files, and init scripts (shell, SQL) the images copy in.
const ALLOWED = /(^|\/)(?:Dockerfile(?:\.[\w.-]+)?|[\w.-]+\.Dockerfile|[\w.-]*\.dockerignore|\.gitkeep|README(?:\.md)?|[\w.-]+\.(?:sh|bash|sql|sql\.gz))$/;

export const rule: Rule = {
  id: 'layout/build-dockerfiles-only',
  severity: 'warning',
  title: 'build/ holds only Dockerfiles, their ignore files and init scripts',
  rationale: 'Seed 001 (build/: solo Dockerfiles, estructura base): images are built from build/, code and config live in data/<service>/, so a change of code never hides in the build folder.',
  howToFix: 'Move code and configuration to data/<service>/ and COPY it from there.',
  fixable: false,
  examples: { bad: 'build/api/\n  Dockerfile\n  main.py\n', good: 'build/api/\n  Dockerfile\n  Dockerfile.dockerignore\n  init-script.sh\n' },
  check(ctx) {
    if (!usesLayout(ctx.repo)) return [];
    return filesUnder(ctx.repo, 'build')
      .filter((p) => !ALLOWED.test(p))
      .map((p) => ctx.pos(p, { line: 1, col: 1 }, `${p}: build/ holds Dockerfiles and init scripts only; code and config belong in data/`));
  },
};
