// `create-stack remove <what>`: `remove app` is a command of its own module; the others are not built yet.
import { UserError } from '../errors.js';

const SUBCOMMANDS: Record<string, () => Promise<{ run: (argv: string[]) => Promise<number> }>> = {
  app: () => import('./remove-app.js'),
};

export async function run(argv: string[]): Promise<number> {
  const sub = SUBCOMMANDS[argv[0] ?? ''];
  if (sub) return (await sub()).run(argv.slice(1));
  throw new UserError('command-not-built', `create-stack remove ${argv[0] ?? ''} is not built yet`.trimEnd(), 'create-stack remove app <app-name> --server <infra-repo> exists');
}
