// `create-stack remove app`: reserved; not built yet.
import { UserError } from '../errors.js';

export async function run(): Promise<number> {
  throw new UserError('command-not-built', 'create-stack remove app is not built yet', 'see create-stack help for the commands that exist');
}
