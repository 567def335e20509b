// Seed 000: an application repo and its sibling <name>-support repo, wired to each other by relative paths.
import { ACTIONS } from '../actions.js';
import { MIGRATE_IMAGE, MIGRATE_UID } from '../layers/deploy-kinds.js';
import { kinds, presets, version } from '../templates.js';
import { render } from '../render.js';
import { renderGroup } from '../render-group.js';
import { buildStackView, healthcheckArgv, type DotEnvVar, type ServiceView } from '../stack-view.js';
import { cpuQuantity, mebi, memoryQuantity, milli } from '../quantities.js';
import { FileTree } from '../tree.js';
import { DEFAULT_APP_KIND, DEFAULT_DB_MEMORY, parseMemory, SUPPORT_SUFFIX, type StackSpec } from '../spec.js';
import type { KindManifest } from '../kind.js';
import { composeMemory, k8sMemory, pgTuning } from './app-support-pgtune.js';
import type { PresetOutput } from './types.js';

const PRESET = 'app-support';
const T = `${PRESET}/`;

/** How the app of each kind is laid out and started in the app repo (seed 000's layout, not bd/build/data). */
interface AppLayout {
  language: 'python' | 'node';
  command: (port: number | null) => string[];
  devCommand: (port: number | null) => string[];
  /** Numeric user the image runs as (Kubernetes checks runAsNonRoot against it). */
  uid: number;
}

const LAYOUTS: Record<string, AppLayout> = {
  fastapi: {
    language: 'python',
    command: (port) => ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', String(port)],
    devCommand: (port) => ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', String(port), '--reload'],
    uid: 10001,
  },
  worker: {
    language: 'python',
    command: () => ['python', '-m', 'app.main'],
    devCommand: () => ['python', '-m', 'app.main'],
    uid: 10001,
  },
  node: {
    language: 'node',
    command: () => ['node', 'src/server.js'],
    devCommand: () => ['node', '--watch', 'src/server.js'],
    // The official node image's "node" user.
    uid: 1000,
  },
};

/** Text indented for a YAML block scalar; blank lines stay empty (no trailing spaces). */
function indent(text: string, by: number): string {
  const pad = ' '.repeat(by);
  return text
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : pad + line))
    .join('\n');
}

function appEnv(kind: KindManifest, id: string): Array<{ key: string; value: string }> {
  const subst = (s: string) => s.replace(/\{\{service\}\}/g, 'app').replace(/\{\{stack_id\}\}/g, id).replace(/\{\{ENV\}\}/g, 'APP');
  return kind.env.map((e) => ({ key: e.var, value: subst(e.value ?? '') }));
}

/**
 * What layers see of the database, as database/ runs it: the owner `<id>_admin` (migrations connect
 * as it), and the app connecting as `<id>_app`, the role database/init/00_init.sql creates from
 * APP_DB_USER and APP_DB_PASSWORD with rights on rows only.
 */
function leastPrivilege(dotenv: DotEnvVar[], app: ServiceView, pg: ServiceView, db: { owner: string; appUser: string }): void {
  const user = `${pg.ENV}_USER`;
  const owner = dotenv.find((v) => v.name === user);
  if (owner) owner.value = db.owner;
  pg.environment = pg.environment.map((e) => (e.key === 'POSTGRES_USER' ? { key: e.key, value: `\${${user}:-${db.owner}}` } : e));
  dotenv.push(
    { name: 'APP_DB_USER', value: db.appUser, secret: false, description: "the application's least-privilege role (database/init/00_init.sql creates it)" },
    { name: 'APP_DB_PASSWORD', value: '', secret: true, description: 'password of that role' },
  );
  pg.environment.push(
    { key: 'APP_DB_USER', value: `\${APP_DB_USER:-${db.appUser}}` },
    { key: 'APP_DB_PASSWORD', value: '${APP_DB_PASSWORD:?APP_DB_PASSWORD must be set}' },
  );
  const url = `postgresql://\${APP_DB_USER}:\${APP_DB_PASSWORD}@${pg.name}:5432/\${${pg.ENV}_DATABASE}`;
  app.environment = app.environment.map((e) => (e.key === `${pg.ENV}_URL` ? { key: e.key, value: url } : e));
  app.environment.push({ key: 'DATABASE_URL', value: url });
}

