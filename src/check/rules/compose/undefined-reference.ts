import { isObj, parseVolume, serviceFinding, viewServices } from '../../compose.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'compose/undefined-reference',
  severity: 'error',
  title: 'depends_on, networks, volumes, secrets and configs name things that are defined',
  rationale: 'Compose refuses to start a project that names an undefined service, network, volume, secret or config; checked on each merged view (base+override, base+prod), as `docker compose -f a -f b` reads them.',
  howToFix: 'Define the name at the top level (networks:, volumes:, secrets:, configs:) or as a service, or fix the spelling.',
  fixable: false,
  examples: {
    bad: 'services:\n  api:\n    image: "api:1.0"\n    depends_on: [db]\n    networks: [backend]\n',
    good: 'services:\n  api:\n    image: "api:1.0"\n    depends_on: [db]\n    networks: [backend]\n  db:\n    image: "postgres:16.6"\nnetworks:\n  backend: {}\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { view, svc } of viewServices(ctx.repo)) {
      const v = svc.value;
      const missing = (kind: string, path: (string | number)[], name: string) =>
        out.push(serviceFinding(ctx, svc, path, `service ${svc.name}: ${kind} "${name}" is not defined`));
      if (isObj(v.depends_on)) for (const dep of Object.keys(v.depends_on)) if (!view.services.has(dep)) missing('depends_on service', ['depends_on', dep], dep);
      if (isObj(v.networks) && typeof v.network_mode !== 'string') {
        for (const net of Object.keys(v.networks)) if (net !== 'default' && !(net in view.networks)) missing('network', ['networks', net], net);
      }
      if (Array.isArray(v.volumes)) {
        v.volumes.forEach((entry, i) => {
          const vol = parseVolume(entry);
          if (vol?.type === 'volume' && vol.source && !vol.source.includes('$') && !(vol.source in view.volumes)) missing('volume', ['volumes', i], vol.source);
        });
      }
      for (const top of ['secrets', 'configs'] as const) {
        if (!Array.isArray(v[top])) continue;
        (v[top] as unknown[]).forEach((entry, i) => {
          const name = isObj(entry) ? String(entry.source ?? '') : String(entry);
          if (name && !(name in view[top])) missing(top.slice(0, -1), [top, i], name);
        });
      }
    }
    return out;
  },
};
