/**
 * A service kind is data: templates/kinds/<kind>/kind.yaml plus its templates.
 * The build step turns every kind.yaml into JSON; this is its shape.
 */
export interface KindEnvVar {
  /** Name of the variable inside the container. */
  var: string;
  /** Variable of .env it is read from; `{{ENV}}` is the service's env prefix (api → API). */
  from?: string;
  /** Default (or literal when there is no `from`); `{{service}}`, `{{stack_id}}`, `{{ENV}}` are substituted. */
  value?: string;
  /** Generated as 32 random bytes (base64url) into .env; `${VAR:?}` in production. */
  secret?: boolean;
  description: string;
}

export interface KindBackup {
  /** File extension of a backup: db-20260101T000000Z.<ext>. */
  ext: string;
  /** Writes the backup on stdout, in the running container. */
  dump: string;
  /** Reads a backup on stdin, in the running container. */
  restore?: string;
  /** Reads a backup on stdin, in a one-off container of the stopped service (a snapshot loaded at start). */
  restoreStopped?: string;
}

export interface KindManifest {
  name: string;
  description: string;
  /** `app` services are built from data/ code; `stateful` ones keep data under bd/. */
  role: 'app' | 'stateful';
  /** Base image of build/<svc>/Dockerfile, pinned by tag. */
  image: string;
  /** Container port, or null for services that listen on nothing (workers). */
  port: number | null;
  /** HTTP health path the monitor script checks; null when the kind is not HTTP. */
  healthPath: string | null;
  /** HTTP readiness path (dependencies reachable), when the kind's code serves one. */
  readyPath?: string | null;
  metricsPath: string | null;
  /** Compose healthcheck `test`; uses only commands that exist inside `image`. `{{port}}` is substituted. */
  healthcheck: string[];
  /** Where a stateful kind keeps its data inside the container (mounted from bd/<svc>-data). */
  dataDir?: string;
  /** Published in production as well (the way in); other app services publish in development only. */
  edge?: boolean;
  /** Backup and restore commands, run with `sh -c` inside the service's container (data/scripts/backup.sh). */
  backup?: KindBackup;
  /** Connection URL given to app services (compose interpolation from .env), e.g. postgresql://… */
  url?: string;
  env: KindEnvVar[];
  /** Compose `command` in base/prod and in the dev override. */
  command?: string[];
  devCommand?: string[];
  /** Compose `command` when `add service` puts the kind into a repo create-stack did not write (official image, no data/ config mounted). */
  foreignCommand?: string[];
  /** In-memory mounts (`{{service}}` substituted): Compose `tmpfs`, an emptyDir of medium Memory in Kubernetes. */
  tmpfs?: string[];
  /** Where the code lives in the image; the dev override mounts data/<svc>[/codeSubdir] there. */
  codeDir?: string;
  codeSubdir?: string;
  /** false when the kind never talks to the stack's databases (nginx). */
  storeClient?: boolean;
  resources: {
    limits: { cpus: string; memory: string };
    reservations: { cpus: string; memory: string };
  };
  /** What the deploy layer needs to run the image on Kubernetes. */
  k8s?: KindK8s;
  /** Presets the kind's files are made for (they rely on what the preset adds); absent: every preset. */
  presets?: string[];
  /** Language of the code stub, for docs and checks. */
  language?: 'python' | 'node';
}

/** Runtime facts of the kind's image that Kubernetes needs (runAsNonRoot checks a numeric user). */
export interface KindK8s {
  /** Numeric user and group the image runs as. */
  uid: number;
  gid: number;
  /** App kinds: which deploy/docker/Dockerfile stages build it (templates/k8s/parts/dockerfile-<flavor>). */
  flavor?: 'python' | 'node' | 'nginx';
  /** App kinds: keep the image's own ENTRYPOINT (nginx) instead of running `command` directly. */
  keepEntrypoint?: boolean;
  /** Stateful kinds: extra variables the image needs in a pod (Compose-style values). */
  env?: Array<{ key: string; value: string }>;
  /** Stateful kinds: container args replacing the Compose command (which reads files mounted from data/). */
  args?: string[];
  /**
   * Stateful kinds: files of data/<svc>/config the pod reads, rendered from the kind's own templates into
   * a ConfigMap mounted where Compose mounts data/<svc>/config; the pod then runs the Compose `command`.
   */
  config?: string[];
  /**
   * Stateful kinds: first-start scripts of build/<svc>/ that the Compose image (build/<svc>/Dockerfile) copies
   * into /docker-entrypoint-initdb.d/: `file` under build/<svc>/, `as` its name there. Rendered from the same
   * templates into a ConfigMap mounted (executable) at /docker-entrypoint-initdb.d/ in the pod.
   */
  initdb?: Array<{ file: string; as: string }>;
  /**
   * Stateful kinds: paths besides the data directory the image writes to (a socket directory, logs),
   * mounted as emptyDir volumes so the root filesystem can be read-only. /tmp always is.
   */
  writable?: string[];
}
