// Writes YAML text in a given file's style (indent, sequence indent, quotes), for nodes inserted into
// a file create-stack did not write. Values are plain data; Flow marks a list written inline.
import { stringify } from 'yaml';
import type { ComposeStyle } from '../model/style.js';

export class Flow {
  constructor(readonly items: unknown[]) {}
}
/** A string always quoted (ports, which YAML 1.1 may read as base-60 numbers). */
export class Quoted {
  constructor(readonly value: string) {}
}

/** The name of a service, network or volume: quoted only where the file quotes such names. */
export class Name {
  constructor(readonly value: string) {}
}

export type Entries = Array<[string, unknown]>;

/** A string as plain YAML when both YAML 1.1 (PyYAML, docker-compose v1) and 1.2 read it back unchanged. */
function plainSafe(s: string): boolean {
  if (s === '' || /^\s|\s$|\n/.test(s)) return false;
  for (const version of ['1.1', '1.2'] as const) {
    if (stringify(s, { version }).trimEnd() !== s) return false;
  }
  return true;
}

export function scalar(v: unknown, style: Pick<ComposeStyle, 'quote' | 'plain'> & Partial<Pick<ComposeStyle, 'namesQuoted'>>, inFlow = false): string {
  if (v instanceof Quoted) return quote(v.value, style.quote);
  if (v instanceof Name) return !style.namesQuoted && plainSafe(v.value) ? v.value : quote(v.value, style.quote);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '';
  const s = String(v);
  // Inside [ ] a plain scalar may not hold flow indicators: only simple words stay plain there.
  if (style.plain && plainSafe(s) && (!inFlow || /^[\w./-]+$/.test(s))) return s;
  return quote(s, style.quote);
}

function quote(s: string, q: '"' | "'"): string {
  if (q === "'" && !/[\n\\]/.test(s)) return `'${s.replace(/'/g, "''")}'`;
  return JSON.stringify(s);
}

function isEntries(v: unknown): v is Entries {
  return Array.isArray(v) && v.length > 0 && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string');
}

/** Lines of a mapping whose keys sit at `col`. */
export function emitEntries(entries: Entries, col: number, style: ComposeStyle): string[] {
  const out: string[] = [];
  const pad = ' '.repeat(col);
  for (const [key, value] of entries) {
    if (value instanceof Flow) out.push(`${pad}${key}: [${value.items.map((i) => scalar(i, style, true)).join(', ')}]`);
    else if (isEntries(value)) out.push(`${pad}${key}:`, ...emitEntries(value, col + style.indent, style));
    else if (Array.isArray(value)) out.push(`${pad}${key}:`, ...emitItems(value, col + style.seqIndent, style));
    else if (value === null) out.push(`${pad}${key}:`);
    else out.push(`${pad}${key}: ${scalar(value, style)}`);
  }
  return out;
}

/** Lines of a block sequence whose `- ` sits at `col`. */
export function emitItems(items: unknown[], col: number, style: ComposeStyle): string[] {
  const pad = ' '.repeat(col);
  const out: string[] = [];
  for (const item of items) {
    if (isEntries(item)) {
      const [first, ...rest] = emitEntries(item, col + 2, style);
      out.push(`${pad}- ${first!.trimStart()}`, ...rest);
    } else out.push(`${pad}- ${scalar(item, style)}`);
  }
  return out;
}
