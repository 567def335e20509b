// `remove service`: the inverse of `add service`. It never deletes data or code the user changed:
// those are kept and listed. A service others depend on is refused unless --force, which also takes
// those references out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { FileTree, type Plan } from '../tree.js';
import { RepoModel } from '../model/index.js';
import { envPrefix, type StackSpec } from '../spec.js';
import { planStackChange, readStackSpec, type StackChange } from './stack.js';
import { pickComposeFile } from './foreign.js';
import { cutService, serviceUse } from './references.js';

function refuseDependents(names: string[], uses: Map<string, string[]>): void {
  const lines = names.filter((n) => (uses.get(n) ?? []).length).map((n) => `"${n}" is used by ${uses.get(n)!.join(', ')}`);
  if (lines.length) {
    throw new UserError('service-depended-on', `${lines.join('; ')} (depends_on or links)`, 'remove those references first, or pass --force to remove them too');
  }
}

const COMPOSE = /^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$/;

export async function planStackRemove(repo: string, names: string[], opts: { force?: boolean }): Promise<StackChange> {
  const spec = await readStackSpec(repo);
  for (const n of names) {
    if (!spec.services.some((s) => s.name === n)) {
      throw new UserError('service-unknown', `the stack has no service "${n}"`, `remove one of: ${spec.services.map((s) => s.name).join(', ')}`);
    }
  }
  const model = new RepoModel(repo);
  const uses = new Map<string, string[]>();
  // A service's monitor, and the deploy layer's migrate service, are the stack's own: the plan drops them with it.
  const migrate = (spec.with ?? []).includes('deploy') && !spec.services.some((s) => s.name === 'migrate');
  for (const n of names) {
    const deps = new Set<string>();
    const own = (d: string) => d === `${n}-monitor` || (migrate && d === 'migrate');
    for (const f of model.compose()) for (const d of serviceUse(f.yaml.text, n).dependents) if (!names.includes(d) && !own(d)) deps.add(d);
    uses.set(n, [...deps]);
  }
  if (!opts.force) refuseDependents(names, uses);
  const next: StackSpec = { ...spec, services: spec.services.filter((s) => !names.includes(s.name)) };
  const change = await planStackChange(repo, spec, next, { force: opts.force, removed: names });
  // References the preset did not write (services the user added) go too, with --force.
  if (opts.force) {
    const target = change.plan.targets[0]!;
    for (const f of model.compose()) {
      if (f.dir !== '') continue;
      const planned = target.tree.files.get(f.yaml.path)?.content ?? f.yaml.text;
      let text = planned;
      for (const n of names) text = cutService(text, n, { entry: true, references: true }).text;
      if (text === planned) continue;
      if (target.tree.files.has(f.yaml.path)) target.tree.files.get(f.yaml.path)!.content = text;
      else target.tree.add(f.yaml.path, text, { mode: f.yaml.path.endsWith('.sh') ? 0o755 : 0o644 });
    }
  }
  const envFile = join(repo, '.env');
  if (existsSync(envFile)) {
    const text = readFileSync(envFile, 'utf8');
    for (const n of names) if (new RegExp(`^${envPrefix(n)}_[A-Z0-9_]*=`, 'm').test(text)) change.kept.push(`.env variables ${envPrefix(n)}_*`);
  }
  return change;
}

export interface ForeignRemove {
  plan: Plan;
  file: string;
  kept: string[];
  notes: string[];
}

