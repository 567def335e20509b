// `add service` on a repo create-stack did not write: the new service is inserted into its compose
// file as text, in the file's own style, complete by the standard (pinned image, a health check that
// runs in that image, restart, limits, log rotation, secrets from .env). Nothing else in the file
// moves: the only other lines touched are the ones --link adds to the consumers.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Pair, type ParsedNode, type Scalar, type YAMLMap } from 'yaml';
import { UserError } from '../errors.js';
import { kinds } from '../templates.js';
import { envPrefix, nameProblem, nextFree } from '../spec.js';
import { newSecret } from '../secrets.js';
import { appendMissingVars } from '../dotenv.js';
import { buildStackView } from '../stack-view.js';
import { renderGroup } from '../render-group.js';
import { FileTree, type Plan } from '../tree.js';
import { composeRole, RepoModel, YamlFile, parseGitignore, type FoundFile } from '../model/index.js';
import { serviceNetworks, sniffComposeStyle, type ComposeStyle } from '../model/style.js';
import type { KindManifest } from '../kind.js';
import { emitEntries, emitItems, Flow, Name, Quoted, scalar, type Entries } from './emit.js';
import { publishedPorts } from './ports.js';
import type { NewService } from './types.js';

export interface ForeignAddOptions {
  repo: string;
  services: NewService[];
  link: string[];
  file?: string;
  context?: string;
}

export interface ForeignPlan {
  plan: Plan;
  /** Compose file edited, from the repo root. */
  file: string;
  notes: string[];
}

interface Splice {
  at: number;
  end?: number;
  text: string;
}

const COMPOSE_NAMES = 'compose.yaml, compose.yml, docker-compose.yml or docker-compose.yaml';

/** The compose file to edit: --file, or the one base compose file at the repo root. */
export function pickComposeFile(model: RepoModel, fileArg: string | undefined): { rel: string; yaml: YamlFile } {
  if (fileArg !== undefined) {
    const abs = resolve(model.root, fileArg);
    const rel = relative(model.root, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new UserError('file-outside', `--file ${fileArg} is outside the repo ${model.root}`, 'pass a compose file inside the repo');
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new UserError('compose-missing', `--file ${fileArg} does not exist`, 'pass the path of the compose file to edit');
    return { rel: rel.split('\\').join('/'), yaml: YamlFile.read(rel, abs, statSync(abs).size) };
  }
  const root = model.files('compose').filter((f) => !f.path.includes('/'));
  const bases = root.filter((f) => composeRole(f.path) === 'base');
  const candidates: FoundFile[] = bases.length ? bases : root;
  if (candidates.length === 0) {
    throw new UserError('compose-missing', `${model.root} has no compose file (${COMPOSE_NAMES})`, 'run it in the repo that holds the compose file, or pass --file <compose file>');
  }
  if (candidates.length > 1) {
    throw new UserError('compose-ambiguous', `${model.root} has several compose files: ${candidates.map((f) => f.path).join(', ')}`, `say which one with --file ${candidates[0]!.path}`);
  }
  return { rel: candidates[0]!.path, yaml: model.yaml(candidates[0]!) };
}

function pairs(map: unknown): Pair<ParsedNode, ParsedNode | null>[] {
  return isMap(map) ? ((map as YAMLMap).items as Pair<ParsedNode, ParsedNode | null>[]).filter((p) => isScalar(p.key)) : [];
}
function entry(map: unknown, key: string): Pair<ParsedNode, ParsedNode | null> | undefined {
  return pairs(map).find((p) => String((p.key as Scalar).value) === key);
}

function lineEndAfter(text: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1]!)) e--;
  const nl = text.indexOf('\n', e);
  return nl < 0 ? text.length : nl + 1;
}
function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}
/** Column of the "- " of the sequence item whose node starts at `offset`. */
function dashColumn(text: string, offset: number): number {
  const dash = text.lastIndexOf('-', offset - 1);
  return dash >= text.lastIndexOf('\n', offset - 1) + 1 ? column(text, dash) : column(text, offset);
}
function endOf(p: Pair<ParsedNode, ParsedNode | null>): number {
  return (p.value?.range ?? p.key.range!)[1];
}

/**
 * The kind's command for a foreign repo (`foreignCommand`), or its k8s args with `${VAR}` references
 * (`$(VAR)`) turned into Compose interpolation from .env.
 */
