import { events, obj, workflows } from './_workflows.js';
import type { Rule, RawFinding } from '../../types.js';

const HEAD = /github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|refs\/pull\//;

export const rule: Rule = {
  id: 'workflow/pr-target-checkout',
  severity: 'error',
  title: 'No pull_request_target workflow checks out the pull request\'s code',
  rationale: 'pull_request_target runs with the base repository\'s secrets and a write token; checking out and running the head of a fork\'s pull request hands both to its author ("pwn request").',
  howToFix: 'Use on: pull_request for anything that runs the PR\'s code; keep pull_request_target for labelling and commenting without checkout of the head.',
  fixable: false,
  examples: {
    bad: 'on: pull_request_target\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n',
    good: 'on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { y, wf } of workflows(ctx)) {
      if (!events(wf).includes('pull_request_target') || !obj(wf.jobs)) continue;
      for (const [name, job] of Object.entries(wf.jobs)) {
        if (!obj(job) || !Array.isArray(job.steps)) continue;
        job.steps.forEach((s, i) => {
          if (!obj(s) || typeof s.uses !== 'string' || !s.uses.startsWith('actions/checkout')) return;
          const ref = obj(s.with) ? String(s.with.ref ?? '') + String(s.with.repository ?? '') : '';
          if (HEAD.test(ref) || /pull_request\.head\.repo/.test(ref)) out.push(ctx.at(y, ['jobs', name, 'steps', i, 'with', 'ref'], `job ${name} checks out the pull request head under pull_request_target`));
        });
      }
    }
    return out;
  },
};
