import { isMap } from 'yaml';
import { composeFiles } from '../../compose.js';
import type { Rule } from '../../types.js';

export const rule: Rule = {
  id: 'compose/no-version',
  severity: 'warning',
  title: 'Compose files have no top-level version: key',
  rationale: 'The Compose Specification dropped `version:`; Compose v2 ignores it and warns that it is obsolete, so it only misleads readers about which features apply.',
  howToFix: 'Delete the `version:` line.',
  fixable: true,
  examples: { bad: 'version: "3.8"\nservices:\n  web:\n    image: "nginx:1.27"\n', good: 'services:\n  web:\n    image: "nginx:1.27"\n' },
  check(ctx) {
    return composeFiles(ctx.repo)
      .filter((f) => (f.yaml.toJS() as Record<string, unknown>).version !== undefined)
      .map((f) => ctx.at(f.yaml, ['version'], 'the top-level version: key is obsolete in the Compose Specification', { data: { file: f.yaml.path } }));
  },
  fix(ctx, finding) {
    const doc = ctx.doc(finding.file);
    if (doc && isMap(doc.contents)) doc.delete('version');
  },
};
