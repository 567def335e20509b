// --answers <file.yaml>: the .create-stack.yaml of another stack, or a hand-written file of the same shape.
import { readFileSync } from 'node:fs';
import { UserError } from './errors.js';
import type { ServiceSpec, StackSpec } from './spec.js';

const KEYS = new Set(['tool', 'version', 'check', 'name', 'preset', 'services', 'with', 'appKind', 'dbMemory', 'domain', 'ip', 'acmeEmail', 'https', 'terraform', 'repo']);

export async function readAnswers(file: string): Promise<Partial<StackSpec>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError('answers-unreadable', `cannot read answers file ${file}`, 'pass the path of an existing .create-stack.yaml');
  }
  return parseAnswers(text, file);
}

/** The spec of an answers file's text (`update` reads it after migrations rewrote it in memory). */
export async function parseAnswers(text: string, file: string): Promise<Partial<StackSpec>> {
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UserError('answers-yaml', `answers file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'fix the YAML');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UserError('answers-shape', `answers file ${file} must be a mapping`, 'see the .create-stack.yaml of a generated stack');
  }
  const bad = (key: string, want: string) =>
    new UserError('answers-shape', `answers file ${file}: "${key}" must be ${want}`, 'see the .create-stack.yaml of a generated stack');
  const out: Partial<StackSpec> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!KEYS.has(key)) throw bad(key, `one of the known keys (${[...KEYS].join(', ')})`);
    if (key === 'tool' || key === 'version' || key === 'repo' || key === 'check') continue;
    if (key === 'services') {
      if (!Array.isArray(value)) throw bad(key, 'a list of {name, kind, port?}');
      out.services = value.map((s): ServiceSpec => {
        if (!s || typeof s !== 'object' || typeof s.name !== 'string' || typeof s.kind !== 'string') throw bad(key, 'a list of {name, kind, port?}');
        if (s.port !== undefined && typeof s.port !== 'number') throw bad(`${key}.port`, 'a number');
        return s.port === undefined ? { name: s.name, kind: s.kind } : { name: s.name, kind: s.kind, port: s.port };
      });
    } else if (key === 'with') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw bad(key, 'a list of layer names');
      out.with = value as StackSpec['with'];
    } else if (key === 'terraform') {
      if (typeof value !== 'boolean') throw bad(key, 'true or false');
      out.terraform = value;
    } else {
      if (typeof value !== 'string') throw bad(key, 'a string');
      (out as Record<string, string>)[key] = value;
    }
  }
  return out;
}
