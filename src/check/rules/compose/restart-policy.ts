import { isObj, serviceFinding, viewServices } from '../../compose.js';
import { setIn } from '../../yaml-edit.js';
import type { Rule, RawFinding } from '../../types.js';

interface Data {
  file: string;
  path: (string | number)[];
}

export const rule: Rule = {
  id: 'compose/restart-policy',
  severity: 'warning',
  title: 'Every service has a restart policy',
  rationale: 'Seed 001 (services): a stack comes back after a crash or a reboot without anyone there. Compose\'s default is "no".',
  howToFix: 'Set restart: unless-stopped (always in production; "no" or on-failure for one-shot jobs).',
  fixable: true,
  examples: { bad: 'services:\n  web:\n    image: "nginx:1.27"\n', good: 'services:\n  web:\n    image: "nginx:1.27"\n    restart: unless-stopped\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { svc } of viewServices(ctx.repo)) {
      const v = svc.value;
      if (v.restart !== undefined || (isObj(v.deploy) && v.deploy.restart_policy !== undefined)) continue;
      const first = svc.origins[0]!;
      out.push(serviceFinding(ctx, svc, [], `service ${svc.name} has no restart policy`, { data: { file: first.file.path, path: first.path } satisfies Data }));
    }
    return out;
  },
  fix(ctx, finding) {
    const data = finding.data as Data;
    const doc = ctx.doc(data.file);
    if (doc) setIn(doc, data.path, 'restart', 'unless-stopped');
  },
};
