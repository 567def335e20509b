// Seed 001: one repo in the bd/ build/ data/ layout.
import { kinds, presets, version } from '../templates.js';
import { renderGroup } from '../render-group.js';
import { newSecret } from '../secrets.js';
import { appendMissingVars } from '../dotenv.js';
import { buildStackView } from '../stack-view.js';
import { migrateService } from './compose-migrate.js';
import { FileTree } from '../tree.js';
import type { StackSpec } from '../spec.js';
import type { PresetOutput } from './types.js';

const PRESET = 'bd-build-data';

export function planBdBuildData(spec: StackSpec): PresetOutput {
  const tree = new FileTree();
  const stack = buildStackView(spec, kinds, version);
  const migrate = migrateService(spec, stack);
  const userOwned = presets[PRESET]!.userOwned;
  const secrets = Object.fromEntries(stack.dotenv.filter((v) => v.secret).map((v) => [v.name, newSecret()]));

  renderGroup(tree, { prefix: `${PRESET}/root/`, context: { ...stack, secrets, stack, migrate }, userOwned });
  // backup.sh and restore.sh, when a service has a database to back up.
  if (stack.statefulServices.some((s) => s.backup)) renderGroup(tree, { prefix: `${PRESET}/backups/`, context: { ...stack, stack }, userOwned });
  for (const svc of stack.services) {
    const vars = { __svc__: svc.name };
    const ctx = { ...svc, stack };
    renderGroup(tree, { prefix: `${PRESET}/each-service/`, context: ctx, vars, userOwned });
    if (svc.isHttp) renderGroup(tree, { prefix: `${PRESET}/each-http-service/`, context: ctx, vars, userOwned });
    if (svc.isStateful) renderGroup(tree, { prefix: `${PRESET}/each-stateful-service/`, context: ctx, vars, userOwned });
    renderGroup(tree, { prefix: `kinds/${svc.kind}/files/`, context: ctx, vars, userOwned });
  }
  // Secrets never leave this machine: .env is private to its owner.
  const env = tree.files.get('.env');
  if (env) {
    env.mode = 0o600;
    // A kept .env still gets the variables (and fresh secrets) of services added since.
    env.merge = (existing) => appendMissingVars(existing, env.content);
  }
  return { repos: [{ name: spec.name, tree }], layerRepo: 0, stack };
}
