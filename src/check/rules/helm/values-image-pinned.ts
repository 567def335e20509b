import { unpinned } from '../compose/image-pinned.js';
import type { PathSeg } from '../../../model/index.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'helm/values-image-pinned',
  severity: 'error',
  title: 'Helm values pin image tags',
  rationale: 'Seed 003 (Helm: one chart, values per environment): a values file that says tag: latest deploys whatever was pushed last, in every environment that uses it.',
  howToFix: 'Set the tag to the release (tag: "1.4.2"), or leave it empty so the chart uses its appVersion.',
  fixable: false,
  examples: { bad: 'image:\n  repository: ghcr.io/org/api\n  tag: latest\n', good: 'image:\n  repository: ghcr.io/org/api\n  tag: "1.4.2"\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const f of ctx.repo.files('helm-values')) {
      const y = ctx.repo.yaml(f);
      const walk = (v: unknown, path: PathSeg[]) => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
        else if (typeof v === 'string') {
          const key = String(path[path.length - 1] ?? '');
          if (/tag$/i.test(key) && v === 'latest') out.push(ctx.at(y, path, `${path.join('.')}: latest is not a version`, { at: 'value' }));
          else if (/^image$/i.test(key) && v.includes(':') && unpinned(v)) out.push(ctx.at(y, path, `${path.join('.')}: ${unpinned(v)}`, { at: 'value' }));
        }
      };
      walk(y.toJS(), []);
    }
    return out;
  },
};