function composeArgs(kind: KindManifest, fromOf: Map<string, string>, subst: (s: string) => string): string[] | null {
  if (kind.foreignCommand) return kind.foreignCommand.map(subst);
  if (!kind.k8s?.args || kind.role !== 'stateful') return null;
  return kind.k8s.args.map((a) => a.replace(/\$\(([A-Z0-9_]+)\)/g, (_, v: string) => (fromOf.has(v) ? `\${${fromOf.get(v)}}` : `$$${v}`)));
}

/** Version `2.x` files have no `deploy:`; 3.0–3.3 have no `start_period`. */
function fileVersion(style: ComposeStyle): { v2: boolean; noStartPeriod: boolean } {
  const v = style.version ?? '';
  return { v2: /^2(\.|$)/.test(v), noStartPeriod: /^(2(\.[0-2])?|3(\.[0-3])?)$/.test(v) };
}

export function planForeignAdd(opts: ForeignAddOptions): ForeignPlan {
  const model = new RepoModel(opts.repo);
  const { rel, yaml } = pickComposeFile(model, opts.file);
  const problem = yaml.problems.find((p) => p.kind !== 'yaml/multi-document') ?? (yaml.toJS() === undefined ? yaml.problems[0] : undefined);
  if (problem || !yaml.doc) {
    const p = problem ?? { message: 'empty file', pos: { line: 1, col: 1 } };
    throw new UserError('compose-parse', `${rel}:${p.pos.line}:${p.pos.col}: ${p.message}`, `fix ${rel} first (docker compose config shows the same problem)`);
  }
  const text = yaml.text;
  const root = yaml.doc.contents;
  const servicesPair = entry(root, 'services');
  const servicesNode = servicesPair?.value;
  if (!isMap(root) || (root as YAMLMap).flow || !isMap(servicesNode) || (servicesNode as YAMLMap).flow || pairs(servicesNode).length === 0) {
    throw new UserError('compose-shape', `${rel} has no block mapping of services to add to`, 'add services to a compose file that has a services: section');
  }
  const existing = pairs(servicesNode).map((p) => String((p.key as Scalar).value));
  const style = sniffComposeStyle(yaml);
  const version = fileVersion(style);

  // Refusals first, all of them before anything is planned.
  const used = publishedPorts(model, yaml);
  const seen = new Set<string>();
  for (const svc of opts.services) {
    const bad = nameProblem(svc.name);
    if (bad) throw new UserError('name-format', `service name ${JSON.stringify(svc.name)} ${bad}`, 'names are a-z, 0-9 and "-", starting with a letter');
    if (existing.includes(svc.name) || seen.has(svc.name)) {
      throw new UserError('service-exists', `service "${svc.name}" exists in ${rel}`, `choose another name, e.g. ${svc.name}2:${svc.kind}`);
    }
    seen.add(svc.name);
    const kind = kinds[svc.kind];
    if (!kind) throw new UserError('kind-unknown', `service "${svc.name}" has unknown kind ${JSON.stringify(svc.kind)}`, `use one of: ${Object.keys(kinds).sort().join(', ')}`);
    if (svc.port !== undefined && kind.port === null) {
      throw new UserError('port-not-served', `service "${svc.name}" of kind ${svc.kind} listens on no port, yet port ${svc.port} was given`, `drop the port: ${svc.name}:${svc.kind}`);
    }
    const host = hostPort(svc, kind);
    if (host !== null && used.has(host)) {
      throw new UserError('port-conflict', `host port ${host} is already published by ${used.get(host)}`, `give another host port: ${svc.name}:${svc.kind}:${nextFree(host, used)}`);
    }
    if (host !== null) used.set(host, `the new service "${svc.name}"`);
  }
  for (const l of opts.link) {
    if (!existing.includes(l)) throw new UserError('link-unknown', `--link ${l}: ${rel} has no service "${l}"`, `link one of: ${existing.join(', ')}`);
  }
  const built = opts.services.filter((s) => kinds[s.kind]!.role === 'app');
  if (opts.context !== undefined && built.length !== 1) {
    throw new UserError('context-ambiguous', `--context applies to one built service (fastapi, node, worker, nginx); ${built.length} given`, 'add built services one at a time when you pass --context');
  }

  const splices: Splice[] = [];
  const tree = new FileTree();
  const notes: string[] = [];
  const secrets: string[] = [];
  const examples: string[] = [];
  const serviceNodes = pairs(servicesNode);
  const networks = chooseNetworks(serviceNodes, opts.link);
  const namedVolumes: string[] = [];

  // --link: the consumers get depends_on and the connection variable, in their own style.
  for (const target of opts.link) {
    const p = entry(servicesNode, target)!;
    if (!isMap(p.value) || (p.value as YAMLMap).flow) throw new UserError('link-style', `service "${target}" of ${rel} is not a block mapping`, 'write it in block style, or link by hand');
    for (const svc of opts.services) {
      const kind = kinds[svc.kind]!;
      splices.push(...linkEdits(text, p, svc, kind, style));
    }
  }

  const blocks: string[] = [];
  for (const svc of opts.services) {
    const kind = kinds[svc.kind]!;
    const ENV = envPrefix(svc.name);
    const subst = (s: string) => s.replace(/\{\{(ENV|service|stack_id)\}\}/g, (_, k: string) => (k === 'ENV' ? ENV : k === 'service' ? svc.name : svc.name.replace(/-/g, '_')));
    const fromOf = new Map<string, string>();
    const env: Array<[string, string]> = [];
    if (kind.role === 'app') {
      env.push(['SERVICE_NAME', svc.name]);
      if (kind.port !== null) env.push(['PORT', String(kind.port)]);
    }
    for (const e of kind.env) {
      const value = e.value !== undefined ? subst(e.value) : '';
      if (!e.from) {
        env.push([e.var, value]);
        continue;
      }
      const from = subst(e.from);
      fromOf.set(e.var, from);
      if (e.secret) {
        secrets.push(`${from}=${newSecret()}`);
        examples.push(`${from}=`);
        env.push([e.var, `\${${from}:?${from} is not set (see .env)}`]);
      } else {
        secrets.push(`${from}=${value}`);
        examples.push(`${from}=${value}`);
        env.push([e.var, `\${${from}:-${value}}`]);
      }
    }
    const body: Entries = [];
    const ctx = kind.role === 'app' ? contextDir(opts, svc.name) : null;
    if (ctx) {
      body.push(['build', [['context', `./${ctx}`]]]);
      for (const [path, file] of contextFiles(svc, ctx)) {
        if (existsSync(join(model.root, path))) {
          throw new UserError('context-exists', `${path} exists: the ${svc.kind} stub of "${svc.name}" would overwrite it`, `pass --context <empty dir> for the new service's code`);
        }
        tree.add(path, file.content, { mode: file.mode });
      }
      notes.push(`code and Dockerfile of ${svc.name}: ${ctx}/`);
    } else body.push(['image', kind.image]);
    const args = composeArgs(kind, fromOf, subst);
    if (args) body.push(['command', new Flow(args)]);
    if (kind.tmpfs?.length) body.push(['tmpfs', kind.tmpfs.map(subst)]);
    if (env.length) body.push(['environment', style.environmentList ? env.map(([k, v]) => `${k}=${v}`) : env]);
    const host = hostPort(svc, kind);
    if (host !== null && kind.port !== null) {
      const short = `${host}:${kind.port}`;
      body.push(['ports', [style.portsLong ? [['target', kind.port], ['published', host], ['protocol', 'tcp']] : style.portsQuoted ? new Quoted(short) : short]]);
    }
    if (kind.dataDir) {
      const bind = style.volumeStyle === 'bind';
      const source = bind ? `./${svc.name}-data` : `${svc.name}-data`;
      if (!bind) namedVolumes.push(`${svc.name}-data`);
      body.push(['volumes', [`${source}:${kind.dataDir}`]]);
    }
    if (networks.length) body.push(['networks', style.networksList ? networks.map((n) => new Name(n)) : networks.map((n) => [n, null] as [string, unknown])]);
    const hc: Entries = [['test', new Flow(kind.healthcheck)], ['interval', '30s'], ['timeout', '10s'], ['retries', 5]];
    if (!version.noStartPeriod) hc.push(['start_period', '60s']);
    body.push(['healthcheck', hc]);
    body.push(['restart', 'unless-stopped']);
    if (version.v2) {
      body.push(['mem_limit', kind.resources.limits.memory.toLowerCase()], ['cpus', Number(kind.resources.limits.cpus)]);
    } else {
      body.push(['deploy', [['resources', [
        ['limits', [['cpus', kind.resources.limits.cpus], ['memory', kind.resources.limits.memory]]],
        ['reservations', [['cpus', kind.resources.reservations.cpus], ['memory', kind.resources.reservations.memory]]],
      ]]]]);
    }
    body.push(['logging', [['driver', 'json-file'], ['options', [['max-size', '10m'], ['max-file', '3']]]]]);
    const lines = [`${' '.repeat(style.serviceColumn)}${svc.name}:`, ...emitEntries(body, style.serviceColumn + style.indent, style)];
    blocks.push((style.blankBetweenServices ? '\n' : '') + lines.join('\n') + '\n');
  }
  const last = serviceNodes[serviceNodes.length - 1]!;
  const at = lineEndAfter(text, endOf(last));
  splices.push({ at, text: (at > 0 && text[at - 1] !== '\n' ? '\n' : '') + blocks.join('') });
  if (namedVolumes.length) splices.push(volumeEdit(text, root as YAMLMap, namedVolumes, style));

  let edited = '';
  let pos = 0;
  for (const s of splices.map((s, i) => ({ ...s, i })).sort((a, b) => a.at - b.at || a.i - b.i)) {
    // At the end of a file without a final newline, the inserted lines stay without one too.
    if (s.at === text.length && !text.endsWith('\n') && s.text.endsWith('\n')) s.text = (s.text.startsWith('\n') ? '' : '\n') + s.text.slice(0, -1);
    edited += text.slice(pos, s.at) + s.text;
    pos = s.end ?? s.at;
  }
  edited += text.slice(pos);
  // The edit must parse. A big file is proven by its new service blocks alone (a full parse of it costs
  // more than the rest of the command); the edits of consumers are written by the same emitter.
  const check = edited.length <= 32 * 1024 ? new YamlFile(rel, edited) : new YamlFile(rel, `services:\n${blocks.join('')}`);
  if (!check.parsed) throw new Error(`internal: the edited ${rel} does not parse: ${check.problems[0]?.message}`);
  tree.add(rel, edited, { userOwned: true });
  tree.files.get(rel)!.merge = (now) => (now === text ? edited : unexpected(rel));

  if (secrets.length) {
    const envPath = join(model.root, '.env');
    const planned = secrets.join('\n') + '\n';
    const fresh = `# Variables and secrets of the services create-stack added (private: mode 0600, never committed).\n${planned}`;
    tree.add('.env', fresh, { mode: 0o600, userOwned: true });
    tree.files.get('.env')!.merge = (existing) => appendMissingVars(existing, planned);
    if (!existsSync(envPath)) notes.push(`.env created (mode 0600) with the new secrets`);
    const gitignore = join(model.root, '.gitignore');
    const gi = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : null;
    if (gi === null || !ignoresDotEnv(gi)) {
      tree.add('.gitignore', '.env\n', { userOwned: true });
      tree.files.get('.gitignore')!.merge = (existing) => (ignoresDotEnv(existing) ? existing : `${existing}${existing === '' || existing.endsWith('\n') ? '' : '\n'}.env\n`);
    }
    if (existsSync(join(model.root, '.env.example'))) {
      tree.add('.env.example', examples.join('\n') + '\n', { userOwned: true });
      tree.files.get('.env.example')!.merge = (existing) => appendMissingVars(existing, examples.join('\n') + '\n');
    }
  }
  return { plan: { targets: [{ dir: model.root, tree }] }, file: rel, notes };
}

