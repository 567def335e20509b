// Runtime facts of each kind's image that Kubernetes needs, read from the `k8s:` section of its
// kind.yaml: the numeric user an image runs as (runAsNonRoot needs a number to check), and how a
// stateful image is started without the config files Compose mounts from data/.
import type { EnvEntry, ServiceView, StackView } from '../stack-view.js';

/** golang-migrate, the base of the migrations image (pinned). */
export const MIGRATE_IMAGE = 'migrate/migrate:v4.18.1';
/** User of the migrations image: migrate/migrate runs as root by default; nothing in it needs root. */
export const MIGRATE_UID = 65532;

/** The PostgreSQL service migrations/ targets: the first one an app talks to; null when there is none. */
export function migrationsDb(stack: StackView): ServiceView | null {
  return stack.statefulServices.find((s) => s.kind === 'postgres' && stack.appServices.some((a) => a.deps.includes(s.name))) ?? null;
}

/** How deploy/docker/Dockerfile builds an app kind. */
export type Flavor = 'python' | 'node' | 'nginx';

export interface AppRuntime {
  flavor: Flavor;
  uid: number;
  gid: number;
  keepEntrypoint: boolean;
}

export interface StatefulRuntime {
  uid: number;
  gid: number;
  /** Extra variables (Compose-style values) the image needs in Kubernetes. */
  env: EnvEntry[];
  /** Container args replacing the Compose command (which reads config files from data/). */
  args: string[] | null;
  /** Files of data/<svc>/config the pod reads from a ConfigMap (it then runs the Compose command). */
  config: string[];
  /** First-start scripts of build/<svc>/ (`as`: their name in /docker-entrypoint-initdb.d/), from a ConfigMap. */
  initdb: Array<{ file: string; as: string }>;
  /** Writable paths besides the data directory (emptyDir volumes): /tmp, then the kind's own. */
  writable: string[];
}

function k8sOf(svc: ServiceView) {
  if (!svc.k8s) throw new Error(`internal: kind ${svc.kind} has no k8s: section in its kind.yaml, so the deploy layer cannot run it`);
  return svc.k8s;
}

export function appRuntime(svc: ServiceView): AppRuntime {
  const k = k8sOf(svc);
  if (!k.flavor) throw new Error(`internal: kind ${svc.kind} has no k8s.flavor in its kind.yaml, so the deploy layer cannot build it`);
  return { flavor: k.flavor, uid: k.uid, gid: k.gid, keepEntrypoint: k.keepEntrypoint ?? false };
}

export function statefulRuntime(svc: ServiceView): StatefulRuntime {
  const k = k8sOf(svc);
  return { uid: k.uid, gid: k.gid, env: k.env ?? [], args: k.args ?? null, config: k.config ?? [], initdb: k.initdb ?? [], writable: [...new Set(['/tmp', ...(k.writable ?? [])])] };
}
