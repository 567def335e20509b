// `create-stack list [--json]`: what the tool can generate, read from the same data the engine uses.
import { kinds, presets } from '../templates.js';
import { LAYERS } from '../spec.js';
import { parseFlags } from './args.js';
import { UserError } from '../errors.js';

export async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags<{ json?: boolean; help?: boolean }>(argv, {}, 'list');
  if (flags.help) {
    process.stdout.write('Usage: create-stack list [--json]\n  kinds with their port, image and role; presets; layers\n');
    return 0;
  }
  if (positionals.length) throw new UserError('argument-extra', `unexpected argument: ${positionals.join(' ')}`, 'run create-stack list');
  const kindRows = Object.values(kinds)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((k) => ({ name: k.name, role: k.role, port: k.port, image: k.image, description: k.description }));
  const presetRows = Object.values(presets).map((p) => ({ name: p.name, description: p.description }));
  if (flags.json) {
    process.stdout.write(JSON.stringify({ kinds: kindRows, presets: presetRows, layers: [...LAYERS] }, null, 2) + '\n');
    return 0;
  }
  const w = Math.max(...kindRows.map((k) => k.name.length));
  const out = ['Kinds (--service <name>:<kind>[:<host-port>])'];
  for (const k of kindRows) out.push(`  ${k.name.padEnd(w)}  ${k.role.padEnd(8)}  ${String(k.port ?? '-').padStart(5)}  ${k.image}`);
  out.push('', 'Presets (--preset <name>)');
  for (const p of presetRows) out.push(`  ${p.name}: ${p.description}`);
  out.push('', 'Layers (--with <layer>, create-stack add <layer>)', ...LAYERS.map((l) => `  ${l}`));
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
