import { at, LONG_RUNNING, workloads } from './_workloads.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'k8s/probes',
  severity: 'warning',
  title: 'Long-running containers have liveness and readiness probes',
  rationale: 'Seed 003 (health checks and zero-downtime deploys): without readiness a rollout sends traffic to pods that are not ready; without liveness a hung process is never restarted (kube-linter no-liveness-probe, no-readiness-probe).',
  howToFix: 'Add livenessProbe and readinessProbe (httpGet /health, or exec of the same command as the Compose healthcheck).',
  fixable: false,
  examples: {
    bad: 'containers:\n  - name: api\n    image: "api:1.0"\n',
    good: 'containers:\n  - name: api\n    image: "api:1.0"\n    readinessProbe: {httpGet: {path: /health, port: 8000}}\n    livenessProbe: {httpGet: {path: /health, port: 8000}}\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const w of workloads(ctx.repo)) {
      if (!LONG_RUNNING.has(w.kind)) continue;
      for (const c of w.containers) {
        if (c.init) continue;
        const missing = ['livenessProbe', 'readinessProbe'].filter((p) => c.value[p] === undefined);
        if (missing.length) out.push(at(ctx, w, [...c.path, 'name'], `${w.kind} ${w.name}, container ${c.name}: no ${missing.join(' or ')}`));
      }
    }
    return out;
  },
};
