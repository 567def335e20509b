import { familyOf } from '../../../facts.js';
import { at, dockerfiles } from './_parse.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'dockerfile/user-not-root',
  severity: 'warning',
  title: 'Images built from code end with a non-root USER',
  rationale: 'Seed 003 (Pod Security restricted: runAsNonRoot): an application container running as root turns any code-execution bug into root in the container (hadolint DL3002). Official database images that drop root in their entrypoint are exempt.',
  howToFix: 'Create a user (useradd --system --uid 10001 app) and end the final stage with USER 10001 (or USER app).',
  fixable: false,
  examples: { bad: 'FROM python:3.12.8-slim\nCOPY . /app\nCMD ["python", "/app/main.py"]\n', good: 'FROM python:3.12.8-slim\nRUN useradd --system --uid 10001 app\nCOPY . /app\nUSER 10001\nCMD ["python", "/app/main.py"]\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const df of dockerfiles(ctx)) {
      if (!df.stages.length) continue;
      const last = df.stages.length - 1;
      const ins = df.instructions.filter((i) => i.stage === last);
      // Built from code: the final stage copies files in.
      if (!ins.some((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) continue;
      // The base chain: a stage built FROM an earlier stage inherits its USER and image.
      let image = df.stages[last]!.image;
      let user: { args: string; line: number; col: number } | undefined = [...ins].reverse().find((i) => i.keyword === 'USER');
      for (let guard = 0; guard < df.stages.length && !user; guard++) {
        const prev = df.stages.findIndex((s) => s.name?.toLowerCase() === image.toLowerCase());
        if (prev < 0) break;
        image = df.stages[prev]!.image;
        user = [...df.instructions.filter((i) => i.stage === prev)].reverse().find((i) => i.keyword === 'USER');
      }
      if (!user && familyOf(image)?.dropsRoot) continue;
      const name = user?.args.split(':')[0]?.trim();
      if (user && name !== 'root' && name !== '0') continue;
      const from = df.instructions.find((i) => i.keyword === 'FROM' && i.stage === last)!;
      out.push(user ? at(ctx, df, user as never, 'the final USER is root') : at(ctx, df, from, 'the final stage runs as root: no USER after copying the code'));
    }
    return out;
  },
};
