import { at, get, workloads } from './_workloads.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'k8s/resources',
  severity: 'warning',
  title: 'Containers set cpu and memory requests and limits',
  rationale: 'Seed 003 (resources per environment): requests let the scheduler place pods, limits stop one pod from starving a node (kube-linter unset-cpu-requirements, unset-memory-requirements).',
  howToFix: 'Set resources.requests.cpu/memory and resources.limits.cpu/memory on every container.',
  fixable: false,
  examples: {
    bad: 'containers:\n  - name: api\n    image: "api:1.0"\n',
    good: 'containers:\n  - name: api\n    image: "api:1.0"\n    resources:\n      requests: {cpu: 100m, memory: 128Mi}\n      limits: {cpu: 500m, memory: 512Mi}\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const w of workloads(ctx.repo)) {
      for (const c of w.containers) {
        const missing = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'].filter((p) => get(c.value.resources, p.split('.')) === undefined);
        if (missing.length) out.push(at(ctx, w, [...c.path, c.value.resources ? 'resources' : 'name'], `${w.kind} ${w.name}, container ${c.name}: no ${missing.join(', ')}`));
      }
    }
    return out;
  },
};
