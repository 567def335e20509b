// Flag parsing shared by every command: each command declares its own options, unknown ones are exit 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command understands. */
export const COMMON: Options = {
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export function parseFlags<T>(argv: string[], options: Options, command: string): { flags: T; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...COMMON, ...options } });
    return { flags: values as T, positionals };
  } catch (err) {
    throw new UserError('option-unknown', (err as Error).message.replace(/\. To specify.*$/s, ''), `run create-stack ${command} --help for its options`);
  }
}
