// Node-level three-way merge of YAML: the changes base → theirs are applied onto ours' Document (yaml
// Document API), so ours' comments, key order, anchors and merge keys survive. Mappings merge key by
// key; sequences of mappings that all carry a unique `name` merge item by name (Compose/Kubernetes
// lists); other sequences merge item-wise (diff3 over the items). A value both sides changed
// differently is a conflict: ours stays (or theirs, when asked), and it is reported with its line.
import {
  isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq,
} from 'yaml';
import { diff3 } from './lines.js';

export interface YamlConflict {
  /** Dotted path of the node: services.api.image, spec.containers[name=api].env. */
  key: string;
  /** 1-based line and column in ours. */
  line: number;
  col: number;
  message: string;
}

interface Ctx {
  base: Document;
  ours: Document;
  theirs: Document;
  lc: LineCounter;
  prefer: 'ours' | 'theirs';
  conflicts: YamlConflict[];
}

// yaml's own types use Node | null for values; keep them loose here.
type N = Node | null | undefined;

const PARSE = { merge: true, prettyErrors: false, uniqueKeys: false } as const;

/** The documents of a YAML text, or null when it is not valid YAML (errors, not warnings). */
export function parseYamlDocs(text: string, lc?: LineCounter): Document[] | null {
  try {
    const docs = parseAllDocuments(text, { ...PARSE, lineCounter: lc });
    if (!Array.isArray(docs)) return null; // an empty stream
    if (docs.some((d) => d.errors.length > 0)) return null;
    return docs as Document[];
  } catch {
    return null;
  }
}

/** Plain data of every document, or null when it cannot be built (aliases beyond the limit, …). */
export function yamlValue(text: string): string | null {
  const docs = parseYamlDocs(text);
  if (!docs) return null;
  try {
    return stable(docs.map((d) => d.toJS({ maxAliasCount: 1000, mapAsMap: true })));
  } catch {
    return null;
  }
}

function stable(v: unknown): string {
  if (v instanceof Map) return stable(Object.fromEntries([...v.entries()].map(([k, x]) => [typeof k === 'string' ? k : stable(k), x])));
  if (v instanceof Set) return stable([...v]);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v === undefined ? null : v instanceof Date ? v.toISOString() : v) + (typeof v === 'string' ? '' : `:${typeof v}`);
}

/** Canonical text of a node's value in its document (aliases and merge keys resolved). */
function canon(node: N, doc: Document): string {
  if (node === undefined) return '<absent>';
  if (node === null) return 'null';
  return stable(node.toJS(doc, { maxAliasCount: 1000, mapAsMap: true }));
}

function where(ctx: Ctx, node: N, fallback: N): { line: number; col: number } {
  const range = (node ?? fallback)?.range;
  if (!range) return { line: 1, col: 1 };
  return ctx.lc.linePos(range[0]);
}

