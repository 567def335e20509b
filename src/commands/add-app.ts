// `create-stack add app [<app-repo>] --server <infra-repo> --route <svc>=<prefix>[,strip|keep][,web|websecure] ...`:
// an app repo joins a server made by `new --preset server`; both repos change in one apply.
import { UserError } from '../errors.js';
import { runPlan } from '../engine.js';
import { formatDryRun, formatSummary, summaryJson } from '../report.js';
import type { StackSpec } from '../spec.js';
import { parseFlags } from './args.js';

interface Flags {
  server?: string;
  route?: string[];
  host?: string;
  'host-network'?: string[];
  name?: string;
  file?: string;
  force?: boolean;
  'dry-run'?: boolean;
  json?: boolean;
  help?: boolean;
}

export const ADD_APP_HELP = `Usage: create-stack add app [<app-repo>] --server <infra-repo> --route <svc>=<prefix>[,strip|keep][,web|websecure] ...
                            [--host <host>] [--host-network <svc>=<url>] [--name <app>] [--file <compose>]
                            [--dry-run] [--force] [--json]

  <app-repo>                 the app's repo (default: the current directory): a create-stack stack or any Compose repo
  --server <dir>             the infra repo made by create-stack new <name> --preset server
  --route <svc>=<prefix>     route /prefix and what is below it to the service; repeat for more.
                             strip (default): Traefik removes the prefix; keep: the app serves under it.
                             web | websecure: the entry point (default websecure, web when the server has no HTTPS)
  --host <host>              match this host name instead of the server's
  --host-network <svc>=<url> the service runs on the host network or under systemd: Traefik reaches it at <url>
                             (e.g. http://172.17.0.1:8002) through a file-provider route in the infra repo
  --name <app>               the app's name on the server (default: the stack's name, else the repo's directory)
  --file <compose>           the compose file production runs (when the repo has several)
  --force                    replace the routes of an app already on the server
`;

export async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags<Flags>(
    argv,
    {
      server: { type: 'string' },
      route: { type: 'string', multiple: true },
      host: { type: 'string' },
      'host-network': { type: 'string', multiple: true },
      name: { type: 'string' },
      file: { type: 'string' },
      force: { type: 'boolean' },
    },
    'add app',
  );
  if (flags.help) {
    process.stdout.write(ADD_APP_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UserError('argument-extra', `unexpected arguments: ${positionals.slice(1).join(' ')}`, 'give one app repo; route its services with --route');
  const { planAddApp } = await import('../server/add-app.js');
  const { plan, app } = await planAddApp({
    appDir: positionals[0] ?? '.',
    serverDir: flags.server ?? '',
    routes: flags.route ?? [],
    host: flags.host,
    hostNetwork: flags['host-network'] ?? [],
    name: flags.name,
    file: flags.file,
    force: flags.force,
  });
  const result = runPlan(plan, { force: true, dryRun: flags['dry-run'], edited: 'overwrite' });
  const spec = { name: app.name, preset: 'server', services: [], with: [] } as unknown as StackSpec;
  if (flags.json) {
    process.stdout.write(JSON.stringify({ ...summaryJson(spec, result, []), app: { name: app.name, routes: app.routes } }, null, 2) + '\n');
    return 0;
  }
  if (flags['dry-run']) {
    process.stdout.write(await formatDryRun(result));
    return 0;
  }
  process.stdout.write(formatSummary(spec, result, []));
  process.stdout.write(`\n${app.name} is on the server:\n`);
  for (const r of app.routes) {
    process.stdout.write(`  ${r.prefix}  →  ${r.service}${r.url ? ` (${r.url})` : `:${r.port}`}  ${r.strip ? 'strip' : 'keep'}  ${r.entrypoints.join(',')}\n`);
  }
  process.stdout.write('\nNext: deploy the app with its production compose file (it joins traefik-public), then scripts/status.sh on the server.\n');
  return 0;
}
