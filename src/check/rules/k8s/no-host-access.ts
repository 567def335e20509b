import { at, obj, workloads } from './_workloads.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'k8s/no-host-access',
  severity: 'error',
  title: 'No hostPath volumes, hostNetwork, hostPID or hostIPC',
  rationale: 'Seed 003 (restricted pods): host namespaces and host paths break the isolation between pod and node; a compromised pod reads or changes the node (Pod Security baseline forbids them).',
  howToFix: 'Use a PersistentVolumeClaim or emptyDir instead of hostPath, and a Service instead of hostNetwork.',
  fixable: false,
  examples: { bad: 'spec:\n  hostNetwork: true\n  volumes:\n    - name: data\n      hostPath: {path: /srv/data}\n', good: 'spec:\n  volumes:\n    - name: data\n      persistentVolumeClaim: {claimName: data}\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const w of workloads(ctx.repo)) {
      for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
        if (w.pod[key] === true) out.push(at(ctx, w, [...w.podPath, key], `${w.kind} ${w.name}: ${key}: true`));
      }
      if (Array.isArray(w.pod.volumes)) {
        w.pod.volumes.forEach((v, i) => {
          if (obj(v) && v.hostPath !== undefined) out.push(at(ctx, w, [...w.podPath, 'volumes', i, 'hostPath'], `${w.kind} ${w.name}: volume ${String(v.name ?? i)} is a hostPath`));
        });
      }
    }
    return out;
  },
};
