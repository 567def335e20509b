// `create-stack remove <what>`: `remove service` and `remove app` are commands of their own modules.
import { UserError } from '../errors.js';

const SUBCOMMANDS: Record<string, () => Promise<{ run: (argv: string[]) => Promise<number> }>> = {
  service: () => import('./remove-service.js'),
  app: () => import('./remove-app.js'),
};

export async function run(argv: string[]): Promise<number> {
  const sub = SUBCOMMANDS[argv[0] ?? ''];
  if (sub) return (await sub()).run(argv.slice(1));
  if (argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write('Usage: create-stack remove service <name>... [--repo <dir>] [--dry-run] [--force] [--json]\n       create-stack remove app ...\n');
    return 0;
  }
  throw new UserError('remove-what', `remove takes what to remove: ${Object.keys(SUBCOMMANDS).join(' or ')}${argv[0] ? ` (not ${JSON.stringify(argv[0])})` : ''}`, 'run create-stack remove service <name>');
}
