// The interactive door: asks only for what flags and answers files did not give.
import { kinds } from './templates.js';
import { DEFAULT_NAME_FOR_KIND, DEFAULT_SERVICES } from './defaults.js';
import { APP_KINDS, DEFAULT_APP_KIND, DEFAULT_DB_MEMORY, nameProblem, parseMemory, parsePort, PRESETS, type ServiceSpec, type StackSpec } from './spec.js';

export async function askMissing(spec: Partial<StackSpec>, missing: string[]): Promise<void> {
  // Loaded here, not at the top: the bundle inlines this module, and prompts cost ~100 ms to load.
  const { checkbox, input, select } = await import('@inquirer/prompts');
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
    const chosen = await checkbox({
      message: 'Services',
      choices: Object.values(kinds)
        .filter((k) => !k.presets || k.presets.includes('bd-build-data'))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((k) => ({ value: k.name, name: `${k.name}: ${k.description}`, checked: defaults.has(k.name) })),
      required: true,
    });
    const services: ServiceSpec[] = [];
    for (const kind of chosen) {
      const name = await input({
        message: `Name of the ${kind} service`,
        default: DEFAULT_NAME_FOR_KIND[kind] ?? kind,
        validate: (v) => (nameProblem(v) ? `the name ${nameProblem(v)}` : services.some((s) => s.name === v) ? 'that name is taken' : true),
      });
      const svc: ServiceSpec = { name, kind };
      const port = kinds[kind]!.port;
      if (port !== null) {
        const text = await input({ message: `Host port of ${name}`, default: String(port), validate: (v) => (parsePort(v) ? true : 'a whole number from 1 to 65535') });
        if (Number(text) !== port) svc.port = Number(text);
      }
      services.push(svc);
    }
    spec.services = services;
  }
}
