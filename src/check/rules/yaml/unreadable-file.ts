import { YAML_CATEGORIES } from '../../../model/index.js';
import type { Rule, RawFinding } from '../../types.js';

const KINDS = new Set(['file/too-large', 'file/binary', 'file/unreadable', 'yaml/alias-bomb']);

export const rule: Rule = {
  id: 'yaml/unreadable-file',
  severity: 'error',
  title: 'A YAML file is binary, too large, unreadable or an alias bomb',
  rationale: 'A file the tools cannot read safely is not configuration: an alias bomb ("billion laughs") expands to gigabytes in any YAML reader, and binary or huge files are not meant to be there.',
  howToFix: 'Replace the file with the YAML it should hold; expand anchors that are referenced thousands of times.',
  fixable: false,
  examples: { bad: 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n', good: 'services:\n  web:\n    image: "nginx:1.27"\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const f of ctx.repo.found.files) {
      if (!YAML_CATEGORIES.has(f.category)) continue;
      const y = ctx.repo.yaml(f);
      y.toJS(); // finds alias bombs
      for (const p of y.problems) if (KINDS.has(p.kind)) out.push(ctx.pos(f.path, p.pos, p.message));
    }
    return out;
  },
};
