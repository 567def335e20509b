import { envMap, envPathSeg, fileServices } from '../../compose.js';
import { literalValue, secretName } from './_secrets.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'compose/literal-secret',
  severity: 'error',
  title: 'No literal secrets in environment',
  rationale: 'Seed 001 (.env no versionado) and seed 003 (secrets): a password written in a compose file is in git history for ever. Values come from .env (gitignored) as ${VAR}.',
  howToFix: 'Write ${DB_PASSWORD} (or ${DB_PASSWORD:?set it in .env}) and put the value in .env, which is gitignored.',
  fixable: false,
  examples: {
    bad: 'services:\n  db:\n    image: "postgres:16.6"\n    environment:\n      POSTGRES_PASSWORD: hunter2\n',
    good: 'services:\n  db:\n    image: "postgres:16.6"\n    environment:\n      POSTGRES_PASSWORD: "${DB_PASSWORD:?set DB_PASSWORD in .env}"\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { file, name, svc } of fileServices(ctx.repo)) {
      const env = envMap(svc.environment);
      for (const [key, value] of Object.entries(env)) {
        if (!secretName(key) || !literalValue(value)) continue;
        out.push(ctx.at(file.yaml, ['services', name, 'environment', envPathSeg(svc.environment, key)], `service ${name}: ${key} holds a literal secret; take it from .env as \${${key}}`));
      }
    }
    return out;
  },
};
