import { at, dockerfiles } from './_parse.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'dockerfile/exec-form',
  severity: 'warning',
  title: 'CMD and ENTRYPOINT in JSON (exec) form',
  rationale: 'In shell form the process runs under /bin/sh -c, which does not forward SIGTERM: `docker stop` waits and then kills, with no graceful shutdown (hadolint DL3025).',
  howToFix: 'Write CMD ["uvicorn", "main:app", "--host", "0.0.0.0"] (an entrypoint script ends with exec "$@").',
  fixable: false,
  examples: { bad: 'FROM node:22.12.0-alpine3.21\nCMD node index.js\n', good: 'FROM node:22.12.0-alpine3.21\nCMD ["node", "index.js"]\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const df of dockerfiles(ctx)) {
      for (const ins of df.instructions) {
        if (ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT') continue;
        let ok = false;
        try {
          ok = Array.isArray(JSON.parse(ins.args));
        } catch {
          ok = false;
        }
        if (!ok) out.push(at(ctx, df, ins, `${ins.keyword} in shell form: write it as a JSON array`));
      }
    }
    return out;
  },
};
