import { at, dockerfiles, runCommand } from './_parse.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'dockerfile/apt-install',
  severity: 'warning',
  title: 'apt-get install uses --no-install-recommends and removes the package lists',
  rationale: 'Small images build and pull faster and carry fewer vulnerable packages: recommended packages and /var/lib/apt/lists stay in the layer otherwise (hadolint DL3015, DL3009).',
  howToFix: 'RUN apt-get update && apt-get install -y --no-install-recommends pkg && rm -rf /var/lib/apt/lists/*',
  fixable: false,
  examples: {
    bad: 'FROM debian:12.8-slim\nRUN apt-get update && apt-get install -y curl\n',
    good: 'FROM debian:12.8-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const df of dockerfiles(ctx)) {
      for (const ins of df.instructions) {
        if (ins.keyword !== 'RUN') continue;
        const cmd = runCommand(ins);
        if (!/\bapt-get\s+(?:-\S+\s+)*install\b/.test(cmd)) continue;
        if (!/--no-install-recommends|APT::Install-Recommends=(?:"|')?false/.test(cmd)) out.push(at(ctx, df, ins, 'apt-get install without --no-install-recommends'));
        if (!/rm\s+-[rRf]+\s+\/var\/lib\/apt\/lists|--mount=type=cache,[^ ]*target=\/var\/lib\/apt/.test(cmd + ins.args)) out.push(at(ctx, df, ins, 'apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN'));
      }
    }
    return out;
  },
};
