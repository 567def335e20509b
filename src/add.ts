// `create-stack add <layer>`: plan a layer for a repo create-stack made, from its .create-stack.yaml,
// and edit that file in place (yaml Document API: comments and order survive).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from './errors.js';
import { planDeployLayer } from './layers/deploy.js';
import { planPreset } from './engine.js';
import { readAnswers } from './answers.js';
import { LAYERS, type LayerName, type StackSpec } from './spec.js';
import { FileTree, type Plan } from './tree.js';

export const SPEC_FILE = '.create-stack.yaml';

export async function planAddLayer(layerArg: string | undefined, repoArg: string | undefined): Promise<{ plan: Plan; spec: StackSpec }> {
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

  const out = planPreset({ ...spec, with: [] });
  const layerRepo = out.repos[out.layerRepo]!;
  // The layer goes into the repo of the preset that takes layers: this one, or its named sibling.
  const dir = layerRepo.name === out.repos[0]!.name && out.repos.length === 1 ? repo : resolveSibling(repo, out.repos.map((r) => r.name), layerRepo.name);
  const tree = new FileTree();
  if (layer === 'deploy') planDeployLayer(tree, out.stack);
  const layerSpecPath = join(dir, SPEC_FILE);
  if (existsSync(layerSpecPath)) tree.add(SPEC_FILE, await withLayer(readFileSync(layerSpecPath, 'utf8'), layer));
  return { plan: { targets: [{ dir, tree }] }, spec };
}

/** The repo among the preset's siblings that is named `want`, seen from `repo` (one of them). */
function resolveSibling(repo: string, names: string[], want: string): string {
  const parent = dirname(repo);
  if (!names.some((n) => join(parent, n) === repo)) return repo;
  return join(parent, want);
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
