import { YAML_CATEGORIES } from '../../../model/index.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'yaml/parse-error',
  severity: 'error',
  title: 'A YAML file does not parse',
  rationale: 'Compose, Kubernetes and CI read these files: one that does not parse stops them (duplicate keys included, which YAML forbids and Compose rejects).',
  howToFix: 'Fix the syntax at the line and column given (indentation, an unclosed quote or bracket, a duplicated key).',
  fixable: false,
  examples: { bad: 'services:\n  web:\n    image: "nginx:1.27\n', good: 'services:\n  web:\n    image: "nginx:1.27"\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const f of ctx.repo.found.files) {
      if (!YAML_CATEGORIES.has(f.category)) continue;
      for (const p of ctx.repo.yaml(f).problems) if (p.kind === 'yaml/parse-error') out.push(ctx.pos(f.path, p.pos, p.message));
    }
    return out;
  },
};
