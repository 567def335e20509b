import { unpinned } from '../compose/image-pinned.js';
import { workloads } from './_workloads.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'k8s/image-pinned',
  severity: 'error',
  title: 'Container images are pinned by tag or digest',
  rationale: 'Seed 003 (each release deploys a known image): :latest or no tag makes rollbacks and node restarts pull something else (kube-linter latest-tag).',
  howToFix: 'Name an exact tag or digest, or let kustomize images: set newTag for the image name.',
  fixable: false,
  examples: { bad: 'containers:\n  - name: api\n    image: ghcr.io/org/api:latest\n', good: 'containers:\n  - name: api\n    image: ghcr.io/org/api:1.4.2\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const w of workloads(ctx.repo)) {
      for (const c of w.containers) {
        if (typeof c.value.image !== 'string') continue;
        const why = unpinned(c.value.image);
        if (why) out.push(ctx.at(w.file, [...c.path, 'image'], `${w.kind} ${w.name}, container ${c.name}: ${why}`, { at: 'value', doc: w.doc }));
      }
    }

    return out;
  },
};
