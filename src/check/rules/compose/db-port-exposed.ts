import { DATABASE_PORTS, familyOf } from '../../../facts.js';
import { fileServices, parsePort, portNumbers } from '../../compose.js';
import type { Rule, RawFinding } from '../../types.js';

const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|::1|localhost)$/;

export const rule: Rule = {
  id: 'compose/db-port-exposed',
  severity: 'error',
  title: 'Database ports are published on 127.0.0.1 only',
  rationale: 'Seed 001 (Redes: aislamiento del resto del sistema) and seed 004: a database published on every interface is reachable from the network (and Docker\'s iptables rules bypass host firewalls such as ufw). Services reach it on the Compose network; the host reaches it on loopback.',
  howToFix: 'Publish as "127.0.0.1:5432:5432", or remove the ports entry and use the Compose network.',
  fixable: false,
  examples: { bad: 'services:\n  db:\n    image: "postgres:16.6"\n    ports:\n      - "5432:5432"\n', good: 'services:\n  db:\n    image: "postgres:16.6"\n    ports:\n      - "127.0.0.1:5432:5432"\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { file, name, svc } of fileServices(ctx.repo)) {
      if (!Array.isArray(svc.ports)) continue;
      const family = typeof svc.image === 'string' ? familyOf(svc.image) : null;
      svc.ports.forEach((entry, i) => {
        const p = parsePort(entry);
        if (!p || LOOPBACK.test(p.hostIp)) return;
        const targets = portNumbers(p.target);
        const db = targets.find((t) => DATABASE_PORTS.has(t)) ?? (family?.database && targets.includes(family.port!) ? family.port : undefined);
        if (db === undefined) return;
        const where = p.hostIp && p.hostIp !== '0.0.0.0' && p.hostIp !== '::' ? `on ${p.hostIp}` : 'on all interfaces';
        out.push(ctx.at(file.yaml, ['services', name, 'ports', i], `service ${name} publishes database port ${db} ${where}; bind it to 127.0.0.1`));
      });
    }
    return out;
  },
};
