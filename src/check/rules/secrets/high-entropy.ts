import { secretName } from '../compose/_secrets.js';
import { highEntropy } from './_entropy.js';
import { devEnvCommitted } from './_env.js';
import type { FileCategory } from '../../../model/index.js';
import type { Rule, RawFinding } from '../../types.js';

// Compose files have compose/literal-secret; ignored files are not committed.
const CATEGORIES = new Set<FileCategory>(['yaml', 'kubernetes', 'helm-values', 'workflow', 'spec', 'shell', 'dockerfile', 'env']);
const ASSIGNMENT = /(?:^|[\s"'{,])(?:export\s+|ENV\s+|ARG\s+|-\s+)?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*(["']?)([^\s"'#]+)\2/g;

export const rule: Rule = {
  id: 'secrets/high-entropy',
  severity: 'error',
  title: 'No committed file holds a high-entropy value under a secret-looking key',
  rationale: 'Seed 000 and 003 (secrets live in .env and in the cluster, never in git): a random-looking value under PASSWORD, TOKEN, SECRET or KEY in a tracked file is almost always a real credential.',
  howToFix: 'Move the value to .env (gitignored) or a Kubernetes Secret made from it, reference it as ${VAR}, and rotate it: it is in git history.',
  fixable: false,
  examples: { bad: '# deploy/config.yaml\napiToken: "q8Zr2vLx9TmW4bNc7KpD1sFh"\n', good: '# deploy/config.yaml\napiToken: "${API_TOKEN}"\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const f of ctx.repo.found.files) {
      if (!CATEGORIES.has(f.category) || f.ignored || devEnvCommitted(ctx.repo, f)) continue;
      const text = ctx.repo.text(f);
      if (text === null) continue;
      text.split('\n').forEach((line, i) => {
        if (line.trimStart().startsWith('#') && f.category !== 'yaml') return;
        for (const m of line.matchAll(ASSIGNMENT)) {
          const [, key, , value] = m;
          if (!secretName(key!.replace(/[.-]/g, '_').replace(/([a-z])([A-Z])/g, '$1_$2')) || !highEntropy(value!)) continue;
          const col = line.indexOf(key!, m.index) + 1;
          out.push(ctx.pos(f.path, { line: i + 1, col }, `${key} holds a value that looks like a real secret`));
        }
      });
    }
    return out;
  },
};
