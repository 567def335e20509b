// `remove app`: the inverse of add app. The app's Traefik labels and its traefik-public membership go,
// what add app took or set is put back (published ports, expose, a base path), its file-provider
// routes are removed, and the infra repo's inventory and docs are derived again. One apply.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { FileTree, type Plan } from '../tree.js';
import { CONFIG_DIR, composeGroupOf, readApp, routesOfFile, type Overlay } from './derive.js';
import {
  deleteEnv, dropTraefikLabels, leaveNetwork, parseCompose, removePorts, restorePorts, serviceNode, setEnv, undeclareNetworkIfUnused, unexposePort, type Doc,
  TO_STRING,
} from './compose-edit.js';
import { readConfig, readServer } from './add-app.js';
import { readRegistry, renderDerived } from './inventory.js';
import type { AppRecord, InfraState } from './types.js';
import { isMap } from 'yaml';

export interface RemoveAppResult {
  plan: Plan;
  record: AppRecord;
  state: InfraState;
}

export async function planRemoveApp(name: string | undefined, serverArg: string | undefined): Promise<RemoveAppResult> {
  const server = await readServer(serverArg);
  if (!name) throw new UserError('app-missing', 'no app named', 'run create-stack remove app <app-name> --server <infra-repo> (see its INVENTORY.md)');
  const registry = readRegistry(server.dir);
  const record = registry.find((a) => a.name === name);
  if (!record) {
    const names = registry.map((a) => a.name);
    throw new UserError('app-unknown', `the server has no app named ${name}`, names.length ? `apps on it: ${names.join(', ')}` : 'the server has no apps yet');
  }
  const overlay: Overlay = new Map();
  const targets: Plan['targets'] = [];
  if (record.file) {
    const repoDir = resolve(server.dir, record.repo);
    if (!existsSync(join(repoDir, record.file))) {
      throw new UserError('app-repo-missing', `${join(repoDir, record.file)} is gone: its labels cannot be taken away`, `check the repo out at ${repoDir} again, then run remove app`);
    }
    const docs = new Map<string, { doc: Doc; before: string }>();
    const docOf = (file: string): Doc | null => {
      let e = docs.get(file);
      if (!e) {
        const f = composeGroupOf(repoDir, file, overlay).find((c) => c.yaml.path === file);
        if (!f) return null;
        const doc = parseCompose(f.yaml.text);
        if (doc.errors.length) throw new UserError('compose-invalid', `${join(repoDir, file)} does not parse: ${doc.errors[0]!.message.split('\n')[0]}`, 'fix the file first');
        e = { doc, before: f.yaml.text };
        docs.set(file, e);
      }
      return e.doc;
    };
    const target = docOf(record.file)!;
    const services = target.get('services', true);
    if (isMap(services)) {
      for (const item of services.items) {
        if (!isMap(item.value)) continue;
        const node = item.value;
        // The app leaves the server: nothing of it stays on traefik-public.
        dropTraefikLabels(node);
        leaveNetwork(node);
      }
    }
    for (const u of record.undo ?? []) {
      const node = serviceNode(target, u.service, false);
      if (!node) continue;
      if (u.exposed !== undefined) unexposePort(node, u.exposed);
      if (u.env) {
        if (u.env.previous === null) deleteEnv(node, u.env.key);
        else setEnv(target, node, u.env.key, u.env.previous);
      }
      for (const taken of u.ports ?? []) {
        const doc = docOf(taken.file);
        const back = doc ? serviceNode(doc, u.service, false) : null;
        if (doc && back) restorePorts(doc, back, taken.ports, taken.before ?? null, taken.quoted ?? true);
        if (taken.movedTo) {
          const dev = docOf(taken.movedTo);
          const moved = dev ? serviceNode(dev, u.service, false) : null;
          if (moved) removePorts(moved, taken.ports);
        }
      }
    }
    undeclareNetworkIfUnused(target);
    const tree = new FileTree();
    for (const [file, e] of docs) {
      const text = e.doc.toString(TO_STRING);
      if (text === e.before) continue;
      overlay.set(join(repoDir, file), text);
      tree.add(file, text, { userOwned: true });
      tree.files.get(file)!.merge = () => text;
    }
    if (tree.size) targets.push({ dir: repoDir, tree });
  }

  const infra = new FileTree();
  const removals = readConfig(server.dir, name) !== null ? [`${CONFIG_DIR}/${name}.yml`] : [];
  const apps = registry.filter((a) => a.name !== name).map((a) => readApp(server.dir, a, overlay));
  const own = routesOfFile('traefik', readConfig(server.dir, 'dashboard') ?? '', `${CONFIG_DIR}/dashboard.yml`);
  const state: InfraState = { server: server.info, apps, own };
  for (const [path, content] of renderDerived(state)) infra.add(path, content);
  return { plan: { targets: [{ dir: server.dir, tree: infra, discard: removals }, ...targets] }, record, state };
}
