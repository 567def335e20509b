import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_PORTS } from '../../../facts.js';
import { isObj, parsePort, portNumbers, viewServices } from '../../compose.js';
import { usesLayout } from './_layout.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'layout/monitor-script',
  severity: 'warning',
  title: 'Each HTTP service has a monitor script',
  rationale: 'Seed 001 (monitoring: one monitor_<service>.sh per HTTP service, run by a <service>-monitor container and from the host): health is watched, not assumed.',
  howToFix: 'Add data/monitoring/monitor_<service>.sh that curls the service\'s /health (create-stack add service writes one).',
  fixable: false,
  examples: { bad: 'data/monitoring/\n  (nothing for the api service)\n', good: 'data/monitoring/\n  monitor_api.sh\n' },
  check(ctx) {
    if (!usesLayout(ctx.repo)) return [];
    const out: RawFinding[] = [];
    const seen = new Set<string>();
    for (const { view, svc } of viewServices(ctx.repo)) {
      if (seen.has(svc.name) || svc.name.endsWith('-monitor') || view.files.some((f) => f.dir !== '')) continue;
      const v = svc.value;
      // HTTP service: built here (build/<service>/) and publishing a port that is not a database's.
      const build = isObj(v.build) ? String(v.build.dockerfile ?? '') : '';
      if (!build.startsWith('build/')) continue;
      const ports = Array.isArray(v.ports) ? v.ports.map(parsePort).flatMap((p) => (p ? portNumbers(p.target) : [])) : [];
      if (!ports.length || ports.every((p) => DATABASE_PORTS.has(p))) continue;
      seen.add(svc.name);
      if (existsSync(join(ctx.repo.root, 'data', 'monitoring', `monitor_${svc.name}.sh`))) continue;
      const first = svc.origins[0]!;
      out.push(ctx.at(first.file, first.path, `service ${svc.name} serves HTTP but data/monitoring/monitor_${svc.name}.sh does not exist`));
    }
    return out;
  },
};
