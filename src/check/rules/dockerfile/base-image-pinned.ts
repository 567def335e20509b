import { unpinned } from '../compose/image-pinned.js';
import { at, dockerfiles } from './_parse.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'dockerfile/base-image-pinned',
  severity: 'error',
  title: 'FROM names a pinned base image',
  rationale: 'Seed 001 (build/: Dockerfiles) and seed 003 (CI builds the same image every time): an untagged or :latest base changes under the build (hadolint DL3006, DL3007).',
  howToFix: 'FROM python:3.12.8-slim-bookworm (an exact tag) or @sha256:… (a digest).',
  fixable: false,
  examples: { bad: 'FROM python\n', good: 'FROM python:3.12.8-slim-bookworm\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const df of dockerfiles(ctx)) {
      const names = new Set<string>();
      for (const ins of df.instructions) {
        if (ins.keyword !== 'FROM') continue;
        const stage = df.stages.find((s) => s.line === ins.line);
        const image = stage?.image ?? '';
        if (image && !names.has(image.toLowerCase()) && image !== 'scratch' && !image.includes('$')) {
          const why = unpinned(image);
          if (why) out.push(at(ctx, df, ins, `base ${why}`));
        }
        if (stage?.name) names.add(stage.name.toLowerCase());
      }
    }
    return out;
  },
};
