// The `stack` plop generator: plop asks the questions; one custom action hands the answers to the
// create-stack engine, which plans, validates and writes atomically (plop's own add/addMany actions
// would write file by file with no rollback and no dry run).
import type { NodePlopAPI } from 'plop';
import { DEFAULT_SERVICES, createStack, initRepo, kinds, nameProblem, parseServiceArg, UserError, type StackSpec } from '../dist/index.js';

interface Answers {
  name: string;
  services: string;
  git?: boolean | string;
}

const defaultServices = DEFAULT_SERVICES.map((s) => `${s.name}:${s.kind}`).join(' ');

export function registerStackGenerator(plop: NodePlopAPI): void {
  plop.setActionType('create-stack', async (answers) => {
    const a = answers as Answers;
    const spec: StackSpec = {
      name: a.name,
      preset: 'bd-build-data',
      services: a.services.split(/[\s,]+/).filter(Boolean).map(parseServiceArg),
      with: [],
    };
    try {
      const result = createStack(spec, { dest: plop.getDestBasePath() });
      const state = result.states[0]!;
      const git = a.git === false || a.git === 'false' ? 'git: skipped' : `git: ${await initRepo(state.dir, 'Initial stack from create-stack (plop)')}`;
      return `${state.dir} (${state.changes.length} files; ${git})`;
    } catch (err) {
      // plop shows the message; the engine has written nothing.
      throw err instanceof UserError ? new Error(err.format()) : err;
    }
  });

  plop.setGenerator('stack', {
    description: 'a stack in the bd/ build/ data/ layout, written atomically by the create-stack engine',
    prompts: [
      {
        type: 'input',
        name: 'name',
        message: 'Stack name',
        validate: (v: string) => (nameProblem(v) ? `the name ${nameProblem(v)}` : true),
      },
      {
        type: 'input',
        name: 'services',
        message: `Services, as name:kind[:port] separated by spaces (kinds: ${Object.keys(kinds).sort().join(', ')})`,
        default: defaultServices,
      },
    ],
    actions: [{ type: 'create-stack' }],
  });
}
