import { at, dockerfiles, runCommand } from './_parse.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'dockerfile/pipefail',
  severity: 'warning',
  title: 'A RUN with a pipe sets -o pipefail',
  rationale: '/bin/sh -c judges a pipeline by its last command: `curl … | tar x` succeeds when curl fails, and the image is built broken (hadolint DL4006).',
  howToFix: 'SHELL ["/bin/bash", "-o", "pipefail", "-c"] before the RUN (or set -o pipefail; in the RUN where the shell has it).',
  fixable: false,
  examples: {
    bad: 'FROM debian:12.8-slim\nRUN curl -fsSL https://example.com/x.tgz | tar xz\n',
    good: 'FROM debian:12.8-slim\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://example.com/x.tgz | tar xz\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const df of dockerfiles(ctx)) {
      let pipefail = new Set<number>();
      for (const ins of df.instructions) {
        if (ins.keyword === 'SHELL') {
          if (/pipefail/.test(ins.args)) pipefail.add(ins.stage);
          else pipefail = new Set([...pipefail].filter((s) => s !== ins.stage));
        }
        if (ins.keyword !== 'RUN' || ins.args.startsWith('[')) continue;
        // A single | outside quotes, not ||.
        const cmd = runCommand(ins).replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, '""').replace(/<<-?\s*["']?\w+["']?[\s\S]*$/, '');
        if (!/(^|[^|])\|(?!\|)/.test(cmd)) continue;
        if (pipefail.has(ins.stage) || /set\s+-[a-z]*o\s+pipefail|set\s+-o\s+pipefail/.test(cmd)) continue;
        out.push(at(ctx, df, ins, 'RUN with a pipe and no pipefail: a failure before the last command is ignored'));
      }
    }
    return out;
  },
};
