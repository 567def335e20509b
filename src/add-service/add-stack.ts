// `add service` on a stack create-stack made: refusals that need the repo, then the spec change.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { planPreset } from '../engine.js';
import { kinds } from '../templates.js';
import type { RepoModel } from '../model/index.js';
import { assignFreePorts, nextFree, type StackSpec } from '../spec.js';
import { planStackChange, readStackSpec, type StackChange } from './stack.js';
import { publishedPorts } from './ports.js';
import type { NewService } from './types.js';

/** Names of the services the compose files define, beyond the spec's own (and their monitors). */
function composeServices(model: RepoModel): Set<string> {
  const names = new Set<string>();
  for (const f of model.compose()) {
    const js = f.yaml.toJS() as { services?: Record<string, unknown> } | undefined;
    if (js && typeof js === 'object' && js.services && typeof js.services === 'object') for (const n of Object.keys(js.services)) names.add(n);
  }
  return names;
}

function readOr(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

export async function planStackAdd(repo: string, services: NewService[], link: string[], opts: { force?: boolean }): Promise<StackChange & { notes: string[] }> {
  const spec = await readStackSpec(repo);
  const base = planPreset(spec);
  const known = new Set(spec.services.map((s) => s.name));
  // Compose files as create-stack wrote them hold no service of the user's: no need to read them.
  const tree = base.repos[0]!.tree;
  const edited = tree.paths().some((p) => /(^|\/)docker-compose[^/]*\.ya?ml$/.test(p) && readOr(join(repo, p)) !== tree.files.get(p)!.content);
  const model = edited || base.repos.length !== 1 ? new (await import('../model/index.js')).RepoModel(repo) : null;
  const inCompose = model ? composeServices(model) : new Set<string>();
  for (const svc of services) {
    if (known.has(svc.name) || inCompose.has(svc.name)) {
      throw new UserError('service-exists', `service "${svc.name}" exists in this stack`, `choose another name, e.g. ${svc.name}2:${svc.kind}`);
    }
  }
  // Host ports published by services the user added by hand (the spec's are checked by validateSpec).
  const ports = model ? publishedPorts(model) : new Map<number, string>();
  // Every taken host port: the stack's services' and what the user published by hand.
  const taken = new Map<number, string>();
  for (const s of spec.services) {
    const port = s.port ?? kinds[s.kind]?.port;
    if (port != null) taken.set(port, s.name);
  }
  for (const [port, by] of ports) if (!taken.has(port)) taken.set(port, /service "([^"]+)"/.exec(by)?.[1] ?? by);
  for (const svc of services) {
    const kind = kinds[svc.kind];
    if (!kind || kind.port === null || svc.port === undefined) continue;
    const by = ports.get(svc.port);
    const byName = by && /service "([^"]+)"/.exec(by)?.[1];
    if (by && byName && !known.has(byName) && !known.has(byName.replace(/-monitor$/, ''))) {
      throw new UserError('port-conflict', `host port ${svc.port} is already published by ${by}`, `give another host port, e.g. ${svc.name}:${svc.kind}:${nextFree(svc.port, taken)}`);
    }
  }
  // A service given without a port takes its kind's port, or the next one free of those.
  const notes = assignFreePorts(services, kinds, taken);
  // The preset wires every application service to every database and cache (as new does): --link
  // may name those consumers, and nothing the preset would not wire.
  for (const l of link) {
    const target = spec.services.find((s) => s.name === l);
    if (!target) throw new UserError('link-unknown', `--link ${l}: the stack has no service "${l}"`, `link one of: ${spec.services.map((s) => s.name).join(', ')}`);
    for (const svc of services) {
      const k = kinds[svc.kind];
      const t = kinds[target.kind]!;
      if (k && !(k.role === 'stateful' && k.url && t.role === 'app' && t.storeClient !== false)) {
        throw new UserError(
          'link-not-wired',
          `--link ${l}: in a create-stack stack every application service is connected to every database and cache, as new does; "${l}" (${target.kind}) and "${svc.name}" (${svc.kind}) are not such a pair`,
          'drop --link: the preset wires the services',
        );
      }
    }
  }
  const next: StackSpec = { ...spec, services: [...spec.services, ...services] };
  return { ...(await planStackChange(repo, spec, next, { force: opts.force, base })), notes };
}
