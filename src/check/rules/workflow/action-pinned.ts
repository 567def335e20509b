import { obj, workflows } from './_workflows.js';
import type { Rule, RawFinding } from '../../types.js';

const BRANCH = /^(?:main|master|develop|dev|trunk|HEAD|latest|stable|next|nightly)$/;

export const rule: Rule = {
  id: 'workflow/action-pinned',
  severity: 'warning',
  title: 'Third-party actions are pinned to a tag or commit SHA',
  rationale: 'Seed 003 (CI/CD builds and deploys): an action used @main (or with no ref) runs whatever its owner pushes next, with this repo\'s secrets. GitHub\'s own actions/* and github/* are exempt from nothing but trust.',
  howToFix: 'uses: owner/action@v4.1.7 (a release tag) or @<40-character commit SHA>.',
  fixable: false,
  examples: { bad: 'steps:\n  - uses: some-org/deploy-action@main\n', good: 'steps:\n  - uses: some-org/deploy-action@v2.3.1\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { y, wf } of workflows(ctx)) {
      if (!obj(wf.jobs)) continue;
      for (const [name, job] of Object.entries(wf.jobs)) {
        if (!obj(job)) continue;
        const check = (uses: unknown, path: (string | number)[]) => {
          if (typeof uses !== 'string' || uses.startsWith('./') || uses.startsWith('docker://')) return;
          const at = uses.lastIndexOf('@');
          const ref = at >= 0 ? uses.slice(at + 1) : '';
          if (ref && !BRANCH.test(ref)) return;
          out.push(ctx.at(y, path, ref ? `${uses} follows a branch; pin a tag or a commit SHA` : `${uses} has no version; pin a tag or a commit SHA`, { at: 'value' }));
        };
        check(job.uses, ['jobs', name, 'uses']);
        if (Array.isArray(job.steps)) job.steps.forEach((s, i) => obj(s) && check(s.uses, ['jobs', name, 'steps', i, 'uses']));
      }
    }
    return out;
  },
};