export function planForeignRemove(repo: string, names: string[], opts: { force?: boolean; file?: string }): ForeignRemove {
  const model = new RepoModel(repo);
  const { rel, yaml } = pickComposeFile(model, opts.file);
  if (!yaml.parsed || !yaml.doc) {
    const p = yaml.problems[0] ?? { message: 'empty file', pos: { line: 1, col: 1 } };
    throw new UserError('compose-parse', `${rel}:${p.pos.line}:${p.pos.col}: ${p.message}`, `fix ${rel} first`);
  }
  const js = yaml.toJS() as { services?: Record<string, Record<string, unknown> | null>; volumes?: Record<string, unknown> } | undefined;
  const services = js?.services && typeof js.services === 'object' ? js.services : {};
  for (const n of names) {
    if (!Object.hasOwn(services, n)) throw new UserError('service-unknown', `${rel} has no service "${n}"`, `remove one of: ${Object.keys(services).join(', ')}`);
  }
  if (Object.keys(services).every((s) => names.includes(s))) {
    throw new UserError('service-last', `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} all the services of ${rel}`, 'a compose file needs a service: delete the file by hand if that is what you want');
  }
  // Every compose file beside the edited one that names the service is edited the same way.
  const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
  const files = [yaml, ...model.compose().map((c) => c.yaml).filter((y) => y.path !== rel && y.path.startsWith(dir) && !y.path.slice(dir.length).includes('/') && COMPOSE.test(y.path.slice(dir.length)))];
  const uses = new Map<string, string[]>();
  for (const n of names) uses.set(n, [...new Set(files.flatMap((f) => serviceUse(f.text, n).dependents))].filter((d) => !names.includes(d)));
  if (!opts.force) refuseDependents(names, uses);

  // Named volumes of the removed services that no other service mounts: their declarations go.
  const volumeOf = (v: unknown): string | null => {
    const source = typeof v === 'string' ? (v.includes(':') ? v.split(':')[0]! : '') : v && typeof v === 'object' ? String((v as { source?: unknown }).source ?? '') : '';
    return source && !/^[./~$]/.test(source) ? source : null;
  };
  const usedElsewhere = new Set<string>();
  for (const f of files) {
    const fjs = f.toJS() as { services?: Record<string, { volumes?: unknown[] } | null> } | undefined;
    for (const [s, svc] of Object.entries(fjs?.services ?? {})) {
      if (names.includes(s)) continue;
      for (const v of Array.isArray(svc?.volumes) ? svc.volumes : []) {
        const name = volumeOf(v);
        if (name) usedElsewhere.add(name);
      }
    }
  }
  const freed = names.flatMap((n) => (Array.isArray(services[n]?.volumes) ? (services[n]!.volumes as unknown[]) : []).map(volumeOf)).filter((v): v is string => !!v && !usedElsewhere.has(v));

  const tree = new FileTree();
  const notes: string[] = [];
  for (const f of files) {
    let text = f.text;
    for (const n of names) {
      const r = cutService(text, n, { entry: true, references: !!opts.force, volumes: freed });
      text = r.text;
      if (r.left.length) notes.push(`${f.path}: flow-style ${r.left.join(', ')} still name ${n}: edit by hand`);
    }
    if (text === f.text) continue;
    tree.add(f.path, text, { userOwned: true });
    const before = f.text;
    tree.files.get(f.path)!.merge = (now) => {
      if (now !== before) throw new UserError('changed-meanwhile', `${f.path} changed while create-stack was planning its edit`, 'run the command again');
      return text;
    };
    if (f.path !== rel) notes.push(`also removed from ${f.path}`);
  }
  // What the service kept its data and code in stays: listed for the user to delete by hand.
  const kept: string[] = [];
  for (const n of names) {
    const svc = services[n] ?? {};
    const vols = Array.isArray(svc.volumes) ? svc.volumes : [];
    for (const v of vols) {
      const source = typeof v === 'string' ? v.split(':')[0]! : v && typeof v === 'object' ? String((v as { source?: unknown }).source ?? '') : '';
      if (!source || (typeof v === 'string' && !v.includes(':'))) continue;
      if (/^[./~]/.test(source)) kept.push(`${source} (bind mount of ${n})`);
      else kept.push(`volume ${source} (data of ${n}; ${freed.includes(source) ? 'no longer declared, ' : ''}its data stays in Docker until docker volume rm)`);
    }
    const build = svc.build;
    const context = typeof build === 'string' ? build : build && typeof build === 'object' ? String((build as { context?: unknown }).context ?? '') : '';
    if (context && existsSync(join(repo, dir, context))) kept.push(`${context} (build context of ${n})`);
    const envFile = join(repo, '.env');
    if (existsSync(envFile) && new RegExp(`^${envPrefix(n)}_[A-Z0-9_]*=`, 'm').test(readFileSync(envFile, 'utf8'))) kept.push(`.env variables ${envPrefix(n)}_*`);
  }
  return { plan: { targets: [{ dir: model.root, tree }] }, file: rel, kept, notes };
}
