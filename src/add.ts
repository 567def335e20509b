// `create-stack add <layer>`: plan a layer for a repo create-stack made, from its .create-stack.yaml,
// and edit that file in place (yaml Document API: comments and order survive).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from './errors.js';
import { planPreset } from './engine.js';
import { readAnswers } from './answers.js';
import { LAYERS, type LayerName, type StackSpec } from './spec.js';
import { FileTree, type Plan } from './tree.js';
import { SPEC_FILE } from './apply.js';

export { SPEC_FILE };

export async function planAddLayer(
  layerArg: string | undefined,
  repoArg: string | undefined,
): Promise<{ plan: Plan; spec: StackSpec; bases: Map<string, string> }> {
  if (!layerArg || !(LAYERS as readonly string[]).includes(layerArg)) {
    throw new UserError('layer-unknown', `add takes a layer: ${LAYERS.join(', ')}${layerArg ? ` (not ${JSON.stringify(layerArg)})` : ''}`, `run create-stack add ${LAYERS[0]}`);
  }
  const layer = layerArg as LayerName;
  const repo = resolve(repoArg ?? '.');
  const specPath = join(repo, SPEC_FILE);
  if (!existsSync(specPath)) {
    throw new UserError('not-a-stack', `${repo} has no ${SPEC_FILE}: add works inside a repo that create-stack made`, `cd into the stack, or pass --repo <dir>`);
  }
  const answers = await readAnswers(specPath);
  const spec = { preset: 'bd-build-data', services: [], ...answers, with: [...new Set([...(answers.with ?? []), layer])] } as StackSpec;
  if (!spec.name) throw new UserError('answers-shape', `${specPath} has no name`, 'restore the name: line');

  // What the layer adds is the difference between the preset with it and without it: its own files,
  // and the preset's files that mention it (README). `bases` keeps the without-layer version of each,
  // so the CLI can tell a file the user edited (a conflict) from one that is simply out of date.
  const without = planPreset({ ...spec, with: spec.with.filter((l) => l !== layer) });
  const withLayerPlan = planPreset(spec);
  const dirs = locateRepos(repo, without.repos.map((r) => r.name), without.layerRepo);
  const bases = new Map<string, string>();
  const targets = dirs.map((dir, i) => {
    const tree = new FileTree();
    const old = without.repos[i]!.tree;
    for (const path of withLayerPlan.repos[i]!.tree.paths()) {
      if (path === SPEC_FILE) continue;
      const file = withLayerPlan.repos[i]!.tree.files.get(path)!;
      const base = old.files.get(path);
      // User-owned files of the preset (.env: random secrets every plan) are not the layer's.
      if (base && (file.userOwned || base.content === file.content)) continue;
      tree.add(path, file.content, { mode: file.mode, userOwned: file.userOwned });
      if (base) bases.set(join(dir, path), base.content);
    }
    // Every repo of the preset records the layer, so --answers from any of them reproduces it.
    return { dir, tree };
  });
  for (const t of targets) t.tree.add(SPEC_FILE, await withLayer(readFileSync(join(t.dir, SPEC_FILE), 'utf8'), layer));
  return { plan: { targets: targets.filter((t) => t.tree.size > 0) }, spec, bases };
}

/** `repo: application|support` of a .create-stack.yaml (app-support writes it; one-repo presets do not). */
function roleOf(dir: string): string | null {
  return /^repo:\s*(\S+)/m.exec(readFileSync(join(dir, SPEC_FILE), 'utf8'))?.[1] ?? null;
}

/**
 * The directories of the preset's repos, found from `repo` (one of them). A one-repo preset is just
 * `repo`; the repos of app-support are siblings, recognised by the `repo:` line of their spec files.
 */
export function locateRepos(repo: string, names: string[], layerRepo: number): string[] {
  if (names.length === 1) return [repo];
  const roles = ['application', 'support'];
  const mine = roleOf(repo);
  const myIndex = mine ? roles.indexOf(mine) : -1;
  if (myIndex < 0) {
    throw new UserError('not-a-stack', `${join(repo, SPEC_FILE)} does not say which repo this is (repo: application or support)`, 'restore its repo: line');
  }
  return names.map((name, i) => {
    if (i === myIndex) return repo;
    const dir = join(dirname(repo), name);
    if (!existsSync(join(dir, SPEC_FILE)) || roleOf(dir) !== roles[i]) {
      const what = i === layerRepo ? 'the layer goes there' : 'its .create-stack.yaml records the layer too';
      throw new UserError('sibling-missing', `the ${roles[i]} repo ${dir} is not beside ${repo} (${what})`, `check both repos out side by side as ${names.join(' and ')}`);
    }
    return dir;
  });
}

async function withLayer(text: string, layer: LayerName): Promise<string> {
  const { parseDocument, isSeq } = await import('yaml');
  const doc = parseDocument(text);
  const seq = doc.get('with', true);
  if (isSeq(seq)) {
    if (!seq.items.some((i) => String((i as { value?: unknown }).value ?? i) === layer)) {
      seq.add(doc.createNode(layer));
      seq.flow = false; // block style, as `new --with` writes it
    }
  } else {
    doc.set('with', doc.createNode([layer], { flow: false }));
  }
  return doc.toString();
}
