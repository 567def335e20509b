import { at, get, obj, workloads } from './_workloads.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'k8s/pod-security',
  severity: 'warning',
  title: 'Pods meet the Pod Security Standards "restricted" profile',
  rationale: 'Seed 003 (Kubernetes: namespaces labelled pod-security restricted): containers run as non-root, cannot escalate privileges, drop every capability and use the RuntimeDefault seccomp profile; a namespace enforcing "restricted" rejects pods that do not (kube-linter, Polaris).',
  howToFix: 'Set pod securityContext runAsNonRoot: true and seccompProfile.type: RuntimeDefault; per container allowPrivilegeEscalation: false and capabilities.drop: ["ALL"], never privileged.',
  fixable: false,
  examples: {
    bad: 'apiVersion: v1\nkind: Pod\nmetadata: {name: api}\nspec:\n  containers:\n    - name: api\n      image: "api:1.0"\n',
    good: 'apiVersion: v1\nkind: Pod\nmetadata: {name: api}\nspec:\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n    - name: api\n      image: "api:1.0"\n      securityContext:\n        allowPrivilegeEscalation: false\n        capabilities: {drop: ["ALL"]}\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const w of workloads(ctx.repo)) {
      const podSc = obj(w.pod.securityContext) ? w.pod.securityContext : {};
      for (const c of w.containers) {
        const sc = obj(c.value.securityContext) ? c.value.securityContext : {};
        const missing: string[] = [];
        if (sc.privileged === true) missing.push('privileged: true');
        if (sc.allowPrivilegeEscalation !== false) missing.push('allowPrivilegeEscalation: false');
        if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) missing.push('runAsNonRoot: true');
        if ((sc.runAsUser ?? podSc.runAsUser) === 0) missing.push('runAsUser ≠ 0');
        const drop = get(sc, ['capabilities', 'drop']);
        if (!Array.isArray(drop) || !drop.map(String).includes('ALL')) missing.push('capabilities.drop: ["ALL"]');
        const seccomp = String(get(sc, ['seccompProfile', 'type']) ?? get(podSc, ['seccompProfile', 'type']) ?? '');
        if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') missing.push('seccompProfile.type: RuntimeDefault');
        if (!missing.length) continue;
        out.push(at(ctx, w, [...c.path, 'name'], `${w.kind} ${w.name}, container ${c.name}: not restricted (${missing.join(', ')})`));
      }
    }
    return out;
  },
};
