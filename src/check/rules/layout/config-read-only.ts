import { isScalar } from 'yaml';
import { fileServices, parseVolume } from '../../compose.js';
import { nodeAt } from '../../yaml-edit.js';
import type { Rule, RawFinding } from '../../types.js';

interface Data {
  file: string;
  path: (string | number)[];
}

export const rule: Rule = {
  id: 'layout/config-read-only',
  severity: 'warning',
  title: 'Config under data/<service>/config is mounted read-only',
  rationale: 'Seed 001 (Volúmenes: configuraciones read-only): a container must not rewrite its own configuration in the repo; :ro makes that a mount error instead of a silent change.',
  howToFix: 'Append :ro to the mount (./data/api/config:/etc/api/config:ro), or read_only: true in long syntax.',
  fixable: true,
  examples: { bad: 'services:\n  api:\n    volumes:\n      - ./data/api/config:/etc/api/config\n', good: 'services:\n  api:\n    volumes:\n      - ./data/api/config:/etc/api/config:ro\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { file, name, svc } of fileServices(ctx.repo)) {
      if (!Array.isArray(svc.volumes)) continue;
      svc.volumes.forEach((entry, i) => {
        const v = parseVolume(entry);
        if (!v || v.type !== 'bind' || v.readOnly || !/^(?:\.\/)?data\/[^/]+\/config(?:\/|$)/.test(v.source)) return;
        const path = ['services', name, 'volumes', i];
        out.push(ctx.at(file.yaml, path, `service ${name} mounts ${v.source} read-write; config is mounted :ro`, { data: { file: file.yaml.path, path } satisfies Data }));
      });
    }
    return out;
  },
  fix(ctx, finding) {
    const data = finding.data as Data;
    const doc = ctx.doc(data.file);
    if (!doc) return;
    const node = nodeAt(doc, data.path);
    if (isScalar(node) && typeof node.value === 'string') {
      const parts = node.value.split(':');
      if (parts.length === 2) node.value = `${node.value}:ro`;
      else if (parts.length === 3 && !parts[2]!.split(',').includes('ro')) node.value = `${parts[0]}:${parts[1]}:${parts[2] === 'rw' ? 'ro' : `${parts[2]},ro`}`;
    } else if (node && typeof node === 'object' && 'set' in node) (node as { set(k: string, v: boolean): void }).set('read_only', true);
  },
};
