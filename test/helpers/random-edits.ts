// Seeded random edits a user might make, and the flattened view the property tests compare.
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';

/** mulberry32: the same seed gives the same edits on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function editLines(lines: string[], rand: () => number, tag: string, count: number): string[] {
  const out = [...lines];
  for (let k = 0; k < count; k++) {
    const i = Math.floor(rand() * (out.length + 1));
    const op = rand();
    if (op < 0.4) out.splice(i, 0, `${tag} added ${k}`);
    else if (op < 0.7 && out.length) out.splice(Math.min(i, out.length - 1), 1);
    else if (out.length) out[Math.min(i, out.length - 1)] = `${tag} changed ${k}`;
  }
  return out;
}

export type Flat = Map<string, string>;
export function flatten(v: unknown, at = '', out: Flat = new Map()): Flat {
  if (Array.isArray(v)) {
    if (v.length === 0) out.set(at, '[]');
    v.forEach((x, i) => flatten(x, `${at}[${i}]`, out));
  } else if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) out.set(at, '{}');
    for (const k of keys) flatten((v as Record<string, unknown>)[k], `${at}/${k}`, out);
  } else out.set(at, JSON.stringify(v));
  return out;
}
export const related = (a: string, b: string) => a === b || a.startsWith(b + '/') || a.startsWith(b + '[') || b.startsWith(a + '/') || b.startsWith(a + '[');
export const changed = (x: Flat, y: Flat) => [...new Set([...x.keys(), ...y.keys()])].filter((k) => x.get(k) !== y.get(k));

export function maps(doc: Document): YAMLMap[] {
  const out: YAMLMap[] = [];
  const walk = (n: unknown) => {
    if (isMap(n)) {
      out.push(n);
      for (const p of n.items) walk(p.value);
    } else if (isSeq(n)) for (const i of n.items) walk(i);
  };
  walk(doc.contents);
  return out;
}

/** 1-3 random user edits of a YAML text through the Document API: add, remove or change keys. */
export function editYaml(text: string, rand: () => number, n: number): string {
  const doc = parseDocument(text, { merge: true });
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const edits = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < edits; k++) {
    const m = pick(maps(doc));
    const op = rand();
    const scalars = m.items.filter((p) => isScalar(p.value) && String((p.key as { value: unknown }).value) !== '<<');
    if (op < 0.4 || m.items.length === 0) m.set(`user_${n}_${k}`, `value ${n}`);
    else if (op < 0.7) m.items.splice(Math.floor(rand() * m.items.length), 1);
    else if (scalars.length) (pick(scalars).value as { value: unknown }).value = `user ${n}.${k}`;
    else m.set(`user_${n}_${k}`, { nested: true });
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
