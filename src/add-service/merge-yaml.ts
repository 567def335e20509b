// Three-way merge of YAML files at node level. The change base→theirs is read from the two Documents
// (keys added, removed or changed in block mappings; items added or removed in block sequences) and
// laid onto ours as text splices at the nodes' positions, so every byte of ours outside those nodes
// (comments, blank lines, anchors, quoting, key order) stays as it was.
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Pair, type ParsedNode, type YAMLMap, type YAMLSeq } from 'yaml';
import type { MergeResult } from './merge-lines.js';

interface Splice {
  start: number;
  end: number;
  text: string;
}

interface Side {
  text: string;
  doc: Document.Parsed;
}

function parseOne(text: string): Side | null {
  const docs = parseAllDocuments(text, { merge: true, uniqueKeys: true });
  if (!Array.isArray(docs) || docs.length !== 1) return null;
  const doc = docs[0]!;
  if (doc.errors.length) return null;
  return { text, doc };
}

/** Plain value of a node (merge keys applied) for comparing sides; a bounded walk, no alias expansion bomb. */
function js(side: Side, node: unknown): unknown {
  if (node === null || node === undefined) return null;
  try {
    return (node as ParsedNode).toJS(side.doc, { maxAliasCount: 1000 });
  } catch {
    return Symbol('unreadable');
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function keyOf(p: Pair): string | null {
  return isScalar(p.key) ? String(p.key.value) : null;
}

function ownPairs(map: YAMLMap): Pair<ParsedNode, ParsedNode | null>[] {
  return (map.items as Pair<ParsedNode, ParsedNode | null>[]).filter((p) => isPair(p) && isScalar(p.key) && p.key.source !== '<<' && p.key.value !== '<<');
}

/** Offset just past the end of the line that holds the last non-blank character before `end`. */
function lineEndAfter(text: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1]!)) e--;
  const nl = text.indexOf('\n', e);
  return nl < 0 ? text.length : nl + 1;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function nodeEnd(node: ParsedNode | null | undefined, key: ParsedNode): number {
  return (node?.range ?? key.range!)[1];
}

/** The text of an entry: from the end of the previous entry (comments and blank lines before it) to its end of line. */
function entrySpan(text: string, pairs: Pair<ParsedNode, ParsedNode | null>[], i: number, withLead: boolean): [number, number] {
  const p = pairs[i]!;
  const end = lineEndAfter(text, nodeEnd(p.value, p.key));
  if (withLead && i > 0) {
    const prev = pairs[i - 1]!;
    return [lineEndAfter(text, nodeEnd(prev.value, prev.key)), end];
  }
  return [lineStart(text, p.key.range![0]), end];
}

function itemSpan(text: string, items: ParsedNode[], i: number, withLead: boolean): [number, number] {
  const item = items[i]!;
  const end = lineEndAfter(text, item.range![1]);
  if (withLead && i > 0) return [lineEndAfter(text, items[i - 1]!.range![1]), end];
  return [lineStart(text, item.range![0]), end];
}

/** Shifts every non-blank line of a block of text by `delta` columns. */
function reindent(block: string, delta: number): string {
  if (delta === 0) return block;
  return block.replace(/^([ ]*)(?=\S)/gm, (lead: string) => (delta > 0 ? lead + ' '.repeat(delta) : lead.slice(Math.min(-delta, lead.length))));
}

function ensureNewline(text: string, at: number): string {
  return at > 0 && text[at - 1] !== '\n' ? '\n' : '';
}

class Merger {
  readonly splices: Splice[] = [];
  readonly conflicts: string[] = [];
  constructor(
    readonly base: Side,
    readonly ours: Side,
    readonly theirs: Side,
    readonly force: boolean,
  ) {}

  private line(offset: number): number {
    return this.ours.text.slice(0, offset).split('\n').length;
  }

  private conflict(path: string[], why: string, at: number): void {
    this.conflicts.push(`${path.join('.') || '(document)'} (line ${this.line(at)}): ${why}`);
  }

  private block(node: unknown): boolean {
    return (isMap(node) || isSeq(node)) && !(node as YAMLMap).flow;
  }

