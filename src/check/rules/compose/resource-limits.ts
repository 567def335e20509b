import { isObj, serviceFamily, serviceFinding, viewServices } from '../../compose.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'compose/resource-limits',
  severity: 'warning',
  title: 'Every service sets deploy.resources.limits memory and cpus (databases: memory)',
  rationale: 'Seed 001 (Escalabilidad: configuración de recursos por servicio) and seed 003: one runaway service must not starve the host; limits also document the size each service needs in Kubernetes. Databases (by image, or by a pg_isready/redis-cli/mongosh health check) need only a memory limit: they are sized by memory, and a CPU cap throttles every query.',
  howToFix: 'Add deploy.resources.limits with memory (512M) and cpus ("0.50"); reservations are optional.',
  fixable: false,
  examples: {
    bad: 'services:\n  api:\n    image: "api:1.0"\n',
    good: 'services:\n  api:\n    image: "api:1.0"\n    deploy:\n      resources:\n        limits:\n          cpus: "0.50"\n          memory: 512M\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { svc } of viewServices(ctx.repo)) {
      const v = svc.value;
      const limits = isObj(v.deploy) && isObj(v.deploy.resources) && isObj(v.deploy.resources.limits) ? v.deploy.resources.limits : {};
      const missing = [
        limits.memory === undefined && v.mem_limit === undefined ? 'memory' : null,
        // A database is sized by memory; a CPU cap only throttles its queries.
        limits.cpus === undefined && v.cpus === undefined && !serviceFamily(v)?.database ? 'cpus' : null,
      ].filter(Boolean);
      if (!missing.length) continue;
      const path = isObj(limits) && Object.keys(limits).length ? ['deploy', 'resources', 'limits'] : v.deploy ? ['deploy'] : [];
      out.push(serviceFinding(ctx, svc, path, `service ${svc.name} has no ${missing.join(' or ')} limit (deploy.resources.limits)`));
    }
    return out;
  },
};
