// Edits of an app's compose files through the yaml Document API, so the user's comments, order,
// anchors and quoting survive: Traefik labels, the traefik-public network, ports → expose.
import { isMap, isScalar, isSeq, parseDocument, type Document, YAMLMap, YAMLSeq, Scalar } from 'yaml';
import { NETWORK } from './types.js';

export type Doc = Document.Parsed;

/** Writing an edited file back: no re-wrapped long lines, flow lists as Compose files write them (`["a", "b"]`). */
export const TO_STRING = { lineWidth: 0, flowCollectionPadding: false } as const;

export function parseCompose(text: string): Doc {
  return parseDocument(text, { uniqueKeys: true });
}

const str = (n: unknown): string => (isScalar(n) ? String(n.value) : String(n));

/** The service's mapping in this file, created (empty) when the file does not mention it yet. */
export function serviceNode(doc: Doc, svc: string, create: boolean): YAMLMap | null {
  let services = doc.get('services', true);
  if (!isMap(services)) {
    if (!create) return null;
    doc.set('services', doc.createNode({}));
    services = doc.get('services', true);
  }
  const map = services as YAMLMap;
  let node = map.get(svc, true);
  if (!isMap(node)) {
    if (!create) return null;
    map.set(svc, doc.createNode({}));
    node = map.get(svc, true);
  }
  return node as unknown as YAMLMap;
}

/** Drops every `traefik.*` label; removes the labels key when nothing is left. True when something went. */
export function dropTraefikLabels(svc: YAMLMap, keepKey = false): boolean {
  const labels = svc.get('labels', true);
  let changed = false;
  if (isMap(labels)) {
    for (const item of [...labels.items]) {
      if (/^traefik\./i.test(str(item.key))) {
        labels.delete(item.key);
        changed = true;
      }
    }
    if (labels.items.length === 0 && !keepKey) svc.delete('labels');
  } else if (isSeq(labels)) {
    const keep = labels.items.filter((i) => !/^traefik\./i.test(str(i)));
    changed = keep.length !== labels.items.length;
    labels.items = keep;
    if (keep.length === 0 && !keepKey) svc.delete('labels');
  }
  return changed;
}

/** Adds labels in the style the service already uses (a map, or a list of key=value). */
export function setLabels(doc: Doc, svc: YAMLMap, labels: Array<[string, string]>): void {
  const node = svc.get('labels', true);
  if (isSeq(node)) {
    for (const [k, v] of labels) node.add(doc.createNode(`${k}=${v}`));
    return;
  }
  const map = isMap(node) ? node : (doc.createNode({}) as YAMLMap);
  for (const [k, v] of labels) {
    const s = new Scalar(v);
    s.type = 'QUOTE_DOUBLE';
    map.set(k, s);
  }
  if (!isMap(node)) svc.set('labels', map);
}

/** Joins traefik-public; a service that used only the default network keeps it. */
export function joinNetwork(doc: Doc, svc: YAMLMap, mergedHasNetworks: boolean): void {
  const node = svc.get('networks', true);
  if (isSeq(node)) {
    if (!node.items.some((i) => str(i) === NETWORK)) node.add(doc.createNode(NETWORK));
  } else if (isMap(node)) {
    if (!node.has(NETWORK)) node.set(NETWORK, null);
  } else {
    const nets = mergedHasNetworks ? [NETWORK] : ['default', NETWORK];
    svc.set('networks', doc.createNode(nets, { flow: false }));
  }
}

/** Leaves traefik-public; drops the key when only the default network (which it implied) is left. */
export function leaveNetwork(svc: YAMLMap): void {
  const node = svc.get('networks', true);
  if (isSeq(node)) {
    node.items = node.items.filter((i) => str(i) !== NETWORK);
    if (node.items.length === 0 || (node.items.length === 1 && str(node.items[0]) === 'default')) svc.delete('networks');
  } else if (isMap(node)) {
    node.delete(NETWORK);
    if (node.items.length === 0) svc.delete('networks');
  }
}

/** Declares traefik-public as the external network it is (created once by the server's scripts/network.sh). */
export function declareNetwork(doc: Doc): void {
  let nets = doc.get('networks', true);
  if (!isMap(nets)) {
    doc.set('networks', doc.createNode({}));
    nets = doc.get('networks', true);
    // A blank line before the new top-level key, as the rest of the file has.
    const top = doc.contents as YAMLMap;
    const pair = top.items.find((p) => str(p.key) === 'networks');
    if (pair && isScalar(pair.key)) pair.key.spaceBefore = true;
    else if (pair) pair.key = Object.assign(new Scalar('networks'), { spaceBefore: true });
  }
  const map = nets as YAMLMap;
  if (!map.has(NETWORK)) map.set(NETWORK, doc.createNode({ external: true }));
}

