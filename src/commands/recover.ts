// Before a command that writes reads its repo, runs killed while writing near it are finished or
// undone (src/apply.ts recoverInterrupted): otherwise a repo left half-written by a kill could fail
// the command's own checks (no .create-stack.yaml: not-a-stack) and never be repaired.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { recoverInterrupted } from '../apply.js';

/** Whether this command line may write: every command but list/help, a dry run and a plain check. */
export function writes(command: string, argv: string[]): boolean {
  if (argv.includes('--dry-run') || argv.includes('--help') || argv.includes('-h')) return false;
  if (command === 'check') return argv.includes('--fix');
  return command !== 'list' && command !== 'help';
}

/**
 * Recovers beside and inside every directory the command line may name: the working directory and
 * each argument (or `--flag=value`) that is an existing directory. A target's staging dirs sit in
 * its parent, so both a repo (`add` in it) and a destination (`new <name>` in it) are covered.
 */
export function recoverAround(argv: string[]): void {
  const dirs = new Set<string>([process.cwd()]);
  for (const arg of argv) {
    const value = arg.startsWith('--') ? arg.split('=').slice(1).join('=') : arg;
    if (!value) continue;
    const p = resolve(value);
    if (isDir(p)) dirs.add(p);
  }
  const parents = new Set<string>();
  for (const d of dirs) {
    parents.add(d);
    parents.add(dirname(d));
  }
  for (const p of parents) {
    for (const target of recoverInterrupted(p)) process.stderr.write(`create-stack: ${target}: cleaned up after an interrupted run\n`);
  }
}

function isDir(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}
