// A .create-stack.yaml exactly as create-stack writes it, read without loading the YAML library (the
// slowest part of a small add). Anything else in the file (a comment, a key, another style) → null,
// and the caller reads it with the YAML parser.
import type { ServiceSpec, StackSpec } from '../spec.js';

const WORD = '([a-z][a-z0-9-]*)';

export function readSpecFast(text: string): Partial<StackSpec> | null {
  const out: Partial<StackSpec> = {};
  const services: ServiceSpec[] = [];
  const layers: string[] = [];
  let section: 'services' | 'with' | null = null;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# ')) continue;
    let m: RegExpExecArray | null;
    if (line === 'tool: create-stack') section = null;
    else if ((m = /^version: "([0-9A-Za-z.+-]+)"$/.exec(line))) section = null;
    else if ((m = new RegExp(`^(name|preset): ${WORD}$`).exec(line))) {
      out[m[1] as 'name' | 'preset'] = m[2] as never;
      section = null;
    } else if (line === 'services:') section = 'services';
    else if (line === 'with: []') section = null;
    else if (line === 'with:') section = 'with';
    else if (section === 'services' && (m = new RegExp(`^  - name: ${WORD}$`).exec(line))) services.push({ name: m[1]!, kind: '' });
    else if (section === 'services' && services.length && (m = new RegExp(`^    kind: ${WORD}$`).exec(line))) services.at(-1)!.kind = m[1]!;
    else if (section === 'services' && services.length && (m = /^    port: ([1-9][0-9]{0,4})$/.exec(line))) services.at(-1)!.port = Number(m[1]);
    else if (section === 'with' && (m = new RegExp(`^  - ${WORD}$`).exec(line))) layers.push(m[1]!);
    else return null;
  }
  if (!out.name || services.some((s) => !s.kind)) return null;
  return { ...out, services, with: layers as StackSpec['with'] };
}