/** Removes the top-level traefik-public declaration when no service of this file uses it any more. */
export function undeclareNetworkIfUnused(doc: Doc): void {
  const services = doc.get('services', true);
  if (isMap(services)) {
    for (const item of services.items) {
      const nets = isMap(item.value) ? item.value.get('networks', true) : null;
      if (isSeq(nets) && nets.items.some((i) => str(i) === NETWORK)) return;
      if (isMap(nets) && nets.has(NETWORK)) return;
    }
  }
  const nets = doc.get('networks', true);
  if (isMap(nets)) {
    nets.delete(NETWORK);
    if (nets.items.length === 0) doc.delete('networks');
  }
}

/** Removes the service's published ports; returns their nodes (to move them to the dev override). */
export function takePorts(svc: YAMLMap): { ports: YAMLSeq; before: string | null; quoted: boolean } | null {
  const ports = svc.get('ports', true);
  if (!isSeq(ports)) return null;
  const i = svc.items.findIndex((p) => str(p.key) === 'ports');
  const next = svc.items[i + 1];
  svc.delete('ports');
  const quoted = ports.items.some((x) => isScalar(x) && x.type !== 'PLAIN');
  return { ports, before: next ? str(next.key) : null, quoted };
}

/** Adds `port` to the service's expose list (the port Traefik forwards to, reachable only from networks). */
export function exposePort(doc: Doc, svc: YAMLMap, port: number): boolean {
  const node = svc.get('expose', true);
  if (isSeq(node)) {
    if (node.items.some((i) => /^\d+/.exec(str(i))?.[0] === String(port))) return false;
    node.add(doc.createNode(String(port)));
    return true;
  }
  const seq = doc.createNode([String(port)], { flow: false }) as YAMLSeq;
  for (const item of seq.items) (item as Scalar).type = 'QUOTE_DOUBLE';
  svc.set('expose', seq);
  return true;
}

/** Takes `port` out of the service's expose list (the key goes when the list is empty). */
export function unexposePort(svc: YAMLMap, port: number): void {
  const node = svc.get('expose', true);
  if (!isSeq(node)) return;
  node.items = node.items.filter((i) => /^\d+/.exec(str(i))?.[0] !== String(port));
  if (node.items.length === 0) svc.delete('expose');
}

/** The value of an environment variable in this file's service, or null. */
export function getEnv(svc: YAMLMap, key: string): string | null {
  const node = svc.get('environment', true);
  if (isSeq(node)) {
    const item = node.items.map(str).find((x) => x.split('=')[0] === key);
    return item === undefined ? null : item.slice(key.length + 1);
  }
  if (isMap(node)) {
    const v = node.get(key);
    return v === undefined || v === null ? null : String(v);
  }
  return null;
}

/** Removes an environment variable (the key goes when nothing is left). */
export function deleteEnv(svc: YAMLMap, key: string): void {
  const node = svc.get('environment', true);
  if (isSeq(node)) node.items = node.items.filter((x) => str(x).split('=')[0] !== key);
  else if (isMap(node)) node.delete(key);
  if ((isSeq(node) || isMap(node)) && node.items.length === 0) svc.delete('environment');
}

/** Published ports, put back (into the list the file has now, else before the key they preceded). */
export function restorePorts(doc: Doc, svc: YAMLMap, ports: string[], before: string | null = null, quoted = true): void {
  const node = svc.get('ports', true);
  if (isSeq(node)) {
    for (const p of ports) if (!node.items.some((i) => str(i) === p)) node.add(doc.createNode(p));
    return;
  }
  const seq = doc.createNode(ports, { flow: false }) as YAMLSeq;
  for (const item of seq.items) (item as Scalar).type = quoted ? 'QUOTE_DOUBLE' : 'PLAIN';
  const at = before === null ? -1 : svc.items.findIndex((p) => str(p.key) === before);
  if (at < 0) svc.set('ports', seq);
  else svc.items.splice(at, 0, doc.createPair('ports', seq) as (typeof svc.items)[number]);
}

/** Removes these ports from the service (those a move had put there); the key goes when empty. */
export function removePorts(svc: YAMLMap, ports: string[]): void {
  const node = svc.get('ports', true);
  if (!isSeq(node)) return;
  node.items = node.items.filter((i) => !ports.includes(str(i)));
  if (node.items.length === 0) svc.delete('ports');
}

/** Sets an environment variable in the style the service uses (map or KEY=value list). */
export function setEnv(doc: Doc, svc: YAMLMap, key: string, value: string): void {
  const node = svc.get('environment', true);
  if (isSeq(node)) {
    const i = node.items.findIndex((x) => str(x).split('=')[0] === key);
    const item = doc.createNode(`${key}=${value}`);
    if (i >= 0) node.items[i] = item;
    else node.add(item);
    return;
  }
  const map = isMap(node) ? node : (doc.createNode({}) as YAMLMap);
  const s = new Scalar(value);
  s.type = 'QUOTE_DOUBLE';
  map.set(key, s);
  if (!isMap(node)) svc.set('environment', map);
}

export function hasKey(svc: YAMLMap, key: string): boolean {
  return svc.has(key);
}
