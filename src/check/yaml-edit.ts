// Edits through the yaml Document API that fixes share: find a mapping by path (following aliases,
// so an anchored block is edited once, never expanded into copies), set keys in place.
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import type { PathSeg } from '../model/index.js';

function resolve(doc: Document, node: unknown): unknown {
  let n = node;
  for (let i = 0; i < 16 && isAlias(n); i++) n = (n as { resolve(d: Document): Node | undefined }).resolve(doc);
  return n;
}

/** The node at `path`, aliases followed at every step. */
export function nodeAt(doc: Document, path: PathSeg[]): unknown {
  let node: unknown = doc.contents;
  for (const seg of path) {
    node = resolve(doc, node);
    // Keys are scalars when parsed, plain strings when a fix has just set them.
    if (isMap(node)) node = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg))?.value;
    else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
    else return undefined;
  }
  return resolve(doc, node);
}

export function mapAt(doc: Document, path: PathSeg[]): YAMLMap | null {
  const n = nodeAt(doc, path);
  return isMap(n) ? n : null;
}

export function seqAt(doc: Document, path: PathSeg[]): YAMLSeq | null {
  const n = nodeAt(doc, path);
  return isSeq(n) ? n : null;
}

/** Sets `key` in the mapping at `path` (when that mapping exists) to a plain JS value. */
export function setIn(doc: Document, path: PathSeg[], key: string, value: unknown): boolean {
  const map = mapAt(doc, path);
  if (!map) return false;
  map.set(doc.createNode(key), doc.createNode(value));
  return true;
}
