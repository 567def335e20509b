import { commandIn, familyOf, healthProgram, isMinimalTag } from '../../../facts.js';
import { isObj, serviceFinding, viewServices } from '../../compose.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'compose/health-command-exists',
  severity: 'error',
  title: 'The health command exists in the image',
  rationale: 'A health check whose program is missing fails for ever, so the service is never healthy and everything that waits for it never starts: curl is absent from *-slim and *-alpine images, postgres images have pg_isready, redis redis-cli, mongo ≥ 6 mongosh (not mongo).',
  howToFix: 'Use a program the image has: pg_isready, redis-cli ping, mongosh --eval, python -c urllib…, node -e fetch…, or busybox wget on alpine.',
  fixable: false,
  examples: {
    bad: 'services:\n  api:\n    image: "python:3.12-slim"\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]\n',
    good: 'services:\n  api:\n    image: "python:3.12-slim"\n    healthcheck:\n      test: ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health\')"]\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { svc } of viewServices(ctx.repo)) {
      const v = svc.value;
      // A built image may add any tool: only images used as they are can be judged.
      if (typeof v.image !== 'string' || v.build !== undefined || !isObj(v.healthcheck)) continue;
      const prog = healthProgram(v.healthcheck.test);
      if (!prog) continue;
      if (commandIn(v.image, prog) !== 'no') continue;
      const fam = familyOf(v.image);
      const minimal = isMinimalTag(v.image);
      const hint = fam?.health ? `; use ${fam.health}` : '';
      const why = minimal && !fam?.commands.includes(prog) ? `${v.image} is a ${minimal} image without ${prog}` : `${prog} is not in ${fam?.name ?? 'this'} images`;
      out.push(serviceFinding(ctx, svc, ['healthcheck', 'test'], `service ${svc.name}: health check runs ${prog}, but ${why}${hint}`, { at: 'value' }));
    }
    return out;
  },
};
