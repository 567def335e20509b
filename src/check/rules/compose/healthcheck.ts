import { isObj, serviceFinding, viewServices } from '../../compose.js';
import type { Rule, RawFinding } from '../../types.js';

/** A service meant to run until stopped (not a one-shot job). */
export function longRunning(svc: Record<string, unknown>): boolean {
  const restart = String(svc.restart ?? '');
  if (restart === 'no' || restart.startsWith('on-failure')) return false;
  if (isObj(svc.deploy) && isObj(svc.deploy.restart_policy) && svc.deploy.restart_policy.condition === 'none') return false;
  return true;
}

/** The service has a health check of its own (not disabled). */
export function hasHealthcheck(svc: Record<string, unknown>): boolean {
  const hc = svc.healthcheck;
  if (!isObj(hc) || hc.disable === true) return false;
  const test = hc.test;
  return !(Array.isArray(test) && test[0] === 'NONE');
}

export const rule: Rule = {
  id: 'compose/healthcheck',
  severity: 'warning',
  title: 'Every long-running service has a healthcheck',
  rationale: 'Seed 001 (Health Checks): every service declares how Compose knows it is ready, so depends_on can wait for it, restarts catch hangs, and monitors see state. `healthcheck: {disable: true}` states a deliberate exception.',
  howToFix: 'Add a healthcheck whose command exists in the image (see compose/health-command-exists), or disable: true when none makes sense.',
  fixable: false,
  examples: {
    bad: 'services:\n  db:\n    image: "postgres:16.6"\n    restart: unless-stopped\n',
    good: 'services:\n  db:\n    image: "postgres:16.6"\n    restart: unless-stopped\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { svc } of viewServices(ctx.repo)) {
      const v = svc.value;
      if (!longRunning(v) || hasHealthcheck(v) || (isObj(v.healthcheck) && v.healthcheck.disable === true)) continue;
      out.push(serviceFinding(ctx, svc, [], `service ${svc.name} has no healthcheck`));
    }
    return out;
  },
};