function unexpected(rel: string): never {
  throw new UserError('changed-meanwhile', `${rel} changed while create-stack was planning its edit`, 'run the command again');
}

function ignoresDotEnv(gitignore: string): boolean {
  let ignored = false;
  for (const r of parseGitignore(gitignore)) if (!r.dirOnly && r.re.test('.env')) ignored = !r.negate;
  return ignored;
}

function hostPort(svc: NewService, kind: KindManifest): number | null {
  if (kind.port === null) return null;
  if (svc.port !== undefined) return svc.port;
  // Databases and caches stay inside the project network unless a host port is asked for.
  return kind.role === 'app' ? kind.port : null;
}

function contextDir(opts: ForeignAddOptions, name: string): string {
  const raw = opts.context ?? `./${name}`;
  const abs = resolve(opts.repo, raw);
  const rel = relative(resolve(opts.repo), abs).split('\\').join('/');
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new UserError('context-outside', `--context ${raw} is not a directory inside the repo`, `pass a new directory such as --context ./${name}`);
  }
  return normalize(rel).split('\\').join('/');
}

/** The kind's code stub and Dockerfile, moved from the bd/build/data layout into one build context. */
function contextFiles(svc: NewService, ctx: string): Array<[string, { content: string; mode: number }]> {
  const spec = { name: 'stack', preset: 'bd-build-data' as const, services: [svc], with: [] };
  const stack = buildStackView(spec, kinds, '0');
  const view = stack.services[0]!;
  const t = new FileTree();
  renderGroup(t, { prefix: `kinds/${svc.kind}/files/`, context: { ...view, stack }, vars: { __svc__: svc.name } });
  const out: Array<[string, { content: string; mode: number }]> = [];
  const dataPrefix = `data/${svc.name}/`;
  for (const path of t.paths()) {
    const f = t.files.get(path)!;
    if (path.startsWith(dataPrefix)) out.push([`${ctx}/${path.slice(dataPrefix.length)}`, f]);
    else if (path === `build/${svc.name}/Dockerfile`) {
      const content = f.content
        .replace(/Build context is the repo root; the code comes from data\/[\w-]+\/\./, 'Build context is this directory.')
        .split(`${dataPrefix} `).join('./ ')
        .split(dataPrefix).join('');
      out.push([`${ctx}/Dockerfile`, { content, mode: f.mode }]);
    }
  }
  out.push([`${ctx}/.dockerignore`, { content: 'Dockerfile\n.dockerignore\n__pycache__/\nnode_modules/\n.env\n', mode: 0o644 }]);
  return out;
}

