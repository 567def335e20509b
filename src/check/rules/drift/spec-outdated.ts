import { compareVersions, recorded, SPEC } from './_spec.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'drift/spec-outdated',
  severity: 'info',
  title: 'The repo was made by an older create-stack',
  rationale: 'The standard moves on: files written by an older version miss what newer ones fix. Knowing it is the first step of `create-stack update`.',
  howToFix: 'Run create-stack update (or create-stack new <name> --answers .create-stack.yaml --force in a copy) and review the diff.',
  fixable: false,
  examples: { bad: '# .create-stack.yaml\ntool: create-stack\nversion: "0.0.9"\n', good: '# .create-stack.yaml\ntool: create-stack\nversion: "0.1.0"\n' },
  async check(ctx) {
    const spec = recorded(ctx.repo);
    if (!spec?.version) return [];
    const { version } = await import('../../../templates.js');
    if (compareVersions(spec.version, version) >= 0) return [];
    const f = ctx.repo.file(SPEC)!;
    const out: RawFinding[] = [ctx.at(ctx.repo.yaml(f), ['version'], `made by create-stack ${spec.version}; this is ${version} (create-stack update brings it up to date)`, { at: 'value' })];
    return out;
  },
};
