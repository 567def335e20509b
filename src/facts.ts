// Facts about container images that generation (templates/kinds) and `check` share: which image
// family an image belongs to, which commands exist in it, its default port, whether it drops root
// itself. One table; test/check-facts.test.ts proves every kind agrees with it.

export interface ImageFamily {
  /** Family name (postgres, redis, python, …). */
  name: string;
  /** Repository names (without registry and tag) that belong to the family. */
  match: RegExp;
  /** Commands every image of the family has (beyond the shell of its base). */
  commands: string[];
  /** The command its health check should use, for the message of a wrong one. */
  health?: string;
  /** The port its server listens on. */
  port?: number;
  /** A database or store: its port is never published on all interfaces. */
  database?: boolean;
  /** The image's entrypoint drops root by itself (gosu/su-exec), so no USER is needed. */
  dropsRoot?: boolean;
  /** Users the image ships, by name: their uid (a Dockerfile's `USER node` is uid 1000). */
  users?: Record<string, number>;
}

export const IMAGE_FAMILIES: ImageFamily[] = [
  { name: 'postgres', match: /^(?:postgres|postgis\/postgis|bitnami\/postgresql|timescale\/timescaledb)$/, commands: ['pg_isready', 'psql', 'postgres'], health: 'pg_isready', port: 5432, database: true, dropsRoot: true },
  { name: 'mysql', match: /^(?:mysql|bitnami\/mysql)$/, commands: ['mysqladmin', 'mysql'], health: 'mysqladmin ping', port: 3306, database: true, dropsRoot: true },
  { name: 'mariadb', match: /^(?:mariadb|bitnami\/mariadb)$/, commands: ['healthcheck.sh', 'mariadb-admin', 'mariadb'], health: 'healthcheck.sh --connect --innodb_initialized', port: 3306, database: true, dropsRoot: true },
  { name: 'redis', match: /^(?:redis|bitnami\/redis|redis\/redis-stack(?:-server)?)$/, commands: ['redis-cli', 'redis-server'], health: 'redis-cli ping', port: 6379, database: true, dropsRoot: true },
  { name: 'valkey', match: /^valkey\/valkey$/, commands: ['valkey-cli', 'redis-cli'], health: 'valkey-cli ping', port: 6379, database: true, dropsRoot: true },
  // mongo ≥ 6 ships mongosh only; the legacy `mongo` shell is gone.
  { name: 'mongo', match: /^(?:mongo|bitnami\/mongodb|mongodb\/mongodb-community-server)$/, commands: ['mongosh', 'mongod'], health: "mongosh --quiet --eval \"db.adminCommand('ping').ok\"", port: 27017, database: true, dropsRoot: true },
  { name: 'elasticsearch', match: /^(?:elasticsearch|elasticsearch\/elasticsearch|docker\.elastic\.co\/elasticsearch\/elasticsearch)$/, commands: ['curl'], port: 9200, database: true },
  { name: 'memcached', match: /^memcached$/, commands: [], port: 11211, database: true },
  { name: 'couchdb', match: /^couchdb$/, commands: ['curl'], port: 5984, database: true, dropsRoot: true },
  { name: 'mssql', match: /^(?:mcr\.microsoft\.com\/)?mssql\/server$/, commands: [], port: 1433, database: true },
  { name: 'cassandra', match: /^cassandra$/, commands: ['cqlsh', 'nodetool'], port: 9042, database: true, dropsRoot: true },
  { name: 'influxdb', match: /^influxdb$/, commands: ['influx', 'curl'], port: 8086, database: true },
  { name: 'rabbitmq', match: /^rabbitmq$/, commands: ['rabbitmq-diagnostics', 'rabbitmqctl'], health: 'rabbitmq-diagnostics -q ping', port: 5672, dropsRoot: true },
  { name: 'python', match: /^python$/, commands: ['python', 'python3', 'pip'] },
  { name: 'node', match: /^node$/, commands: ['node', 'npm'], users: { node: 1000 } },
  // nginx-unprivileged is alpine/debian like nginx; busybox wget in the alpine tags.
  { name: 'nginx', match: /^(?:nginx|nginxinc\/nginx-unprivileged)$/, commands: ['nginx'], users: { nginx: 101 } },
  { name: 'curl', match: /^curlimages\/curl$/, commands: ['curl'] },
  // The Prometheus project's images are busybox-based: sh and wget, no curl.
  { name: 'prometheus', match: /^prom\/(?:prometheus|alertmanager|pushgateway|node-exporter|blackbox-exporter)$/, commands: ['sh', 'wget'] },
  // grafana and grafana-oss tags are Alpine-based unless tagged -ubuntu.
  { name: 'grafana', match: /^grafana\/grafana(?:-oss|-enterprise)?$/, commands: ['sh', 'wget'], port: 3000 },
  // FROM scratch: no shell and no HTTP client for a health check.
  { name: 'nginx-exporter', match: /^nginx\/nginx-prometheus-exporter$/, commands: [], port: 9113 },
];