/** Networks of the new service: those of the services it is linked to, else the one all services share. */
function chooseNetworks(services: Pair<ParsedNode, ParsedNode | null>[], link: string[]): string[] {
  const byName = new Map(services.map((p) => [String((p.key as Scalar).value), serviceNetworks(p.value)]));
  if (link.length) {
    const nets = link.map((l) => byName.get(l) ?? []);
    if (nets.some((n) => n.length === 0)) return nets.some((n) => n.length > 0) ? ['default', ...new Set(nets.flat())] : [];
    return [...new Set(nets.flat())];
  }
  const all = [...byName.values()];
  if (all.some((n) => n.length === 0)) return [];
  const shared = all[0]!.filter((n) => all.every((list) => list.includes(n)));
  if (shared.length) return [shared[0]!];
  const count = new Map<string, number>();
  for (const n of all.flat()) count.set(n, (count.get(n) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1])[0] ? [[...count.entries()].sort((a, b) => b[1] - a[1])[0]![0]] : [];
}

/** depends_on and the connection variable for one consumer, appended inside its own mapping. */
function linkEdits(text: string, consumer: Pair<ParsedNode, ParsedNode | null>, svc: NewService, kind: KindManifest, style: ComposeStyle): Splice[] {
  const out: Splice[] = [];
  const map = consumer.value as YAMLMap;
  const keyCol = column(text, pairs(map)[0]!.key.range![0]);
  const mapEnd = lineEndAfter(text, endOf(consumer));
  const missing: Entries = [];
  const dep = entry(map, 'depends_on');
  const longDep = style.dependsOnLong !== false;
  const depLong: Entries = [[svc.name, [['condition', 'service_healthy']]]];
  if (!dep || dep.value === null || (isScalar(dep.value) && dep.value.value === null)) {
    if (dep) throw new UserError('link-style', `depends_on of "${String((consumer.key as Scalar).value)}" is empty`, 'remove the empty depends_on: line or fill it');
    missing.push(['depends_on', longDep ? depLong : [new Name(svc.name)]]);
  } else out.push(appendTo(text, dep, isMap(dep.value) ? emitEntries(depLong, 0, style) : [new Name(svc.name)], style, isMap(dep.value) ? 'map' : 'seq'));

  const url = kind.url?.replace(/\{\{(ENV|service)\}\}/g, (_, k: string) => (k === 'ENV' ? envPrefix(svc.name) : svc.name));
  if (url) {
    const key = `${envPrefix(svc.name)}_URL`;
    const envPair = entry(map, 'environment');
    if (!envPair) missing.push(['environment', style.environmentList ? [`${key}=${url}`] : [[key, url]]]);
    else if (isSeq(envPair.value)) {
      const has = envPair.value.items.some((i) => isScalar(i) && String(i.value).split('=')[0] === key);
      if (!has) out.push(appendTo(text, envPair, [`${key}=${url}`], style, 'seq'));
    } else if (isMap(envPair.value)) {
      if (!entry(envPair.value, key)) out.push(appendTo(text, envPair, [`${key}: ${scalar(url, style)}`], style, 'map'));
    }
  }
  if (missing.length) out.push({ at: mapEnd, text: emitEntries(missing, keyCol, style).join('\n') + '\n' });
  return out;
}

