import { UserError, UserErrors } from './errors.js';
import type { KindManifest } from './kind.js';
import { serverSpecErrors } from './presets/server-spec.js';
import { platformSpecErrors } from './presets/platform-spec.js';

/** One service of a stack: `--service <name>:<kind>[:<host-port>]`. */
export interface ServiceSpec {
  name: string;
  kind: string;
  /** Host port it is published on; defaults to the kind's container port. */
  port?: number;
}

export const PRESETS = ['bd-build-data', 'app-support', 'server', 'platform'] as const;
export type PresetName = (typeof PRESETS)[number];
export const LAYERS = ['deploy'] as const;
export type LayerName = (typeof LAYERS)[number];

/** What every door (argv, prompts, plop, API) builds; the engine takes nothing else. */
export interface StackSpec {
  name: string;
  preset: PresetName;
  services: ServiceSpec[];
  with: LayerName[];
  /** app-support preset: kind of the application and memory given to PostgreSQL. */
  appKind?: string;
  dbMemory?: string;
  /** server preset: the public host (or IP) Traefik routes for, the ACME e-mail, and how HTTPS is served. */
  domain?: string;
  ip?: string;
  acmeEmail?: string;
  https?: string;
  /** platform preset: false with --no-terraform. */
  terraform?: boolean;
}

export const NAME_MAX = 63;
export const SUPPORT_SUFFIX = '-support';
/** With the deploy layer, `<name>-development` is a namespace. */
export const DEPLOY_NAME_MAX = NAME_MAX - '-development'.length;
/** Kinds the app-support preset can build its application from. */
export const APP_KINDS = ['fastapi', 'node', 'worker'];
export const DEFAULT_APP_KIND = 'fastapi';
export const DEFAULT_DB_MEMORY = '4GB';

/** "512MB" / "4GB" → megabytes; null when not a size from 256MB to 1024GB. */
export function parseMemory(text: string): number | null {
  const m = /^(\d{1,7})\s*(MB|GB)$/i.exec(text.trim());
  if (!m) return null;
  const mb = Number(m[1]) * (m[2]!.toUpperCase() === 'GB' ? 1024 : 1);
  return mb >= 256 && mb <= 1024 * 1024 ? mb : null;
}
/** Directories of data/ the preset itself uses; a service of that name would collide with them. */
const RESERVED_SERVICE_NAMES = new Set(['scripts', 'doc', 'monitoring', 'logs', 'shared']);

/** Why a name is not a DNS-label-like lowercase name, or null when it is. */
export function nameProblem(value: string): string | null {
  if (value === '') return 'is empty';
  // Every problem at once: "Bad_Name" is upper case *and* has "_", and one message should say both.
  const problems: string[] = [];
  if (value.length > NAME_MAX) problems.push(`is ${value.length} characters long (at most ${NAME_MAX})`);
  if (value.includes('/') || value.includes('\\')) problems.push('contains a path separator');
  if (value.includes('..')) problems.push('contains ".."');
  if (/\s/.test(value)) problems.push('contains white space');
  if (/[A-Z]/.test(value)) problems.push('contains upper-case letters');
  if (value.startsWith('-')) problems.push('starts with "-"');
  else if (!/^[a-zA-Z]/.test(value)) problems.push('does not start with a letter');
  if (value.endsWith('-')) problems.push('ends with "-"');
  const bad = [...new Set(value.match(/[^a-zA-Z0-9\s/\\.-]/g) ?? [])];
  if (value.replace(/\.\./g, '').includes('.')) bad.push('.');
  if (bad.length) problems.push(`contains ${bad.map((c) => JSON.stringify(c)).join(', ')}`);
  return problems.length ? problems.join(', ') : null;
}

/** The nearest valid name, for the fix line: "Bad_Name" → "bad-name"; null when none is near. */
export function suggestName(value: string): string | null {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, NAME_MAX)
    .replace(/-+$/, '');
  return s && !nameProblem(s) ? s : null;
}

function checkName(what: string, value: string, flagHint: (name: string) => string, example: string): UserError | null {
  const problem = nameProblem(value);
  if (!problem) return null;
  const near = suggestName(value) ?? example;
  return new UserError(
    'name-format',
    `${what} ${JSON.stringify(value)} ${problem}: names are 1-${NAME_MAX} characters of a-z, 0-9 and "-", starting with a letter and not ending with "-"`,
    `choose a name like "${near}" (${flagHint(near)})`,
  );
}

/** Parses a port given as text; null when it is not a whole number in 1-65535. */
export function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

