import { envMap, envPathSeg, isProdView, serviceFinding, viewServices } from '../../compose.js';
import { requiredVariable, secretName } from './_secrets.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'compose/prod-secret-required',
  severity: 'error',
  title: 'In production every secret is ${VAR:?message}',
  rationale: 'Seed 001 (docker-compose.prod.yml) and seed 003: production must refuse to start without its secrets rather than start with an empty or default password.',
  howToFix: 'Write the value as "${DB_PASSWORD:?DB_PASSWORD must be set}" in the prod file (or in the base file it extends).',
  fixable: false,
  examples: {
    bad: '# docker-compose.prod.yml\nservices:\n  db:\n    environment:\n      POSTGRES_PASSWORD: "${DB_PASSWORD:-changeme}"\n',
    good: '# docker-compose.prod.yml\nservices:\n  db:\n    environment:\n      POSTGRES_PASSWORD: "${DB_PASSWORD:?DB_PASSWORD must be set}"\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { view, svc } of viewServices(ctx.repo)) {
      if (!isProdView(view)) continue;
      const env = envMap(svc.value.environment);
      for (const [key, value] of Object.entries(env)) {
        if (!secretName(key) || value === null || requiredVariable(value)) continue;
        const origin = [...svc.origins].reverse().find((o) => o.file.pair([...o.path, 'environment']));
        const raw = origin ? (origin.file.toJS() as { services: Record<string, { environment?: unknown }> }).services[svc.name]?.environment : undefined;
        out.push(serviceFinding(ctx, svc, ['environment', envPathSeg(raw, key)], `service ${svc.name}: ${key} in production must be \${VAR:?message}, so Compose refuses to start without it`));
      }
    }
    return out;
  },
};
