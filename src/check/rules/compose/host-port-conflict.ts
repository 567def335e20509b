import { parsePort, portNumbers, serviceFinding, viewServices, type ViewService } from '../../compose.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'compose/host-port-conflict',
  severity: 'error',
  title: 'No host port is published twice',
  rationale: 'Two services cannot bind the same host port: the second fails to start. Checked across the merged files (an override that adds a port the base already publishes included).',
  howToFix: 'Give each service its own host port, or publish only one of them.',
  fixable: false,
  examples: {
    bad: 'services:\n  a:\n    image: "nginx:1.27"\n    ports: ["8080:80"]\n  b:\n    image: "httpd:2.4"\n    ports: ["8080:80"]\n',
    good: 'services:\n  a:\n    image: "nginx:1.27"\n    ports: ["8080:80"]\n  b:\n    image: "httpd:2.4"\n    ports: ["8081:80"]\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    const byView = new Map<unknown, ViewService[]>();
    for (const vs of viewServices(ctx.repo)) byView.set(vs.view, [...(byView.get(vs.view) ?? []), vs]);
    for (const list of byView.values()) {
      const taken = new Map<string, string>();
      for (const { svc } of list) {
        if (!Array.isArray(svc.value.ports)) continue;
        svc.value.ports.forEach((entry, i) => {
          const p = parsePort(entry);
          if (!p || !p.published) return;
          for (const port of portNumbers(p.published)) {
            const ip = p.hostIp && p.hostIp !== '0.0.0.0' ? p.hostIp : '*';
            const key = `${port}/${p.protocol}`;
            for (const k of ip === '*' ? [...taken.keys()].filter((t) => t.endsWith(`|${key}`)) : [`${ip}|${key}`, `*|${key}`]) {
              const owner = taken.get(k);
              if (owner === undefined) continue;
              out.push(serviceFinding(ctx, svc, ['ports', i], `service ${svc.name} publishes host port ${port}, which ${owner === svc.name ? 'it already publishes' : `service ${owner} publishes`}`));
              return;
            }
            taken.set(`${ip}|${key}`, svc.name);
          }
        });
      }
    }
    return out;
  },
};
