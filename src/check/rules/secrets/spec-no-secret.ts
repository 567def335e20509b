import { secretName } from '../compose/_secrets.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'secrets/spec-no-secret',
  severity: 'error',
  title: '.create-stack.yaml holds no secret',
  rationale: 'The answers file is committed and reused (create-stack new --answers): it records choices, never passwords, which belong in .env.',
  howToFix: 'Delete the secret from .create-stack.yaml; setup.sh generates secrets into .env.',
  fixable: false,
  examples: { bad: 'name: shop\npreset: bd-build-data\ndbPassword: hunter2\n', good: 'name: shop\npreset: bd-build-data\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const f of ctx.repo.files('spec')) {
      const y = ctx.repo.yaml(f);
      const walk = (v: unknown, path: (string | number)[]) => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
        else if (v && typeof v === 'object') {
          for (const [k, x] of Object.entries(v)) {
            const norm = k.replace(/([a-z])([A-Z])/g, '$1_$2');
            if (secretName(norm) && (typeof x === 'string' || typeof x === 'number') && String(x) !== '') out.push(ctx.at(y, [...path, k], `${k} in ${f.path} looks like a secret; the answers file is committed`));
            else walk(x, [...path, k]);
          }
        }
      };
      walk(y.toJS(), []);
    }
    return out;
  },
};