function portError(value: string, svc: string): UserError {
  return new UserError(
    'port-range',
    `port ${JSON.stringify(value)} of service "${svc}" is not a whole number from 1 to 65535`,
    `write it as --service ${svc}:<kind>:8080`,
  );
}

/** `api:fastapi:8001` → ServiceSpec. Shape errors only; the rest is checked by validateSpec. */
export function parseServiceArg(arg: string): ServiceSpec {
  const parts = arg.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new UserError(
      'service-format',
      `--service ${JSON.stringify(arg)} is not of the form <name>:<kind>[:<port>]`,
      'write it as --service api:fastapi or --service api:fastapi:8001',
    );
  }
  const [name, kind, portText] = parts as [string, string, string?];
  if (portText === undefined) return { name, kind };
  const port = parsePort(portText);
  if (port === null) throw portError(portText, name);
  return { name, kind, port };
}

export interface SpecContext {
  kinds: Record<string, KindManifest>;
}

/** Every rule a spec must meet before anything is planned; all problems are reported together. */
export function validateSpec(spec: StackSpec, ctx: SpecContext): void {
  const errors: UserError[] = [];
  const push = (e: UserError | null) => e && errors.push(e);

  push(checkName('stack name', spec.name, (n) => `create-stack new ${n}`, 'my-stack'));
  if (!(PRESETS as readonly string[]).includes(spec.preset)) {
    errors.push(
      new UserError('preset-unknown', `preset ${JSON.stringify(spec.preset)} does not exist`, `use --preset ${PRESETS.join(' or --preset ')}`),
    );
  }
  for (const layer of spec.with) {
    if (!(LAYERS as readonly string[]).includes(layer)) {
      errors.push(new UserError('layer-unknown', `layer ${JSON.stringify(layer)} does not exist`, `use --with ${LAYERS.join(', ')}`));
    }
  }

  const kindNames = Object.keys(ctx.kinds).sort();
  const seen = new Set<string>();
  const hostPorts = new Map<number, string>();
  for (const svc of spec.services) {
    push(checkName('service name', svc.name, (n) => `--service ${n}:${svc.kind}`, 'api'));
    if (RESERVED_SERVICE_NAMES.has(svc.name)) {
      errors.push(
        new UserError(
          'service-reserved',
          `service name "${svc.name}" is reserved: data/${svc.name}/ already holds the stack's own ${svc.name}`,
          `rename the service, e.g. --service ${svc.name}-svc:${svc.kind}`,
        ),
      );
    }
    if (seen.has(svc.name)) {
      errors.push(new UserError('service-duplicate', `service name "${svc.name}" is given twice`, 'give every --service a different name'));
    }
    seen.add(svc.name);
    if (svc.name.endsWith('-monitor')) {
      errors.push(
        new UserError('service-reserved', `service name "${svc.name}" ends with "-monitor", which names the generated monitor services`, 'choose another name'),
      );
    }
    const kind = ctx.kinds[svc.kind];
    if (!kind) {
      errors.push(
        new UserError('kind-unknown', `service "${svc.name}" has unknown kind ${JSON.stringify(svc.kind)}`, `use one of: ${kindNames.join(', ')}`),
      );
      continue;
    }
    if (kind.presets && !kind.presets.includes(spec.preset)) {
      errors.push(new UserError('kind-not-in-preset', `kind ${svc.kind} of service "${svc.name}" is made for the ${kind.presets.join(', ')} preset`, `use --preset ${kind.presets[0]}, or another kind`));
      continue;
    }
    if (svc.port !== undefined) {
      if (!Number.isInteger(svc.port) || svc.port < 1 || svc.port > 65535) {
        errors.push(portError(String(svc.port), svc.name));
        continue;
      }
      if (kind.port === null) {
        errors.push(
          new UserError('port-not-served', `service "${svc.name}" of kind ${svc.kind} listens on no port, yet port ${svc.port} was given`, `drop the port: --service ${svc.name}:${svc.kind}`),
        );
        continue;
      }
    }
    const hostPort = svc.port ?? kind.port;
    if (hostPort != null) {
      const other = hostPorts.get(hostPort);
      if (other) {
        errors.push(
          new UserError(
            'port-conflict',
            `services "${other}" and "${svc.name}" are both published on host port ${hostPort}`,
            `give one of them another port, e.g. --service ${svc.name}:${svc.kind}:${nextFree(hostPort, hostPorts)}`,
          ),
        );
      } else hostPorts.set(hostPort, svc.name);
    }
  }
  if (spec.preset === 'app-support') {
    if (spec.name.length > NAME_MAX - SUPPORT_SUFFIX.length && !nameProblem(spec.name)) {
      errors.push(
        new UserError('name-format', `stack name "${spec.name}" is too long for app-support: "${spec.name}${SUPPORT_SUFFIX}" must fit in ${NAME_MAX} characters`, `use at most ${NAME_MAX - SUPPORT_SUFFIX.length} characters`),
      );
    }
    const appKind = spec.appKind ?? DEFAULT_APP_KIND;
    if (!APP_KINDS.includes(appKind)) {
      errors.push(new UserError('app-kind-unknown', `--app-kind ${JSON.stringify(appKind)} is not an application kind`, `use --app-kind ${APP_KINDS.join(', --app-kind ')}`));
    }
    if (spec.dbMemory !== undefined && parseMemory(spec.dbMemory) === null) {
      errors.push(
        new UserError('db-memory-format', `--db-memory ${JSON.stringify(spec.dbMemory)} is not a memory size from 256MB to 1024GB`, 'write it like --db-memory 512MB or --db-memory 4GB'),
      );
    }
    if (spec.services.length > 0) {
      errors.push(new UserError('services-fixed', 'the app-support preset has a fixed pair of services (the app and its PostgreSQL); --service does not apply', 'drop --service, or use --preset bd-build-data'));
    }
  }
  if (spec.with.includes('deploy')) {
    // Kubernetes namespaces are <name>-development (63 characters at most).
    if (spec.name.length > DEPLOY_NAME_MAX && !nameProblem(spec.name)) {
      errors.push(
        new UserError('name-format', `stack name "${spec.name}" is too long for the deploy layer: its namespace "${spec.name}-development" must fit in ${NAME_MAX} characters`, `use at most ${DEPLOY_NAME_MAX} characters`),
      );
    }
    for (const svc of spec.services) {
      if (svc.name === 'migrate' || /-(blue|green|preview)$/.test(svc.name)) {
        errors.push(
          new UserError('service-reserved', `service name "${svc.name}" is reserved by the deploy layer (its migrate initContainer and the blue/green/preview workloads of production)`, 'choose another name'),
        );
      }
    }
  }
  // Options of one preset given to another would be silently ignored: say so instead.
  if (spec.preset !== 'app-support') {
    for (const [key, flag] of [['appKind', '--app-kind'], ['dbMemory', '--db-memory']] as const) {
      if (spec[key] !== undefined) errors.push(new UserError('option-preset', `${flag} applies to --preset app-support only`, `drop ${flag}, or use --preset app-support`));
    }
  }
  if (spec.preset !== 'platform' && spec.terraform !== undefined) {
    const flag = spec.terraform ? '--terraform' : '--no-terraform';
    errors.push(new UserError('option-preset', `${flag} applies to --preset platform only`, `drop ${flag}, or use --preset platform`));
  }
  errors.push(...serverSpecErrors(spec));
  if (spec.preset === 'platform') errors.push(...platformSpecErrors(spec, ctx.kinds));
  if (spec.preset === 'bd-build-data' && spec.services.length === 0) {
    errors.push(new UserError('services-empty', 'a bd-build-data stack needs at least one service', 'add --service api:fastapi (or pass --yes for the default set)'));
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new UserErrors(errors);
}

/**
 * A service given without a port whose kind's default host port is taken (by a service of the
 * same kind, an explicit port, or `taken`) gets the next free port, so `db:postgres --service
 * db2:postgres` works. Explicit ports are never moved. Returns one line per port chosen, for the
 * summary; the chosen port is written into the spec (and so into .create-stack.yaml).
 */
export function assignFreePorts(services: ServiceSpec[], kinds: Record<string, KindManifest>, taken = new Map<number, string>()): string[] {
  const used = new Map(taken);
  for (const svc of services) if (svc.port !== undefined && !used.has(svc.port)) used.set(svc.port, svc.name);
  const notes: string[] = [];
  for (const svc of services) {
    const port = kinds[svc.kind]?.port;
    if (svc.port !== undefined || port == null) continue;
    const by = used.get(port);
    if (by === undefined) {
      used.set(port, svc.name);
      continue;
    }
    const free = nextFree(port, used);
    svc.port = free;
    used.set(free, svc.name);
    notes.push(`${svc.name}: published on host port ${free} (${port} is taken by ${by})`);
  }
  return notes;
}

/** The first port above `port` that `used` (a Map or Set of taken ports) does not hold. */
export function nextFree(port: number, used: { has(port: number): boolean }): number {
  let p = port + 1;
  while (used.has(p) && p < 65535) p++;
  return p;
}

/** The env-var prefix of a service: api-gateway → API_GATEWAY. */
export function envPrefix(service: string): string {
  return service.toUpperCase().replace(/-/g, '_');
}
