// --answers <file.yaml>: the .create-stack.yaml of another stack, or a hand-written file of the same shape.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { UserError } from './errors.js';
import type { ServiceSpec, StackSpec } from './spec.js';

const KEYS = new Set(['tool', 'version', 'check', 'name', 'preset', 'services', 'with', 'appKind', 'dbMemory', 'domain', 'ip', 'acmeEmail', 'https', 'terraform', 'repo']);

/** An answers file is a few hundred bytes; anything past this is not one (and is not read whole). */
export const ANSWERS_MAX_BYTES = 1024 * 1024;

export async function readAnswers(file: string): Promise<Partial<StackSpec>> {
  let text: string;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then judges what was opened.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    throw new UserError('answers-unreadable', `cannot read answers file ${file}`, 'pass the path of an existing .create-stack.yaml');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new UserError('answers-not-a-file', `answers file ${file} is not a regular file (a directory, device, FIFO or socket)`, 'pass the path of a .create-stack.yaml file');
    }
    if (st.size > ANSWERS_MAX_BYTES) {
      throw new UserError(
        'answers-too-large',
        `answers file ${file} is ${(st.size / 1048576).toFixed(1)} MiB; an answers file is at most ${ANSWERS_MAX_BYTES / 1048576} MiB`,
        'pass the .create-stack.yaml of a stack, not another file',
      );
    }
    text = readFileSync(fd, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('answers-unreadable', `cannot read answers file ${file}`, 'pass the path of an existing .create-stack.yaml');
  } finally {
    closeSync(fd);
  }
  if (text.includes('\0')) {
    throw new UserError('answers-binary', `answers file ${file} holds binary data (a NUL byte), not YAML`, 'pass the .create-stack.yaml of a stack');
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
