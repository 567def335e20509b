// The argv door: picks the command (src/commands/registry.ts) and turns every failure into an exit code.
import { UserError } from './errors.js';
import { version } from './templates.js';
import { COMMANDS } from './commands/registry.js';
import { recoverAround, writes } from './commands/recover.js';

export async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (argv.length === 1 && (first === '-v' || first === '-V' || first === '--version')) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (argv.length === 0 || (argv.length === 1 && (first === '-h' || first === '--help'))) {
    return (await COMMANDS.help!()).run([]);
  }
  // `create-stack <name> ...` is `new`; a command name is never taken for a stack name.
  const command = first !== undefined && Object.hasOwn(COMMANDS, first) ? first : 'new';
  const rest = command === first ? argv.slice(1) : argv;
  if (writes(command, rest)) recoverAround(rest);
  return (await COMMANDS[command]!()).run(rest);
}

const argv = process.argv.slice(2);

function fail(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`${err.format()}\n`);
    // A program reading --json output gets the error there too.
    if (argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: { rule: err.rule, message: err.message, fix: err.fix ?? null } })}\n`);
    }
    return 2;
  }
  const e = err as Error;
  if (e?.name === 'ExitPromptError') {
    process.stderr.write('create-stack: cancelled, nothing written\n');
    return 130;
  }
  // One line of cause on every exit 1, whatever was thrown.
  const cause = (e?.message ?? String(err)).split('\n')[0] || e?.name || 'unknown error';
  process.stderr.write(`create-stack: ${cause}\n`);
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ ok: false, error: { rule: 'internal', message: cause, fix: null } })}\n`);
  if (process.env.CREATE_STACK_DEBUG) process.stderr.write(`${e?.stack}\n`);
  return 1;
}

// `create-stack ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
// Apply is synchronous, so these run only once it has finished or not started: never mid-write.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));
main(argv).then(
  (code) => (process.exitCode = code),
  (err) => (process.exitCode = fail(err)),
);