  map(path: string[], b: YAMLMap, o: YAMLMap, t: YAMLMap): void {
    const O = this.ours.text;
    const T = this.theirs.text;
    const bp = ownPairs(b);
    const op = ownPairs(o);
    const tp = ownPairs(t);
    const find = (pairs: Pair<ParsedNode, ParsedNode | null>[], k: string) => pairs.findIndex((p) => keyOf(p) === k);
    const delta = op.length && tp.length ? column(O, op[0]!.key.range![0]) - column(T, tp[0]!.key.range![0]) : 0;

    // Keys theirs adds or changes, in theirs' order.
    for (let i = 0; i < tp.length; i++) {
      const k = keyOf(tp[i]!)!;
      const bi = find(bp, k);
      const oi = find(op, k);
      const tVal = tp[i]!.value;
      if (bi < 0) {
        if (oi >= 0) {
          if (!deepEqual(js(this.ours, op[oi]!.value), js(this.theirs, tVal))) {
            this.conflict([...path, k], 'added here and by this command with different values', op[oi]!.key.range![0]);
            if (this.force) this.replaceEntry(op, oi, tp, i, delta);
          }
          continue;
        }
        this.insertEntry(op, tp, i, delta, find);
        continue;
      }
      const bVal = bp[bi]!.value;
      if (deepEqual(js(this.base, bVal), js(this.theirs, tVal))) continue;
      if (oi < 0) {
        this.conflict([...path, k], 'removed here, changed by this command', o.range![0]);
        if (this.force) this.insertEntry(op, tp, i, delta, find);
        continue;
      }
      const oVal = op[oi]!.value;
      if (deepEqual(js(this.ours, oVal), js(this.theirs, tVal))) continue;
      if (isMap(bVal) && isMap(tVal) && isMap(oVal) && this.block(oVal) && this.block(tVal)) {
        this.map([...path, k], bVal, oVal, tVal);
      } else if (isSeq(bVal) && isSeq(tVal) && isSeq(oVal) && this.block(oVal) && this.block(tVal)) {
        this.seq([...path, k], bVal, oVal, tVal);
      } else if (deepEqual(js(this.ours, oVal), js(this.base, bVal)) || this.force) {
        if (!deepEqual(js(this.ours, oVal), js(this.base, bVal))) this.conflict([...path, k], 'changed here and by this command', op[oi]!.key.range![0]);
        this.replaceEntry(op, oi, tp, i, delta);
      } else {
        this.conflict([...path, k], 'changed here and by this command', op[oi]!.key.range![0]);
      }
    }
    // Keys theirs removes.
    for (let i = 0; i < bp.length; i++) {
      const k = keyOf(bp[i]!)!;
      if (find(tp, k) >= 0) continue;
      const oi = find(op, k);
      if (oi < 0) continue;
      if (!deepEqual(js(this.ours, op[oi]!.value), js(this.base, bp[i]!.value))) {
        this.conflict([...path, k], 'changed here, removed by this command', op[oi]!.key.range![0]);
        if (!this.force) continue;
      }
      if (op.length === 1) {
        this.conflict([...path, k], 'the last entry of its mapping: remove it by hand', op[oi]!.key.range![0]);
        continue;
      }
      const [s, e] = entrySpan(O, op, oi, true);
      this.splices.push({ start: s, end: e, text: '' });
    }
  }

  private insertEntry(
    op: Pair<ParsedNode, ParsedNode | null>[],
    tp: Pair<ParsedNode, ParsedNode | null>[],
    i: number,
    delta: number,
    find: (pairs: Pair<ParsedNode, ParsedNode | null>[], k: string) => number,
  ): void {
    const O = this.ours.text;
    const T = this.theirs.text;
    // After the nearest earlier key of theirs that ours has; else before ours' first key.
    for (let j = i - 1; j >= 0; j--) {
      const oj = find(op, keyOf(tp[j]!)!);
      if (oj < 0) continue;
      const [s, e] = entrySpan(T, tp, i, true);
      const at = lineEndAfter(O, nodeEnd(op[oj]!.value, op[oj]!.key));
      this.splices.push({ start: at, end: at, text: ensureNewline(O, at) + reindent(T.slice(s, e), delta) });
      return;
    }
    if (op.length === 0) {
      this.conflict([keyOf(tp[i]!)!], 'no entry to place it beside', 0);
      return;
    }
    const [s, e] = entrySpan(T, tp, i, false);
    const at = lineStart(O, op[0]!.key.range![0]);
    this.splices.push({ start: at, end: at, text: reindent(T.slice(s, e), delta) });
  }

