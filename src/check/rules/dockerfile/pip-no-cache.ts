import { at, dockerfiles, runCommand } from './_parse.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'dockerfile/pip-no-cache',
  severity: 'warning',
  title: 'pip install uses --no-cache-dir',
  rationale: "pip's download cache is useless in an image and stays in the layer (hadolint DL3042).",
  howToFix: 'pip install --no-cache-dir -r requirements.txt (or ENV PIP_NO_CACHE_DIR=1 before it).',
  fixable: false,
  examples: { bad: 'FROM python:3.12.8-slim\nRUN pip install -r requirements.txt\n', good: 'FROM python:3.12.8-slim\nRUN pip install --no-cache-dir -r requirements.txt\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const df of dockerfiles(ctx)) {
      const noCacheEnv = new Set<number>();
      for (const ins of df.instructions) {
        if ((ins.keyword === 'ENV' || ins.keyword === 'ARG') && /PIP_NO_CACHE_DIR[= ]+(?:1|true|on|yes)/i.test(ins.args)) noCacheEnv.add(ins.stage);
        if (ins.keyword !== 'RUN') continue;
        const cmd = runCommand(ins);
        if (!/\bpip3?\s+(?:-\S+\s+)*install\b/.test(cmd) || /--no-cache-dir|--mount=type=cache/.test(cmd + ins.args)) continue;
        // ENV is inherited by stages built FROM this one.
        const stage = df.stages[ins.stage];
        const parent = df.stages.findIndex((s) => s.name && s.name.toLowerCase() === stage?.image.toLowerCase());
        if (noCacheEnv.has(ins.stage) || (parent >= 0 && noCacheEnv.has(parent))) continue;
        out.push(at(ctx, df, ins, 'pip install without --no-cache-dir'));
      }
    }
    return out;
  },
};
