// Seed 003: the deploy layer. Multi-stage images, kustomize base + overlays with blue-green
// production, a Helm chart, GitHub Actions CI/CD, a Makefile, migrations, monitoring and runbooks,
// rendered from templates/k8s/ on top of any stack (the repo that takes layers).
import { ACTIONS } from '../actions.js';
import { UserError } from '../errors.js';
import { renderGroup } from '../render-group.js';
import { render } from '../render.js';
import type { StackView } from '../stack-view.js';
import type { FileTree } from '../tree.js';
import { MIGRATE_UID } from './deploy-kinds.js';
import { buildDeployView } from './deploy-view.js';
import { grafanaDashboard } from './deploy-dashboard.js';

/** Written only when missing: the user's own schema history. */
const USER_OWNED = ['migrations/*'];

const COLORS = ['blue', 'green'] as const;

export function planDeployLayer(tree: FileTree, stack: StackView): void {
  if (stack.appServices.length === 0) {
    throw new UserError(
      'deploy-needs-app',
      'the deploy layer builds, ships and rolls out app services, and this stack has none',
      'add one, e.g. --service api:fastapi, or drop --with deploy',
    );
  }
  const view = buildDeployView(stack);
  const root = {
    ...view,
    migrateUid: MIGRATE_UID,
    /** Pinned third-party actions of the workflows (src/actions.ts, shared with the platform preset). */
    actions: ACTIONS,
    secretKeyNames: view.secrets.map((s) => s.key),
    dashboardJson: JSON.stringify(grafanaDashboard(view), null, 2),
  };
  const vars = { __name__: view.name };

  renderGroup(tree, { prefix: 'k8s/root/', context: root, vars, userOwned: USER_OWNED });
  // Per service: its Service (each-app/, each-stateful/); the app Deployment is a part, because
  // production renders it twice more, as the blue and the green side.
  for (const svc of view.apps) {
    renderGroup(tree, { prefix: 'k8s/each-app/', context: { ...root, svc }, vars: { ...vars, __svc__: svc.name } });
    tree.add(`deploy/kubernetes/base/${svc.name}-deployment.yaml`, render('k8s/parts/deployment.yaml', { ...root, svc, color: null }));
  }
  for (const svc of view.stateful) {
    renderGroup(tree, { prefix: 'k8s/each-stateful/', context: { ...root, svc }, vars: { ...vars, __svc__: svc.name } });
  }
  for (const env of view.envs) {
    const into = `deploy/kubernetes/overlays/${env.name}`;
    renderGroup(tree, { prefix: 'k8s/overlay/', context: { ...root, env }, vars, into });
    if (!env.blueGreen) continue;
    for (const svc of view.httpApps) {
      for (const color of COLORS) tree.add(`${into}/${svc.name}-${color}.yaml`, render('k8s/parts/deployment.yaml', { ...root, svc, color }));
      tree.add(`${into}/${svc.name}-preview-service.yaml`, render('k8s/parts/preview-service.yaml', { ...root, svc }));
    }
  }
}
