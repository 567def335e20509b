import { obj, workflows } from './_workflows.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'workflow/permissions',
  severity: 'warning',
  title: 'Workflows declare permissions (top level or per job)',
  rationale: 'Seed 003 (CI/CD): without permissions: the GITHUB_TOKEN gets the repository default, often write-all; a compromised step or action can then push code or releases.',
  howToFix: 'Add permissions: {contents: read} at the top, and widen it only in the jobs that need more (packages: write to push images).',
  fixable: false,
  examples: { bad: 'on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps: [{run: make test}]\n', good: 'on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps: [{run: make test}]\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { y, wf } of workflows(ctx)) {
      if (wf.permissions !== undefined || !obj(wf.jobs)) continue;
      for (const [name, job] of Object.entries(wf.jobs)) {
        if (obj(job) && job.permissions === undefined) out.push(ctx.at(y, ['jobs', name], `job ${name} has no permissions: and the workflow sets none`));
      }
    }
    return out;
  },
};