function show(node: N, doc: Document): string {
  if (node === undefined) return '(absent)';
  const plain = (v: unknown): unknown =>
    v instanceof Map ? Object.fromEntries([...v].map(([k, x]) => [typeof k === 'string' ? k : stable(k), plain(x)])) : Array.isArray(v) ? v.map(plain) : v;
  const text = JSON.stringify(node === null ? null : plain(node.toJS(doc, { maxAliasCount: 1000, mapAsMap: true })));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function conflict(ctx: Ctx, key: string, b: N, o: N, t: N, anchor: N, what?: string): void {
  const { line, col } = where(ctx, o, anchor);
  const message = what ?? `you changed it to ${show(o, ctx.ours)}, the new version to ${show(t, ctx.theirs)} (was ${show(b, ctx.base)})`;
  ctx.conflicts.push({ key: key || '(document)', line, col, message });
}

function hasAnchorsOrAliases(node: N): boolean {
  let found = false;
  const walk = (n: unknown): void => {
    if (found || !n || typeof n !== 'object') return;
    if (isAlias(n)) {
      found = true;
      return;
    }
    if ((n as { anchor?: string }).anchor) {
      found = true;
      return;
    }
    if (isPair(n)) {
      walk(n.key);
      walk(n.value);
    } else if (isMap(n) || isSeq(n)) for (const i of n.items) walk(i);
  };
  walk(node);
  return found;
}

/** A node of theirs, made fit for ours' document; ours' comments on the node it replaces are kept. */
function adopt(ctx: Ctx, t: N, replaced?: N): N {
  if (t === undefined || t === null) return t;
  // Aliases of theirs point into theirs' anchors: bring the plain value instead.
  const node = (hasAnchorsOrAliases(t) ? ctx.ours.createNode(t.toJS(ctx.theirs, { mapAsMap: true })) : t.clone()) as Node;
  if (replaced && !isAlias(replaced)) {
    const r = replaced as Node & { comment?: string | null; commentBefore?: string | null };
    const n = node as Node & { comment?: string | null; commentBefore?: string | null };
    if (r.comment && !n.comment) n.comment = r.comment;
    if (r.commentBefore && !n.commentBefore) n.commentBefore = r.commentBefore;
  }
  return node;
}

function keyText(pair: Pair): string {
  const k = pair.key as N;
  if (isScalar(k)) return String(k.value);
  return stable(k && typeof (k as Node).toJSON === 'function' ? (k as Node).toJSON() : k);
}

/** One keyed entry of a container: a map pair, or a named item of a sequence. */
interface Entry {
  key: string;
  value: N;
}

interface KeyedOps {
  entries: (side: 'base' | 'ours' | 'theirs') => Entry[];
  set: (key: string, value: N) => void;
  remove: (key: string) => void;
  /** Inserts theirs' entry `key` after ours' entry `after` (null: first). */
  insert: (key: string, after: string | null) => void;
  label: (key: string) => string;
}

function mergeKeyed(ctx: Ctx, path: string, ops: KeyedOps, anchor: N): void {
  const b = new Map(ops.entries('base').map((e) => [e.key, e.value]));
  const o = new Map(ops.entries('ours').map((e) => [e.key, e.value]));
  const tList = ops.entries('theirs');
  const t = new Map(tList.map((e) => [e.key, e.value]));
  const keys = [...new Set([...b.keys(), ...t.keys()])];
  for (const key of keys) {
    const at = path ? `${path}${ops.label(key)}` : ops.label(key).replace(/^\./, '');
    const inB = b.has(key);
    const inO = o.has(key);
    const inT = t.has(key);
    const bv = b.get(key);
    const ov = o.get(key);
    const tv = t.get(key);
    if (inT && inO) {
      mergeNode(ctx, at, inB ? bv : undefined, ov, tv, (n) => ops.set(key, n), anchor);
    } else if (inT && !inO) {
      if (!inB) {
        // Added by theirs: lands after the entry that precedes it in theirs, when ours has that one.
        const idx = tList.findIndex((e) => e.key === key);
        let after: string | null = null;
        for (let j = idx - 1; j >= 0; j--) {
          if (o.has(tList[j]!.key)) {
            after = tList[j]!.key;
            break;
          }
        }
        ops.insert(key, after);
        o.set(key, tv);
      } else if (canon(bv, ctx.base) !== canon(tv, ctx.theirs)) {
        conflict(ctx, at, bv, undefined, tv, anchor, `you removed it, the new version changed it to ${show(tv, ctx.theirs)}`);
        if (ctx.prefer === 'theirs') ops.insert(key, null);
      }
    } else if (!inT && inB && inO) {
      if (canon(ov, ctx.ours) === canon(bv, ctx.base)) ops.remove(key);
      else {
        conflict(ctx, at, bv, ov, undefined, anchor, `you changed it to ${show(ov, ctx.ours)}, the new version removes it`);
        if (ctx.prefer === 'theirs') ops.remove(key);
      }
    }
  }
}

function mapOps(ctx: Ctx, b: YAMLMap | null, o: YAMLMap, t: YAMLMap): KeyedOps {
  const pairs = (m: YAMLMap | null) => (m ? (m.items as Pair[]) : []);
  const find = (key: string) => (o.items as Pair[]).findIndex((p) => keyText(p) === key);
  return {
    entries: (side) => pairs(side === 'base' ? b : side === 'ours' ? o : t).map((p) => ({ key: keyText(p), value: p.value as N })),
    set: (key, value) => {
      (o.items[find(key)] as Pair).value = value;
    },
    remove: (key) => {
      o.items.splice(find(key), 1);
    },
    insert: (key, after) => {
      const tp = (t.items as Pair[]).find((p) => keyText(p) === key)!;
      const pair = ctx.ours.createPair(isScalar(tp.key) ? (tp.key as { value: unknown }).value : (tp.key as Node).toJS(ctx.theirs, { mapAsMap: true }), null) as Pair;
      pair.value = adopt(ctx, tp.value as N);
      if (isScalar(tp.key) && (tp.key as { commentBefore?: string }).commentBefore) {
        (pair.key as { commentBefore?: string }).commentBefore = (tp.key as { commentBefore?: string }).commentBefore;
      }
      o.items.splice(after === null ? 0 : find(after) + 1, 0, pair);
    },
    label: (key) => (/^[A-Za-z0-9_-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`),
  };
}

/** The `name` of every item, when every item of the sequence is a mapping with a distinct scalar name. */
function names(seq: YAMLSeq | null, doc: Document): string[] | null {
  if (!seq) return [];
  const out: string[] = [];
  for (const item of seq.items) {
    if (!isMap(item)) return null;
    const n = item.get('name', true);
    if (!isScalar(n) || (typeof n.value !== 'string' && typeof n.value !== 'number')) return null;
    out.push(String(n.value));
  }
  void doc;
  return new Set(out).size === out.length ? out : null;
}

function seqNamedOps(ctx: Ctx, b: YAMLSeq | null, o: YAMLSeq, t: YAMLSeq): KeyedOps {
  const nameOf = (n: unknown) => String((n as YAMLMap).get('name'));
  const list = (s: YAMLSeq | null) => (s ? s.items : []);
  const find = (key: string) => o.items.findIndex((i) => nameOf(i) === key);
  return {
    entries: (side) => list(side === 'base' ? b : side === 'ours' ? o : t).map((i) => ({ key: nameOf(i), value: i as N })),
    set: (key, value) => {
      o.items[find(key)] = value;
    },
    remove: (key) => {
      o.items.splice(find(key), 1);
    },
    insert: (key, after) => {
      const item = t.items.find((i) => nameOf(i) === key) as N;
      o.items.splice(after === null ? 0 : find(after) + 1, 0, adopt(ctx, item));
    },
    label: (key) => `[name=${key}]`,
  };
}

/** Sequences without names: diff3 over their items; ours' nodes are kept where they survive. */
function mergeItems(ctx: Ctx, path: string, b: YAMLSeq | null, o: YAMLSeq, t: YAMLSeq): void {
  const texts = (s: YAMLSeq | null, doc: Document) => (s ? s.items.map((i) => canon(i as N, doc) + '\n') : []);
  const bt = texts(b, ctx.base);
  const ot = texts(o, ctx.ours);
  const tt = texts(t, ctx.theirs);
  const regions = diff3(bt, ot, tt);
  const pool = new Map<string, N[]>();
  ot.forEach((text, i) => pool.set(text, [...(pool.get(text) ?? []), o.items[i] as N]));
  const theirsPool = new Map<string, N[]>();
  tt.forEach((text, i) => theirsPool.set(text, [...(theirsPool.get(text) ?? []), t.items[i] as N]));
  const take = (text: string): N => {
    const mine = pool.get(text);
    if (mine?.length) return mine.shift();
    return adopt(ctx, theirsPool.get(text)!.shift());
  };
  const out: N[] = [];
  for (const r of regions) {
    if ('ok' in r) out.push(...r.ok.map(take));
    else {
      const at = o.items[r.oursLine] as N;
      conflict(ctx, path, b, at ?? o, t, o, `you and the new version changed the same items of this list (${r.ours.length} yours, ${r.theirs.length} theirs)`);
      out.push(...(ctx.prefer === 'theirs' ? r.theirs : r.ours).map(take));
    }
  }
  o.items = out as unknown[];
}

function mergeNode(ctx: Ctx, path: string, b: N, o: N, t: N, replace: (n: N) => void, anchor: N): void {
  const bc = b === undefined ? '<absent>' : canon(b, ctx.base);
  const tc = canon(t, ctx.theirs);
  if (bc === tc) return; // theirs did not touch it
  const oc = canon(o, ctx.ours);
  if (oc === tc) return; // the same change on both sides
  // Never edit through an alias: ours' anchored node is shared with other places.
  if (!isAlias(o)) {
    if (isMap(o) && isMap(t) && (b === undefined || isMap(b))) {
      mergeKeyed(ctx, path, mapOps(ctx, (b as YAMLMap | undefined) ?? null, o, t), o);
      return;
    }
    if (isSeq(o) && isSeq(t) && (b === undefined || isSeq(b))) {
      const bs = (b as YAMLSeq | undefined) ?? null;
      const [bn, on, tn] = [names(bs, ctx.base), names(o, ctx.ours), names(t, ctx.theirs)];
      if (bn && on && tn && (bn.length || on.length || tn.length) && (on.length > 0 || tn.length > 0)) {
        mergeKeyed(ctx, path, seqNamedOps(ctx, bs, o, t), o);
      } else mergeItems(ctx, path, bs, o, t);
      return;
    }
  }
  if (b !== undefined && oc === bc) {
    replace(adopt(ctx, t, o));
    return;
  }
  conflict(ctx, path, b, o, t, anchor);
  if (ctx.prefer === 'theirs') replace(adopt(ctx, t, o));
}

export interface YamlMergeResult {
  /** Ours' documents with theirs' changes, as text. */
  text: string;
  conflicts: YamlConflict[];
}

/**
 * Merges three YAML texts of the same number of documents; null when one of them is not valid YAML
 * or their documents do not line up (the caller falls back to a line merge it then validates).
 */
export function mergeYaml(base: string, ours: string, theirs: string, prefer: 'ours' | 'theirs'): YamlMergeResult | null {
  const lc = new LineCounter();
  const b = parseYamlDocs(base);
  const o = parseYamlDocs(ours, lc);
  const t = parseYamlDocs(theirs);
  if (!b || !o || !t || b.length !== o.length || o.length !== t.length) return null;
  const conflicts: YamlConflict[] = [];
  try {
    for (let i = 0; i < o.length; i++) {
      const ctx: Ctx = { base: b[i]!, ours: o[i]!, theirs: t[i]!, lc, prefer, conflicts };
      const od = o[i]!;
      mergeNode(ctx, '', b[i]!.contents as N, od.contents as N, t[i]!.contents as N, (n) => (od.contents = n as never), od.contents as N);
    }
  } catch {
    return null; // an alias bomb or a shape this merge does not model: let the caller be careful
  }
  const text = o.map((d, i) => {
    const s = d.toString({ lineWidth: 0, flowCollectionPadding: false });
    // Every document after the first starts with its own marker.
    return i > 0 && !s.startsWith('---') ? `---\n${s}` : s;
  });
  return { text: text.join(''), conflicts };
}