/** Lines added at the end of a block collection (or inside a flow one) held by `p`. */
function appendTo(text: string, p: Pair<ParsedNode, ParsedNode | null>, lines: unknown[], style: ComposeStyle, as: 'seq' | 'map'): Splice {
  const node = p.value as unknown as { items: Array<ParsedNode | Pair<ParsedNode, ParsedNode>>; flow?: boolean; range: [number, number, number] };
  if (node.flow) {
    const close = text.lastIndexOf(as === 'seq' ? ']' : '}', node.range[1]);
    const inline = lines.map((l) => (as === 'seq' ? scalar(l, style, true) : String(l).trim())).join(', ');
    return { at: close, text: (node.items.length ? ', ' : '') + (as === 'map' && lines.length > 1 ? `${String(lines[0]).trim()} {condition: service_healthy}` : inline) };
  }
  const items = node.items;
  const lastItem = items[items.length - 1]!;
  const first = items[0]!;
  const firstStart = ('key' in first ? (first.key as ParsedNode) : first).range![0];
  const col = as === 'seq' ? dashColumn(text, firstStart) : column(text, firstStart);
  const lastEnd = 'key' in lastItem ? endOf(lastItem as Pair<ParsedNode, ParsedNode | null>) : (lastItem as ParsedNode).range![1];
  const at = lineEndAfter(text, lastEnd);
  // A new item is quoted the way the item before it is.
  const last = items[items.length - 1];
  const itemStyle = as === 'seq' && isScalar(last) && typeof last.value === 'string'
    ? { ...style, plain: last.type === 'PLAIN', namesQuoted: last.type !== 'PLAIN', quote: last.type === 'QUOTE_SINGLE' ? ("'" as const) : ('"' as const) }
    : style;
  const body = as === 'seq' ? emitItems(lines, col, itemStyle) : lines.map((l) => ' '.repeat(col) + l);
  return { at, text: (at > 0 && text[at - 1] !== '\n' ? '\n' : '') + body.join('\n') + '\n' };
}

