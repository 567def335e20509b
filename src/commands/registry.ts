// Every command of the CLI, loaded on first use. A name here is reserved: the `create-stack <name>`
// shorthand for `new` never takes it, and no stack may be called by it.
export type CommandRun = (argv: string[]) => Promise<number>;

export const COMMANDS: Record<string, () => Promise<{ run: CommandRun }>> = {
  new: () => import('./new.js'),
  add: () => import('./add.js'),
  remove: () => import('./remove.js'),
  check: () => import('./check.js'),
  update: () => import('./update.js'),
  list: () => import('./list.js'),
  help: () => import('./help.js'),
};

/** Command names plus words kept for later commands, refused as stack names. */
export const RESERVED_NAMES = new Set([...Object.keys(COMMANDS), 'init', 'version', 'doctor', 'upgrade', 'migrate', 'config']);
