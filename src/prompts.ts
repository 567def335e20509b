// The interactive door: asks only for what flags and answers files did not give.
import { kinds } from './templates.js';
import { DEFAULT_NAME_FOR_KIND, DEFAULT_SERVICES } from './defaults.js';
import { APP_KINDS, DEFAULT_APP_KIND, DEFAULT_DB_MEMORY, nameProblem, nextFree, parseMemory, parsePort, PRESETS, type ServiceSpec, type StackSpec } from './spec.js';

export async function askMissing(spec: Partial<StackSpec>, missing: string[], opts: { askLayers?: boolean } = {}): Promise<void> {
  // Loaded here, not at the top: the bundle inlines this module, and prompts cost ~100 ms to load.
  const { checkbox, confirm, input, select } = await import('@inquirer/prompts');
  if (missing.includes('name')) {
    spec.name = await input({
      message: 'Stack name',
      default: 'my-stack',
      validate: (v) => (nameProblem(v) ? `the name ${nameProblem(v)}` : true),
    });
    spec.preset = (await select({
      message: 'Preset',
      default: spec.preset,
      choices: PRESETS.map((p) => ({ value: p, name: p })),
    })) as StackSpec['preset'];
  }
  if (spec.preset === 'app-support') {
    spec.appKind ??= await select({
      message: 'Kind of the application',
      default: DEFAULT_APP_KIND,
      choices: APP_KINDS.map((k) => ({ value: k, name: `${k}: ${kinds[k]!.description}` })),
    });
    spec.dbMemory ??= await input({
      message: 'Memory PostgreSQL is tuned for',
      default: DEFAULT_DB_MEMORY,
      validate: (v) => (parseMemory(v) === null ? 'a size from 256MB to 1024GB, like 512MB or 4GB' : true),
    });
  }
  if (missing.includes('services') && spec.preset === 'bd-build-data') {
    const defaults = new Set(DEFAULT_SERVICES.map((s) => s.kind));
    const choices = Object.values(kinds)
      .filter((k) => !k.presets || k.presets.includes('bd-build-data'))
      .sort((a, b) => a.name.localeCompare(b.name));
    const chosen = await checkbox({
      message: 'Services',
      // short: the answer line lists kinds, not their descriptions.
      choices: choices.map((k) => ({ value: k.name, name: `${k.name}: ${k.description}`, short: k.name, checked: defaults.has(k.name) })),
      required: true,
    });
    const services: ServiceSpec[] = [];
    const used = new Map<number, string>();
    const ask = async (kind: string) => {
      const taken = (v: string) => services.some((s) => s.name === v);
      let fallback = DEFAULT_NAME_FOR_KIND[kind] ?? kind;
      for (let i = 2; taken(fallback); i++) fallback = `${DEFAULT_NAME_FOR_KIND[kind] ?? kind}${i}`;
      const name = await input({
        message: `Name of the ${kind} service`,
        default: fallback,
        validate: (v) => (nameProblem(v) ? `the name ${nameProblem(v)}` : taken(v) ? `"${v}" is taken by another service` : true),
      });
      const svc: ServiceSpec = { name, kind };
      const port = kinds[kind]!.port;
      if (port !== null) {
        // Each answer is checked when given, and the default is a port no earlier answer took.
        const free = used.has(port) ? nextFree(port, used) : port;
        const text = await input({
          message: `Host port of ${name}`,
          default: String(free),
          validate: (v) => {
            const p = parsePort(v);
            if (!p) return 'a whole number from 1 to 65535';
            return used.has(p) ? `port ${p} is taken by ${used.get(p)}` : true;
          },
        });
        if (Number(text) !== port) svc.port = Number(text);
        used.set(Number(text), name);
      }
      services.push(svc);
    };
    for (const kind of chosen) await ask(kind);
    // Two services of one kind (a second database): one more at a time.
    while (await confirm({ message: 'Add another service (a second database, another API…)?', default: false })) {
      const kind = await select({ message: 'Kind of the service', choices: choices.map((k) => ({ value: k.name, name: `${k.name}: ${k.description}`, short: k.name })) });
      await ask(kind);
    }
    spec.services = services;
  }
  if (opts.askLayers && (spec.preset === 'bd-build-data' || spec.preset === 'app-support')) {
    if (await confirm({ message: 'Add the deploy layer (Kubernetes, Helm, CI/CD workflows)?', default: false })) spec.with = [...new Set([...(spec.with ?? []), 'deploy' as const])];
  }
  // What will be written, before anything is.
  process.stdout.write(`\n${summary(spec)}\n`);
  if (!(await confirm({ message: 'Write this stack?', default: true }))) {
    throw Object.assign(new Error('cancelled'), { name: 'ExitPromptError' });
  }
}

/** The spec in a few lines, as the confirmation shows it. */
export function summary(spec: Partial<StackSpec>): string {
  const lines = [`  name:     ${spec.name}`, `  preset:   ${spec.preset}`];
  if (spec.preset === 'app-support') lines.push(`  app:      ${spec.appKind ?? DEFAULT_APP_KIND}, PostgreSQL tuned for ${spec.dbMemory ?? DEFAULT_DB_MEMORY}`);
  for (const s of spec.services ?? []) {
    const port = s.port ?? kinds[s.kind]?.port;
    lines.push(`  service:  ${s.name} (${s.kind}${port != null ? `, host port ${port}` : ''})`);
  }
  if (spec.with?.length) lines.push(`  layers:   ${spec.with.join(', ')}`);
  return lines.join('\n');
}
