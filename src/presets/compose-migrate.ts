// The one-shot `migrate` service that Compose files of the bd/build/data layout get with the deploy
// layer (bd-build-data and platform render the same docker-compose.yml template).
import { UserError } from '../errors.js';
import { migrationsDb, MIGRATE_IMAGE, MIGRATE_UID } from '../layers/deploy-kinds.js';
import type { StackView } from '../stack-view.js';
import type { StackSpec } from '../spec.js';

/**
 * With the deploy layer, Compose applies migrations/ too (a one-shot `migrate` service the apps wait
 * for), so the Compose database and the Kubernetes one share one schema history.
 */
export function migrateService(spec: StackSpec, stack: StackView) {
  if (!(spec.with ?? []).includes('deploy')) return null;
  const pg = migrationsDb(stack);
  if (!pg) return null;
  const clash = stack.services.find((s) => s.name === 'migrate');
  if (clash) throw new UserError('service-reserved', 'service name "migrate" is taken by the deploy layer: Compose runs migrations/ with it', `rename the service, e.g. --service migrate-svc:${clash.kind}`);
  const clients = stack.appServices.filter((a) => a.deps.includes(pg.name));
  for (const c of clients) c.after = [...c.after, 'migrate'];
  return {
    image: MIGRATE_IMAGE,
    uid: MIGRATE_UID,
    db: pg.name,
    // Compose interpolations, with the .env defaults the database service itself uses.
    user: pg.environment.find((e) => e.key === 'POSTGRES_USER')!.value,
    password: pg.environment.find((e) => e.key === 'POSTGRES_PASSWORD')!.value,
    database: pg.environment.find((e) => e.key === 'POSTGRES_DB')!.value,
    clients: clients.map((c) => c.name),
    one: clients.length === 1,
  };
}

