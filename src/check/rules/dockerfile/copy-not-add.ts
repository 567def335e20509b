import { at, dockerfiles } from './_parse.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'dockerfile/copy-not-add',
  severity: 'warning',
  title: 'COPY, not ADD, for local files',
  rationale: 'ADD also fetches URLs and unpacks archives, so what it does depends on the file; COPY does one thing (hadolint DL3020).',
  howToFix: 'Replace ADD with COPY for local files and directories; keep ADD only to unpack a local archive or fetch a checksummed URL.',
  fixable: false,
  examples: { bad: 'FROM alpine:3.21\nADD app/ /app/\n', good: 'FROM alpine:3.21\nCOPY app/ /app/\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const df of dockerfiles(ctx)) {
      for (const ins of df.instructions) {
        if (ins.keyword !== 'ADD') continue;
        const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        const sources = parts.slice(0, -1);
        if (sources.some((s) => /^(https?|git):\/\/|^git@|\.(tar|tgz|tar\.\w+|tbz2?|txz|zip)$/.test(s))) continue;
        out.push(at(ctx, df, ins, 'ADD of local files: use COPY'));
      }
    }
    return out;
  },
};
