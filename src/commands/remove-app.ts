// `create-stack remove app <app-name> --server <infra-repo>`: the app leaves the server; both repos
// change in one apply.
import { UserError } from '../errors.js';
import { runPlan } from '../engine.js';
import { formatDryRun, formatSummary, summaryJson } from '../report.js';
import type { StackSpec } from '../spec.js';
import { parseFlags } from './args.js';

interface Flags {
  server?: string;
  'dry-run'?: boolean;
  json?: boolean;
  help?: boolean;
}

export const REMOVE_APP_HELP = `Usage: create-stack remove app <app-name> --server <infra-repo> [--dry-run] [--json]

  Takes the app's Traefik labels and traefik-public network out of its compose file, puts back what
  add app took (published ports, expose, a base path), removes its file-provider routes, and
  rewrites the server's inventory and docs. The app's own services, data and code are not touched.
`;

export async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags<Flags>(argv, { server: { type: 'string' } }, 'remove app');
  if (flags.help) {
    process.stdout.write(REMOVE_APP_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UserError('argument-extra', `unexpected arguments: ${positionals.slice(1).join(' ')}`, 'name one app');
  const { planRemoveApp } = await import('../server/remove-app.js');
  const { plan, record } = await planRemoveApp(positionals[0], flags.server);
  const result = runPlan(plan, { force: true, dryRun: flags['dry-run'], edited: 'overwrite' });
  const spec = { name: record.name, preset: 'server', services: [], with: [] } as unknown as StackSpec;
  if (flags.json) process.stdout.write(JSON.stringify({ ...summaryJson(spec, result, []), removed: record.name }, null, 2) + '\n');
  else if (flags['dry-run']) process.stdout.write(await formatDryRun(result));
  else process.stdout.write(formatSummary(spec, result, []) + `\n${record.name} has left the server.\n`);
  return 0;
}