  private replaceEntry(op: Pair<ParsedNode, ParsedNode | null>[], oi: number, tp: Pair<ParsedNode, ParsedNode | null>[], ti: number, delta: number): void {
    const [os, oe] = entrySpan(this.ours.text, op, oi, false);
    const [ts, te] = entrySpan(this.theirs.text, tp, ti, false);
    this.splices.push({ start: os, end: oe, text: reindent(this.theirs.text.slice(ts, te), delta) });
  }

  seq(path: string[], b: YAMLSeq, o: YAMLSeq, t: YAMLSeq): void {
    const O = this.ours.text;
    const T = this.theirs.text;
    const id = (side: Side, n: unknown) => JSON.stringify(js(side, n));
    const bItems = b.items as ParsedNode[];
    const oItems = o.items as ParsedNode[];
    const tItems = t.items as ParsedNode[];
    const bIds = bItems.map((n) => id(this.base, n));
    const oIds = oItems.map((n) => id(this.ours, n));
    const tIds = tItems.map((n) => id(this.theirs, n));
    const delta = oItems.length && tItems.length ? column(O, oItems[0]!.range![0]) - column(T, tItems[0]!.range![0]) : 0;
    for (let i = 0; i < tItems.length; i++) {
      if (bIds.includes(tIds[i]!) || oIds.includes(tIds[i]!)) continue;
      let placed = false;
      for (let j = i - 1; j >= 0 && !placed; j--) {
        const oj = oIds.indexOf(tIds[j]!);
        if (oj < 0) continue;
        const [s, e] = itemSpan(T, tItems, i, true);
        const at = lineEndAfter(O, oItems[oj]!.range![1]);
        this.splices.push({ start: at, end: at, text: ensureNewline(O, at) + reindent(T.slice(s, e), delta) });
        placed = true;
      }
      if (placed) continue;
      if (oItems.length === 0) {
        this.conflict(path, 'the list is empty here: add the item by hand', o.range![0]);
        continue;
      }
      const [s, e] = itemSpan(T, tItems, i, false);
      const at = lineStart(O, oItems[0]!.range![0]);
      this.splices.push({ start: at, end: at, text: reindent(T.slice(s, e), delta) });
    }
    for (let i = 0; i < bItems.length; i++) {
      if (tIds.includes(bIds[i]!)) continue;
      const oi = oIds.indexOf(bIds[i]!);
      if (oi < 0) continue;
      if (oItems.length === 1) {
        this.conflict(path, 'the last item of its list: remove it by hand', oItems[0]!.range![0]);
        continue;
      }
      const [s, e] = itemSpan(O, oItems, oi, oi > 0);
      this.splices.push({ start: s, end: e, text: '' });
    }
  }
}

/**
 * The change base→theirs laid onto ours, or null when a side is not one parseable YAML document
 * with a block mapping at the top (then the caller merges line by line).
 */
export function mergeYaml(base: string, ours: string, theirs: string, opts: { prefer?: 'theirs' } = {}): MergeResult | null {
  if (ours === base) return { text: theirs, conflicts: [] };
  if (theirs === base || ours === theirs) return { text: ours, conflicts: [] };
  const b = parseOne(base);
  const o = parseOne(ours);
  const t = parseOne(theirs);
  if (!b || !o || !t) return null;
  const [bc, oc, tc] = [b.doc.contents, o.doc.contents, t.doc.contents];
  if (!isMap(bc) || !isMap(oc) || !isMap(tc) || oc.flow || tc.flow) return null;
  const m = new Merger(b, o, t, opts.prefer === 'theirs');
  m.map([], bc, oc, tc);
  const splices = m.splices.map((s, i) => ({ ...s, i })).sort((x, y) => x.start - y.start || x.i - y.i);
  for (let i = 1; i < splices.length; i++) {
    if (splices[i]!.start < splices[i - 1]!.end) return { text: ours, conflicts: [...m.conflicts, 'two changes of this command overlap here'] };
  }
  let text = '';
  let pos = 0;
  for (const s of splices) {
    text += ours.slice(pos, s.start) + s.text;
    pos = s.end;
  }
  text += ours.slice(pos);
  if (!parseOne(text)) return { text: ours, conflicts: [...m.conflicts, 'the merged file would not parse'] };
  return { text, conflicts: m.conflicts };
}
