// What the server's inventory holds. Routes are never kept by hand: they are read back from the
// Traefik labels of the app repos and the file-provider files of the infra repo (src/server/derive.ts).
import type { HttpsMode } from '../presets/server-spec.js';

export const NETWORK = 'traefik-public';
export const CERT_RESOLVER = 'letsencrypt';
export const TRAEFIK_IMAGE = 'traefik:v3.3.5';
/** The Docker API filter Traefik reads containers through (HAProxy: only the GET calls allowed below). */
export const SOCKET_PROXY_IMAGE = 'tecnativa/docker-socket-proxy:0.3.0';
export const ENTRYPOINTS = ['web', 'websecure'] as const;
export type EntryPoint = (typeof ENTRYPOINTS)[number];

/** Paths the Traefik dashboard and its API answer on: no app may route them or a prefix above them. */
export const RESERVED_PREFIXES = [
  '/dashboard',
  '/api/overview',
  '/api/entrypoints',
  '/api/http',
  '/api/tcp',
  '/api/udp',
  '/api/version',
  '/api/rawdata',
  '/api/support-dump',
];
/** Names the infra repo's own dynamic config uses. */
export const RESERVED_NAMES = ['dashboard', 'dashboard-auth', 'api'];

export interface ServerInfo {
  name: string;
  /** The host rules match on: --domain, else --ip, else none (rules match any host). */
  host: string | null;
  domain?: string;
  ip?: string;
  https: HttpsMode;
  acmeEmail?: string;
}

export interface Route {
  app: string;
  /** Traefik router name (unique on the server). */
  router: string;
  /** The app's service (compose service name, or the name given to a host-network service). */
  service: string;
  /** Traefik service and middleware names the router uses. */
  traefikService: string;
  middlewares: string[];
  prefix: string | null;
  strip: boolean;
  entrypoints: string[];
  host: string | null;
  rule: string;
  priority: number | null;
  provider: 'docker' | 'file';
  /** docker: the container port Traefik forwards to; file: the URL. */
  port: number | null;
  url: string | null;
  /** File (relative to its repo) the route was read from. */
  source: string;
}

/** What add app changed in a service besides labels and networks, so remove app can put it back. */
export interface UndoEntry {
  service: string;
  /** Published ports add app took away, by the file (relative to the repo) that held them. */
  ports?: Array<{ file: string; ports: string[]; movedTo?: string; before?: string; quoted?: boolean }>;
  /** The port add app added to `expose` (absent when the service exposed it already). */
  exposed?: number;
  /** An environment variable add app set (a base path), with the value it had before (null: none). */
  env?: { key: string; previous: string | null };
}

export type AppOrigin = 'bd-build-data' | 'app-support' | 'compose' | 'host';

export interface AppService {
  name: string;
  port: number | null;
  /** traefik: reached through traefik-public only; host: on the host network; internal: inside the app's network; published: a host port. */
  access: 'traefik' | 'host' | 'internal' | 'published';
  published: string[];
  image: string | null;
  kind: string | null;
  database: boolean;
  /** Volumes as the backup sees them: named (Compose adds the project prefix) or a path in the repo. */
  volumes: Array<{ type: 'volume' | 'bind'; source: string }>;
}

/** An app as the registry of inventory.yaml records it (its routes are derived, not stored). */
export interface AppRecord {
  name: string;
  /** Directory of the repo that holds the labels, relative to the infra repo. */
  repo: string;
  /** Repo the user named when adding it (app-support: the app repo; its labels live in the support repo). */
  source: string;
  /** Compose file with the labels, relative to `repo`; null when every route is host-network. */
  file: string | null;
  origin: AppOrigin;
  /** The Compose project name (what prefixes its named volumes). */
  project: string | null;
  undo?: UndoEntry[];
}

export interface AppState extends AppRecord {
  routes: Route[];
  services: AppService[];
  /** External networks and volumes it declares (besides traefik-public): what it shares with other apps. */
  shared: string[];
}

export interface InfraState {
  server: ServerInfo;
  apps: AppState[];
  /** The infra repo's own routes (the dashboard). */
  own: Route[];
}
