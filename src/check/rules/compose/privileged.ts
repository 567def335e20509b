import { fileServices } from '../../compose.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'compose/privileged',
  severity: 'error',
  title: 'No privileged containers',
  rationale: 'privileged: true gives the container every capability and every device of the host: a container escape is then trivial (seed 003 restricted pods forbid it too).',
  howToFix: 'Remove privileged: true; add only the capability needed with cap_add, or the device with devices:.',
  fixable: false,
  examples: { bad: 'services:\n  app:\n    image: "app:1.0"\n    privileged: true\n', good: 'services:\n  app:\n    image: "app:1.0"\n    cap_add: [NET_ADMIN]\n' },
  check(ctx) {
    return fileServices(ctx.repo)
      .filter(({ svc }) => svc.privileged === true)
      .map(({ file, name }) => ctx.at(file.yaml, ['services', name, 'privileged'], `service ${name} runs privileged`));
  },
};
