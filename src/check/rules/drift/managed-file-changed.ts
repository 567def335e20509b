import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recorded, SPEC } from './_spec.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'drift/managed-file-changed',
  severity: 'info',
  title: 'A file create-stack owns differs from what the recorded spec renders',
  rationale: 'Files create-stack owns (compose files, scripts, Dockerfiles, manifests) carry the standard; a local edit is either a fix the tool should learn or a drift that `update` will overwrite. User-owned files (code, .env, READMEs you edit) are never compared.',
  howToFix: 'Keep the change (and silence this for the file with check.ignore), or restore the file: create-stack update, or create-stack new <name> --answers .create-stack.yaml --force.',
  fixable: false,
  examples: { bad: '# docker-compose.yml, edited by hand\n    restart: "no"\n', good: '# docker-compose.yml as create-stack wrote it\n    restart: unless-stopped\n' },
  async check(ctx) {
    const spec = recorded(ctx.repo);
    if (!spec) return [];
    const [{ readAnswers }, { planPreset }, { DEFAULT_SERVICES }] = await Promise.all([import('../../../answers.js'), import('../../../engine.js'), import('../../../defaults.js')]);
    let out;
    try {
      const answers = await readAnswers(join(ctx.repo.root, SPEC));
      const preset = answers.preset ?? 'bd-build-data';
      const full = {
        ...answers,
        preset,
        with: answers.with ?? [],
        services: answers.services ?? (preset === 'bd-build-data' ? DEFAULT_SERVICES.map((s) => ({ ...s })) : []),
      } as Parameters<typeof planPreset>[0];
      out = planPreset(full);
    } catch (err) {
      // A spec this version cannot render is a finding, not a crash.
      return [ctx.pos(SPEC, { line: 1, col: 1 }, `the recorded spec does not render with this create-stack: ${(err as Error).message}`)];
    }
    const mine = out.repos.find((r) => {
      const text = r.tree.files.get(SPEC)?.content ?? '';
      return spec.repo ? new RegExp(`^repo:\\s*${spec.repo}\\s*$`, 'm').test(text) : true;
    });
    if (!mine) return [];
    const findings: RawFinding[] = [];
    for (const path of mine.tree.paths()) {
      const planned = mine.tree.files.get(path)!;
      if (planned.userOwned || path === SPEC) continue;
      const abs = join(ctx.repo.root, path);
      if (!existsSync(abs)) {
        findings.push(ctx.pos(path, { line: 1, col: 1 }, `${path}, which create-stack owns, is missing; create-stack update (or new --answers .create-stack.yaml --force) restores it`));
        continue;
      }
      let disk: string;
      try {
        disk = readFileSync(abs, 'utf8');
      } catch {
        continue;
      }
      if (disk === planned.content) continue;
      const a = disk.split('\n');
      const b = planned.content.split('\n');
      let line = 0;
      while (line < a.length && line < b.length && a[line] === b[line]) line++;
      findings.push(ctx.pos(path, { line: Math.min(line + 1, Math.max(a.length, 1)), col: 1 }, `${path} differs from what create-stack renders for .create-stack.yaml (from line ${line + 1}); create-stack update (or new --answers .create-stack.yaml --force) would restore it`));
    }
    return findings;
  },
};
