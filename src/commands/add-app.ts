// `create-stack add app`: reserved; not built yet (see the issue tracker).
import { UserError } from '../errors.js';

export async function run(): Promise<number> {
  throw new UserError('command-not-built', 'create-stack add app is not built yet', 'see create-stack help for the commands that exist');
}
