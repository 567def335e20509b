// Runtime facts of each kind's image that Kubernetes needs and the kind manifests do not carry
// (yet): the numeric user an image runs as (runAsNonRoot needs a number to check), and how a
// stateful image is started without the config files Compose mounts from data/.
// A kind not listed falls back to its language (python/node) or to safe defaults.
import type { EnvEntry, ServiceView } from '../stack-view.js';

/** golang-migrate, the base of the migrations image (pinned). */
export const MIGRATE_IMAGE = 'migrate/migrate:v4.18.1';
/** User of the migrations image: migrate/migrate runs as root by default; nothing in it needs root. */
export const MIGRATE_UID = 65532;

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
}

/** Users created by deploy/docker/Dockerfile (python: 10001) or shipped by the base image (node: 1000, nginx: 101). */
export function appRuntime(svc: ServiceView): AppRuntime {
  if (svc.kind === 'nginx') return { flavor: 'nginx', uid: 101, gid: 101, keepEntrypoint: true };
  if (svc.language === 'node') return { flavor: 'node', uid: 1000, gid: 1000, keepEntrypoint: false };
  if (svc.language === 'python') return { flavor: 'python', uid: 10001, gid: 10001, keepEntrypoint: false };
  throw new Error(`internal: the deploy layer does not know how to build kind ${svc.kind} (language ${svc.language ?? 'none'})`);
}

/** Users of the official images (alpine postgres: 70; redis: 999:1000; mongo: 999). */
export function statefulRuntime(svc: ServiceView): StatefulRuntime {
  switch (svc.kind) {
    case 'postgres':
      // The volume's root holds lost+found: PostgreSQL wants an empty directory of its own.
      return { uid: 70, gid: 70, env: [{ key: 'PGDATA', value: `${svc.dataDir ?? '/var/lib/postgresql/data'}/pgdata` }], args: null };
    case 'redis': {
      const pw = svc.environment.find((e) => e.key === 'REDIS_PASSWORD');
      return { uid: 999, gid: 1000, env: [], args: [...(pw ? ['--requirepass', '$(REDIS_PASSWORD)'] : []), '--appendonly', 'yes'] };
    }
    case 'mongodb':
      return { uid: 999, gid: 999, env: [], args: null };
    default:
      return { uid: 999, gid: 999, env: [], args: null };
  }
}
