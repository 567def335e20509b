// Text edits of a compose file that take a service out: its own entry, and (with --force) what other
// services say about it (depends_on, links, the <NAME>_URL variable --link gave them). Positions come
// from the parsed Document, so every other byte stays.
import { isMap, isScalar, isSeq, parseDocument, type Pair, type ParsedNode, type Scalar, type YAMLMap } from 'yaml';
import { envPrefix } from '../spec.js';

interface Cut {
  start: number;
  end: number;
}

type P = Pair<ParsedNode, ParsedNode | null>;

function pairs(map: unknown): P[] {
  return isMap(map) ? ((map as YAMLMap).items as P[]).filter((p) => isScalar(p.key)) : [];
}
function keyText(p: P): string {
  return String((p.key as Scalar).value);
}
function lineEndAfter(text: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1]!)) e--;
  const nl = text.indexOf('\n', e);
  return nl < 0 ? text.length : nl + 1;
}
function contentEnd(text: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1]!)) e--;
  const nl = text.indexOf('\n', e);
  return nl < 0 ? text.length : nl;
}
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}
function endOf(p: P): number {
  return (p.value?.range ?? p.key.range!)[1];
}

/** The span of entry i of a block mapping, with the blank lines and comments above it when it is not the first. */
function entryCut(text: string, list: P[], i: number): Cut {
  const end = lineEndAfter(text, endOf(list[i]!));
  if (i > 0) {
    // The last line of a file without a final newline: cut the newline before it instead.
    if (end === text.length && !text.endsWith('\n')) return { start: contentEnd(text, endOf(list[i - 1]!)), end };
    return { start: lineEndAfter(text, endOf(list[i - 1]!)), end };
  }
  return { start: lineStart(text, list[i]!.key.range![0]), end };
}

function itemCut(text: string, items: ParsedNode[], i: number): Cut {
  return { start: lineStart(text, items[i]!.range![0]), end: lineEndAfter(text, items[i]!.range![1]) };
}

export interface ServiceUse {
  /** Services whose depends_on or links name the service. */
  dependents: string[];
  defined: boolean;
}

export function serviceUse(text: string, name: string): ServiceUse {
  const doc = parseDocument(text, { uniqueKeys: false });
  const services = pairs(pairs(doc.contents).find((p) => keyText(p) === 'services')?.value);
  const dependents = new Set<string>();
  for (const s of services) {
    if (keyText(s) === name) continue;
    for (const e of pairs(s.value)) {
      const k = keyText(e);
      if (k !== 'depends_on' && k !== 'links') continue;
      const names = isSeq(e.value) ? e.value.items.map((i) => (isScalar(i) ? String(i.value).split(':')[0] : '')) : pairs(e.value).map(keyText);
      if (names.includes(name)) dependents.add(keyText(s));
    }
  }
  return { dependents: [...dependents], defined: services.some((s) => keyText(s) === name) };
}

/**
 * `text` without the service `name` (when `entry`) and, when `references`, without the depends_on,
 * links and <NAME>_URL entries of other services that point at it. Returns what could not be cut
 * (flow-style collections) in `left`.
 */
export function cutService(text: string, name: string, opts: { entry: boolean; references: boolean; volumes?: string[] }): { text: string; left: string[] } {
  const doc = parseDocument(text, { uniqueKeys: false });
  const top = pairs(doc.contents);
  const services = pairs(top.find((p) => keyText(p) === 'services')?.value);
  const cuts: Cut[] = [];
  // Declarations of named volumes only the removed service used (the data stays in Docker's store).
  const vi = top.findIndex((p) => keyText(p) === 'volumes');
  const vols = vi >= 0 && !(top[vi]!.value as YAMLMap | null)?.flow ? pairs(top[vi]!.value) : [];
  const gone = vols.map((v, i) => (opts.volumes?.includes(keyText(v)) ? i : -1)).filter((i) => i >= 0);
  if (gone.length && gone.length === vols.length) cuts.push(entryCut(text, top, vi));
  else for (const i of gone) cuts.push(entryCut(text, vols, i));
  const left: string[] = [];
  const urlVar = `${envPrefix(name)}_URL`;
  services.forEach((s, i) => {
    if (keyText(s) === name) {
      if (opts.entry) cuts.push(entryCut(text, services, i));
      return;
    }
    if (!opts.references) return;
    const entries = pairs(s.value);
    entries.forEach((e, ei) => {
      const k = keyText(e);
      const v = e.value;
      if (k === 'depends_on' || k === 'links') {
        if ((isSeq(v) || isMap(v)) && (v as YAMLMap).flow) {
          left.push(`${keyText(s)}.${k}`);
          return;
        }
        if (isSeq(v)) {
          const items = v.items as ParsedNode[];
          const hit = items.map((it, ii) => (isScalar(it) && String(it.value).split(':')[0] === name ? ii : -1)).filter((ii) => ii >= 0);
          if (hit.length === 0) return;
          if (hit.length === items.length) cuts.push(entryCut(text, entries, ei));
          else for (const ii of hit) cuts.push(itemCut(text, items, ii));
        } else if (isMap(v)) {
          const deps = pairs(v);
          const ii = deps.findIndex((d) => keyText(d) === name);
          if (ii < 0) return;
          if (deps.length === 1) cuts.push(entryCut(text, entries, ei));
          else cuts.push({ start: lineStart(text, deps[ii]!.key.range![0]), end: lineEndAfter(text, endOf(deps[ii]!)) });
        }
      } else if (k === 'environment') {
        if ((isSeq(v) || isMap(v)) && (v as YAMLMap).flow) return;
        if (isSeq(v)) {
          const items = v.items as ParsedNode[];
          const ii = items.findIndex((it) => isScalar(it) && String(it.value).split('=')[0] === urlVar);
          if (ii < 0) return;
          if (items.length === 1) cuts.push(entryCut(text, entries, ei));
          else cuts.push(itemCut(text, items, ii));
        } else if (isMap(v)) {
          const vars = pairs(v);
          const ii = vars.findIndex((d) => keyText(d) === urlVar);
          if (ii < 0) return;
          if (vars.length === 1) cuts.push(entryCut(text, entries, ei));
          else cuts.push({ start: lineStart(text, vars[ii]!.key.range![0]), end: lineEndAfter(text, endOf(vars[ii]!)) });
        }
      }
    });
  });
  cuts.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const c of cuts) {
    if (c.start < pos) continue; // inside a cut already made (an entry of the removed service)
    out += text.slice(pos, c.start);
    pos = c.end;
  }
  out += text.slice(pos);
  return { text: out, left };
}