export function planAppSupport(spec: StackSpec): PresetOutput {
  const appKind = spec.appKind ?? DEFAULT_APP_KIND;
  const dbMemory = spec.dbMemory ?? DEFAULT_DB_MEMORY;
  const memoryMB = parseMemory(dbMemory);
  const layout = LAYOUTS[appKind];
  if (memoryMB === null || !layout) throw new Error(`internal: app-support spec was not validated (${appKind}, ${dbMemory})`);

  // What other layers (--with deploy) see: an app service and a PostgreSQL service.
  const stack = buildStackView(
    { ...spec, appKind, dbMemory, services: [{ name: 'app', kind: appKind }, { name: 'db', kind: 'postgres' }] },
    kinds,
    version,
  );
  const appView = stack.services[0]!;
  const dbView = stack.services[1]!;
  const kind = kinds[appKind]!;
  // The app of this preset starts and connects its own way; layers must build and run it the same.
  appView.command = layout.command(kind.port);
  appView.devCommand = layout.devCommand(kind.port);
  const pgKind = kinds.postgres!;
  const name = spec.name;
  const id = stack.id;
  const supportName = `${name}${SUPPORT_SUFFIX}`;
  const db = { name: id, owner: `${id}_admin`, appUser: `${id}_app`, devUser: id, devPassword: 'dev_password' };
  const tuning = pgTuning(memoryMB);
  leastPrivilege(stack.dotenv, appView, dbView, db);
  // The deploy layer's db gets database/'s memory (postgresql.conf is tuned for it) and /dev/shm.
  const mem = composeMemory(memoryMB);
  dbView.resources = { limits: { cpus: '2.00', memory: mem }, reservations: { cpus: '0.50', memory: mem } };
  dbView.shmMB = tuning.shmMB;

  const ctx = {
    name,
    supportName,
    id,
    version,
    appKind,
    isPython: layout.language === 'python',
    isNode: layout.language === 'node',
    isFastapi: appKind === 'fastapi',
    isWorker: appKind === 'worker',
    // From the support repo's root, and from its database/ and kubernetes/ folders, to the app repo.
    appRel: `../${name}`,
    appFromDatabase: `../../${name}`,
    appFromKubernetes: `../../${name}`,
    namespace: name,
    secretName: `${name}-secrets`,
    spec: { appKind, dbMemory, with: spec.with },
    // With the deploy layer, migrations/ builds the schema everywhere: Kubernetes and both Compose files.
    migrations: (spec.with ?? []).includes('deploy') ? { image: MIGRATE_IMAGE, uid: MIGRATE_UID } : null,
    db,
    app: {
      image: kind.image,
      port: kind.port,
      isHttp: appView.isHttp,
      healthPath: kind.healthPath,
      readyPath: kind.readyPath ?? kind.healthPath,
      healthcheck: kind.healthcheck,
      dockerHealthcheck: appView.dockerHealthcheck,
      probeExec: healthcheckArgv(kind.healthcheck),
      command: layout.command(kind.port),
      devCommand: layout.devCommand(kind.port),
      uid: layout.uid,
      env: appEnv(kind, id),
      resources: kind.resources,
      k8sResources: {
        requests: { cpu: cpuQuantity(milli(kind.resources.reservations.cpus)), memory: memoryQuantity(mebi(kind.resources.reservations.memory)) },
        limits: { cpu: cpuQuantity(milli(kind.resources.limits.cpus)), memory: memoryQuantity(mebi(kind.resources.limits.memory)) },
      },
      pipelineCmd: layout.language === 'python' ? 'python run_pipeline.py' : 'node run_pipeline.js',
      queryCmd: layout.language === 'python' ? 'python query_insights.py' : 'node query_insights.js',
      addProjectCmd: layout.language === 'python' ? 'python add_project.py' : 'node add_project.js',
      testCmd: layout.language === 'python' ? 'python -m pytest tests/' : 'npm test',
    },
    pg: {
      ...tuning,
      image: pgKind.image,
      major: /^postgres:(\d+)/.exec(pgKind.image)?.[1] ?? '16',
      memory: dbMemory,
      k8sMemory: k8sMemory(memoryMB),
      composeMemory: composeMemory(memoryMB),
      healthcheck: pgKind.healthcheck,
      dockerHealthcheck: dbView.dockerHealthcheck,
      probe: ['pg_isready', '-h', '127.0.0.1', '-U', db.owner, '-d', db.name],
    },
    k8s: { storage: '20Gi', postgresqlConf: '', initSql: '' },
    // The app repo's CI: pinned actions, and the runtime version of the app's image (python:3.12.8-… → 3.12.8).
    actions: ACTIONS,
    ci: { runtime: /^[\w.-]+:(\d+(?:\.\d+)*)/.exec(kind.image)?.[1] ?? (layout.language === 'python' ? '3.12' : '22') },
  };
  // Kubernetes gets the very same postgresql.conf and 00_init.sql as database/, inside a ConfigMap.
  const postgresqlConf = render(`${T}support/database/postgresql.conf`, ctx);
  const initSql = render(`${T}support/database/init/00_init.sql`, ctx);
  ctx.k8s.postgresqlConf = indent(postgresqlConf, 4);
  ctx.k8s.initSql = indent(initSql, 4);
  // ...and so does the deploy layer's (--with deploy): this repo writes no data/db/config nor build/db.
  dbView.k8sFiles = {
    config: [{ file: 'postgresql.conf', content: postgresqlConf }],
    initdb: [{ file: '00_init.sql', content: initSql }],
    from: { config: 'database/postgresql.conf', initdb: 'database/init/' },
  };

  const userOwned = presets[PRESET]!.userOwned;
  const app = new FileTree();
  renderGroup(app, { prefix: `${T}app/common/`, context: ctx, userOwned });
  if (layout.language === 'python') renderGroup(app, { prefix: `${T}app/python/`, context: ctx, userOwned });
  renderGroup(app, { prefix: `${T}app/${appKind}/`, context: ctx, userOwned });

  // Layers (--with deploy) start their migrations from the app's own schema.
  const schema = app.files.get('db/create_tables.sql')!.content;
  stack.schema = {
    source: `${name}/db/create_tables.sql`,
    up: schema,
    tables: [...schema.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1]!),
  };

  const support = new FileTree();
  renderGroup(support, { prefix: `${T}support/`, context: ctx, userOwned });
  // cmd.exe wants CRLF line endings.
  const bat = support.files.get('scripts/backup.bat');
  if (bat) bat.content = bat.content.replace(/\r?\n/g, '\r\n');

  return {
    repos: [
      { name, tree: app },
      { name: supportName, tree: support },
    ],
    layerRepo: 1,
    stack,
  };
}
