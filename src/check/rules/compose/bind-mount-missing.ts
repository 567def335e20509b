import { existsSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { fileServices, parseVolume } from '../../compose.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'compose/bind-mount-missing',
  severity: 'warning',
  title: 'Bind-mount sources exist in the repo',
  rationale: 'Seed 001 (Volúmenes): config, code and data are mounted from data/ and bd/. A missing source makes Docker create an empty root-owned directory in its place, so the service starts without its config or code.',
  howToFix: 'Create the file or directory (keep empty directories with a .gitkeep), or fix the path.',
  fixable: false,
  examples: { bad: 'services:\n  web:\n    image: "nginx:1.27"\n    volumes:\n      - ./conf/nginx.conf:/etc/nginx/nginx.conf:ro\n', good: '# with conf/nginx.conf in the repo\nservices:\n  web:\n    image: "nginx:1.27"\n    volumes:\n      - ./conf/nginx.conf:/etc/nginx/nginx.conf:ro\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { file, name, svc } of fileServices(ctx.repo)) {
      if (!Array.isArray(svc.volumes)) continue;
      svc.volumes.forEach((entry, i) => {
        const v = parseVolume(entry);
        if (!v || v.type !== 'bind' || !/^\.\.?(\/|$)/.test(v.source) || v.source.includes('$')) return;
        const rel = normalize(join(file.dir, v.source));
        if (rel.startsWith('..')) return; // outside the repo: not ours to know
        if (existsSync(join(ctx.repo.root, rel))) return;
        out.push(ctx.at(file.yaml, ['services', name, 'volumes', i], `service ${name} mounts ${v.source}, which does not exist in the repo`));
      });
    }
    return out;
  },
};
