import type { Rule, RawFinding } from '../../types.js';

const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const rule: Rule = {
  id: 'helm/values-security',
  severity: 'warning',
  title: 'Helm values set a restricted pod and container security context',
  rationale: 'Seed 003 (Pod Security restricted): a chart whose default values leave securityContext empty deploys root containers with every capability unless each environment remembers to fix it.',
  howToFix: 'In values.yaml: podSecurityContext {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}} and a container securityContext {allowPrivilegeEscalation: false, capabilities: {drop: ["ALL"]}}.',
  fixable: false,
  examples: {
    bad: 'podSecurityContext: {}\nsecurityContext: {}\n',
    good: 'podSecurityContext:\n  runAsNonRoot: true\n  seccompProfile: {type: RuntimeDefault}\nsecurityContext:\n  allowPrivilegeEscalation: false\n  capabilities: {drop: ["ALL"]}\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const f of ctx.repo.files('helm-values')) {
      // values.yaml holds the defaults; environment files (values.prod.yaml) only override them.
      if (!/(^|\/)values\.ya?ml$/.test(f.path)) continue;
      const y = ctx.repo.yaml(f);
      const v = y.toJS();
      if (!obj(v)) continue;
      const pod = [v.podSecurityContext].find(obj) ?? {};
      const container = [v.containerSecurityContext, v.securityContext].find(obj) ?? {};
      const all = { ...pod, ...container } as Record<string, unknown>;
      const missing: string[] = [];
      if (all.runAsNonRoot !== true) missing.push('runAsNonRoot: true');
      if (all.allowPrivilegeEscalation !== false) missing.push('allowPrivilegeEscalation: false');
      const drop = obj(all.capabilities) ? all.capabilities.drop : undefined;
      if (!Array.isArray(drop) || !drop.includes('ALL')) missing.push('capabilities.drop: ["ALL"]');
      const seccomp = obj(all.seccompProfile) ? all.seccompProfile.type : undefined;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') missing.push('seccompProfile.type: RuntimeDefault');
      if (!missing.length) continue;
      const key = v.podSecurityContext !== undefined ? ['podSecurityContext'] : v.securityContext !== undefined ? ['securityContext'] : [];
      out.push(ctx.at(y, key, `values do not make pods restricted: ${missing.join(', ')}`));
    }
    return out;
  },
};
