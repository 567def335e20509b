// A YAML file read for checking or editing: its text, its Document (comments, anchors and all), and
// positions of every node in the original text. Bounded: oversized, binary and alias-bomb files
// become problems to report, never a hang or a crash.
import { readFileSync } from 'node:fs';
import {
  isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair, type ParsedNode,
} from 'yaml';
import { LIMITS } from './discover.js';

export interface Position {
  /** 1-based line and column in the original text. */
  line: number;
  col: number;
}

export type PathSeg = string | number;

export interface FileProblem {
  /** yaml/parse-error, file/too-large, file/binary, yaml/alias-bomb, yaml/multi-document, file/unreadable */
  kind: string;
  message: string;
  pos: Position;
}

export class YamlFile {
  readonly lineCounter = new LineCounter();
  readonly problems: FileProblem[] = [];
  /** The first document, or null when the file could not be parsed at all. */
  readonly doc: Document.Parsed | null = null;
  /** Every document of the file (Kubernetes manifests hold several); `doc` is the first. */
  readonly docs: Document.Parsed[] = [];
  private js: unknown;
  private jsDone = false;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    if (text.includes('\0')) {
      this.problems.push({ kind: 'file/binary', message: 'the file holds binary data (a NUL byte), not YAML', pos: { line: 1, col: 1 } });
      return;
    }
    // merge: true reads Compose's `<<: *anchor` merge keys as merges, as Compose does.
    const docs = parseAllDocuments(text, { merge: true, lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [];
    if (list.length === 0) {
      this.doc = null;
      return;
    }
    this.doc = list[0]!;
    this.docs = list;
    for (const d of list) {
      for (const e of d.errors) this.problems.push({ kind: 'yaml/parse-error', message: e.message.split('\n')[0]!, pos: this.pos(e.pos[0]) });
    }
    if (list.length > 1) {
      const second = list[1]!.range[0];
      this.problems.push({ kind: 'yaml/multi-document', message: `${list.length} YAML documents in one file; only the first is read`, pos: this.pos(second) });
    }
  }

  static read(path: string, abs: string, size: number): YamlFile {
    if (size > LIMITS.maxBytes) {
      const f = new YamlFile(path, '');
      f.problems.push({ kind: 'file/too-large', message: `${(size / 1048576).toFixed(1)} MiB is more than the ${LIMITS.maxBytes / 1048576} MiB read`, pos: { line: 1, col: 1 } });
      return f;
    }
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (err) {
      const f = new YamlFile(path, '');
      f.problems.push({ kind: 'file/unreadable', message: (err as Error).message, pos: { line: 1, col: 1 } });
      return f;
    }
    return new YamlFile(path, text);
  }

  get parsed(): boolean {
    return this.doc !== null && !this.problems.some((p) => p.kind !== 'yaml/multi-document');
  }

  /** Plain JS of the document (merge keys applied); undefined when it has errors or is an alias bomb. */
  toJS(): unknown {
    if (this.jsDone) return this.js;
    this.jsDone = true;
    if (!this.parsed || !this.doc) return undefined;
    try {
      this.js = this.doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      this.problems.push({ kind: 'yaml/alias-bomb', message: (err as Error).message, pos: { line: 1, col: 1 } });
      this.js = undefined;
    }
    return this.js;
  }

  pos(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, col };
  }

  /** The pair at `path` (its key and value nodes), following aliases and merge keys; null if absent. */
  pair(path: PathSeg[], docIndex = 0): { key: ParsedNode | null; value: ParsedNode | null } | null {
    const doc = this.docs[docIndex];
    if (!doc || path.length === 0) return null;
    let node: unknown = doc.contents;
    let found: { key: ParsedNode | null; value: ParsedNode | null } | null = null;
    for (const seg of path) {
      node = this.resolve(node, doc);
      if (isMap(node)) {
        const p = findPair(node.items as Pair[], seg, (n) => this.resolve(n, doc));
        if (!p) return null;
        found = { key: p.key as ParsedNode, value: p.value as ParsedNode | null };
        node = p.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as ParsedNode | undefined;
        if (item === undefined) return null;
        found = { key: null, value: item };
        node = item;
      } else return null;
    }
    return found;
  }

  /** The node at `path`, or undefined. */
  node(path: PathSeg[]): ParsedNode | null | undefined {
    if (path.length === 0) return (this.doc?.contents as ParsedNode) ?? undefined;
    const p = this.pair(path);
    return p ? p.value : undefined;
  }

  /**
   * Where to point for `path`: the key of a mapping entry (or the item of a sequence); with
   * `at: 'value'` the value. Missing paths fall back to their deepest existing ancestor.
   */
  locate(path: PathSeg[], at: 'key' | 'value' = 'key', docIndex = 0): Position {
    for (let n = path.length; n > 0; n--) {
      const p = this.pair(path.slice(0, n), docIndex);
      if (!p) continue;
      const node = (at === 'value' && n === path.length) || !p.key ? (p.value ?? p.key) : p.key;
      if (node?.range) return this.pos(node.range[0]);
    }
    const top = this.docs[docIndex]?.contents as ParsedNode | null | undefined;
    return top?.range ? this.pos(top.range[0]) : { line: 1, col: 1 };
  }

  private resolve(node: unknown, doc: Document = this.doc!): unknown {
    let n = node;
    for (let i = 0; i < 64 && isAlias(n); i++) n = (n as { resolve(d: Document): Node | undefined }).resolve(doc);
    return n;
  }
}

export function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || key.value === '<<' || key.source === '<<');
}

function keyText(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

/** The pair whose key is `seg`; own keys first, then those brought in by `<<` merge keys. */
function findPair(items: Pair[], seg: PathSeg, resolve: (n: unknown) => unknown): Pair | null {
  for (const p of items) if (isPair(p) && !isMergeKey(p.key) && String(keyText(p.key)) === String(seg)) return p;
  for (const p of items) {
    if (!isPair(p) || !isMergeKey(p.key)) continue;
    const sources = isSeq(p.value) ? p.value.items : [p.value];
    for (const s of sources) {
      const m = resolve(s);
      if (isMap(m)) {
        const hit = findPair(m.items as Pair[], seg, resolve);
        if (hit) return hit;
      }
    }
  }
  return null;
}