/** Ports of databases and stores: published on 127.0.0.1 only, never on every interface. */
export const DATABASE_PORTS = new Set(
  [...IMAGE_FAMILIES.filter((f) => f.database && f.port).map((f) => f.port!), 5433, 33060, 6380, 27018, 27019, 9300, 7000, 7001, 26257, 8529, 28015],
);

export interface ImageRef {
  /** Registry host, when the reference names one. */
  registry: string;
  /** Repository without registry (`library/` dropped): postgres, bitnami/redis. */
  repo: string;
  tag: string | null;
  digest: string | null;
}

/** Splits `[registry/]repo[:tag][@digest]`. */
export function parseImage(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry = '';
  const first = rest.split('/')[0]!;
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    rest = rest.slice(first.length + 1);
  }
  if (rest.startsWith('library/')) rest = rest.slice('library/'.length);
  return { registry, repo: rest, tag, digest };
}

export function familyOf(image: string): ImageFamily | null {
  const ref = parseImage(image);
  const full = ref.registry ? `${ref.registry}/${ref.repo}` : ref.repo;
  return IMAGE_FAMILIES.find((f) => f.match.test(ref.repo) || f.match.test(full)) ?? null;
}

/** `-slim` and `-alpine` tags (and busybox/distroless bases) carry no curl. */
export function isMinimalTag(image: string): 'slim' | 'alpine' | null {
  const { tag, repo } = parseImage(image);
  if (repo === 'alpine' || /(^|[-.])alpine/.test(tag ?? '')) return 'alpine';
  if (/(^|[-.])slim/.test(tag ?? '')) return 'slim';
  return null;
}

/** Commands any image of this kind of base has: a shell, plus busybox's applets on alpine. */
const BASE_COMMANDS: Record<'alpine' | 'slim' | 'full', string[]> = {
  alpine: ['sh', 'wget', 'nc', 'grep', 'test', 'cat', 'pgrep'],
  slim: ['sh', 'bash', 'grep', 'test', 'cat'],
  full: ['sh', 'bash', 'grep', 'test', 'cat', 'curl', 'wget'],
};
/** Commands a minimal image lacks unless the family adds them. */
const ABSENT_IN: Record<'alpine' | 'slim', string[]> = { alpine: ['curl', 'bash'], slim: ['curl', 'wget'] };

export type Presence = 'yes' | 'no' | 'unknown';

/** Whether `cmd` exists in `image`: from the family's commands and what its base carries. */
export function commandIn(image: string, cmd: string): Presence {
  const name = cmd.split('/').pop()!;
  const fam = familyOf(image);
  if (fam?.commands.includes(name)) return 'yes';
  const minimal = isMinimalTag(image);
  // Official database images are Debian-based unless tagged alpine; their shells are there.
  const base = BASE_COMMANDS[minimal ?? 'full'];
  if (base.includes(name) && (minimal || fam)) return 'yes';
  if (minimal && ABSENT_IN[minimal].includes(name)) return 'no';
  // A database family's client tools are the only ones it is known to have: another family's are absent.
  if (fam?.database) {
    const otherTool = IMAGE_FAMILIES.some((f) => f !== fam && f.database && f.commands.includes(name) && !['curl'].includes(name));
    if (otherTool || name === 'mongo') return 'no';
  }
  return 'unknown';
}

/** The program a health check runs: the first word of CMD, or of CMD-SHELL after VAR=value assignments. */
export function healthProgram(test: unknown): string | null {
  let argv: string[];
  if (typeof test === 'string') argv = ['CMD-SHELL', test];
  else if (Array.isArray(test)) argv = test.map(String);
  else return null;
  const [mode, ...rest] = argv;
  if (mode === 'NONE') return null;
  if (mode === 'CMD') return rest[0] ?? null;
  if (mode !== 'CMD-SHELL') return argv[0] ?? null;
  const words = (rest.join(' ').match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []).filter((w) => w !== 'exec');
  for (const w of words) if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) return w.replace(/^["']|["']$/g, '');
  return null;
}