/** Declares the new named volumes in the top-level `volumes:`, creating it at the end when absent. */
function volumeEdit(text: string, root: YAMLMap, names: string[], style: ComposeStyle): Splice {
  const p = entry(root, 'volumes');
  const col = style.serviceColumn;
  const lines = names.map((n) => `${' '.repeat(col)}${n}:`).join('\n') + '\n';
  if (!p) {
    // Right after the last top-level entry, so trailing blank lines and comments stay last.
    const tops = pairs(root);
    const at = lineEndAfter(text, endOf(tops[tops.length - 1]!));
    const sep = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
    return { at, text: `${sep}\nvolumes:\n${lines}` };
  }
  if (isMap(p.value) && (p.value as YAMLMap).flow) {
    const close = text.lastIndexOf('}', p.value.range![1]);
    return { at: close, text: ((p.value as YAMLMap).items.length ? ', ' : '') + names.map((n) => `${n}: {}`).join(', ') };
  }
  if (isMap(p.value) && (p.value as YAMLMap).items.length) {
    const items = pairs(p.value);
    const c = column(text, items[0]!.key.range![0]);
    const at = lineEndAfter(text, endOf(items[items.length - 1]!));
    return { at, text: (at > 0 && text[at - 1] !== '\n' ? '\n' : '') + names.map((n) => `${' '.repeat(c)}${n}:`).join('\n') + '\n' };
  }
  // `volumes:` with nothing under it.
  const at = lineEndAfter(text, p.key.range![1] + 1);
  return { at, text: (at > 0 && text[at - 1] !== '\n' ? '\n' : '') + lines };
}

