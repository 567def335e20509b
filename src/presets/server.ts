// Seed 004: the infra repo of one server, Traefik v3 in front of many app repos (create-stack add app).
import { bcrypt } from '../lazy.js';
import { kinds, presets, version } from '../templates.js';
import { renderGroup } from '../render-group.js';
import { newSecret } from '../secrets.js';
import { buildStackView } from '../stack-view.js';
import { FileTree } from '../tree.js';
import type { StackSpec } from '../spec.js';
import type { PresetOutput } from './types.js';
import { httpsMode } from './server-spec.js';
import { renderDerived } from '../server/inventory.js';
import { routesOfFile } from '../server/routes-file.js';
import { CERT_RESOLVER, NETWORK, RESERVED_PREFIXES, SOCKET_PROXY_IMAGE, TRAEFIK_IMAGE, type ServerInfo } from '../server/types.js';

const PRESET = 'server';
export const DASHBOARD_USER = 'admin';
/** bcrypt cost of the dashboard hash (htpasswd -B uses 5; 10 is the common floor for new hashes). */
export const BCRYPT_COST = 10;

export function serverInfo(spec: Pick<StackSpec, 'name' | 'domain' | 'ip' | 'https' | 'acmeEmail'>): ServerInfo {
  return {
    name: spec.name,
    host: spec.domain ?? spec.ip ?? null,
    ...(spec.domain ? { domain: spec.domain } : {}),
    ...(spec.ip ? { ip: spec.ip } : {}),
    https: httpsMode(spec),
    ...(spec.acmeEmail ? { acmeEmail: spec.acmeEmail } : {}),
  };
}

/** The dashboard's rule: its own paths only (so /api/trading stays free for an app). */
export function dashboardRule(host: string | null): string {
  const paths = RESERVED_PREFIXES.map((p) => `Path(\`${p}\`) || PathPrefix(\`${p}/\`)`).join(' || ');
  return host ? `Host(\`${host}\`) && (${paths})` : paths;
}

/** An htpasswd line with a bcrypt hash, `$2y$` as htpasswd -B writes it (Traefik and Apache read both). */
export function htpasswdLine(user: string, password: string): string {
  return `${user}:${bcrypt().hashSync(password, BCRYPT_COST).replace(/^\$2[ab]\$/, '$2y$')}\n`;
}

export function planServer(spec: StackSpec): PresetOutput {
  const server = serverInfo(spec);
  const tree = new FileTree();
  const userOwned = presets[PRESET]!.userOwned;
  const password = newSecret();
  const ctx = {
    name: spec.name,
    version,
    spec,
    https: server.https,
    image: TRAEFIK_IMAGE,
    socketProxyImage: SOCKET_PROXY_IMAGE,
    network: NETWORK,
    certResolver: CERT_RESOLVER,
    acme: server.https !== 'off',
    redirect: server.https === 'redirect',
    acmeEmail: server.acmeEmail,
    hostOrServer: server.host ?? '<this server>',
    dashboard: { user: DASHBOARD_USER, password },
    dashboardRule: dashboardRule(server.host),
    // Basic auth over plain HTTP sends the password in clear: HTTPS whenever the server has it.
    dashboardEntrypoint: server.https === 'off' ? 'web' : 'websecure',
  };
  renderGroup(tree, { prefix: `${PRESET}/root/`, context: ctx, userOwned });
  // Secrets: private to their owner, written once, kept by every later run.
  tree.files.get('.env')!.mode = 0o600;
  tree.add('traefik/dashboard.htpasswd', htpasswdLine(DASHBOARD_USER, password), { mode: 0o600, userOwned: true });
  // Traefik refuses an acme.json others can read; it fills the file itself.
  tree.add('traefik/acme.json', '', { mode: 0o600, userOwned: true });
  const own = routesOfFile('traefik', tree.files.get('traefik/config/dashboard.yml')!.content, 'traefik/config/dashboard.yml');
  for (const [path, content] of renderDerived({ server, apps: [], own })) tree.add(path, content);
  // No services of its own: layers do not apply (the spec refuses --with).
  const stack = buildStackView({ ...spec, services: [] }, kinds, version);
  return { repos: [{ name: spec.name, tree }], layerRepo: 0, stack };
}
