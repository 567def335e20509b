// The writing style of a compose file, read from its services, so an edit can be written the way the
// file already is: indentation, quoting, long or short ports and depends_on, list or map environment,
// the networks its services share and whether data lives in named volumes or bind mounts.
import { isMap, isPair, isScalar, isSeq, Scalar, type Node, type Pair, type ParsedNode, type YAMLMap } from 'yaml';
import type { YamlFile } from './yaml-file.js';

export interface ComposeStyle {
  /** Column of the service names under `services:`. */
  serviceColumn: number;
  /** Columns per nesting level inside a service. */
  indent: number;
  /** Columns between a key and the `- ` of its block sequence items (0: `key:\n- item`). */
  seqIndent: number;
  /** Quote character of quoted strings, and whether plain strings are the file's habit. */
  quote: '"' | "'";
  plain: boolean;
  /** Names in lists (networks, depends_on) are quoted. */
  namesQuoted: boolean;
  /** Short-syntax port strings are quoted. */
  portsQuoted: boolean;
  portsLong: boolean;
  /** null when no service has the key. */
  dependsOnLong: boolean | null;
  environmentList: boolean | null;
  networksList: boolean;
  volumeStyle: 'named' | 'bind' | null;
  /** Services are separated by blank lines. */
  blankBetweenServices: boolean;
  /** Top-level `version:` of the file, if any. */
  version: string | null;
}

function pairsOf(map: unknown): Pair<ParsedNode, ParsedNode | null>[] {
  return isMap(map) ? ((map as YAMLMap).items as Pair<ParsedNode, ParsedNode | null>[]).filter((p) => isPair(p) && isScalar(p.key)) : [];
}

function get(map: unknown, key: string): ParsedNode | null | undefined {
  return pairsOf(map).find((p) => String((p.key as Scalar).value) === key)?.value;
}

export function sniffComposeStyle(file: YamlFile): ComposeStyle {
  const text = file.text;
  const col = (offset: number) => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  // An item's node starts after its "- ": the dash is the last one before it on its line.
  const dashCol = (offset: number) => {
    const dash = text.lastIndexOf('-', offset);
    return dash >= text.lastIndexOf('\n', offset - 1) + 1 ? col(dash) : col(offset);
  };
  const style: ComposeStyle = {
    serviceColumn: 2,
    indent: 2,
    seqIndent: 2,
    quote: '"',
    plain: true,
    namesQuoted: false,
    portsQuoted: true,
    portsLong: false,
    dependsOnLong: null,
    environmentList: null,
    networksList: true,
    volumeStyle: null,
    blankBetweenServices: false,
    version: null,
  };
  const root = file.doc?.contents;
  const version = get(root, 'version');
  if (isScalar(version)) style.version = String(version.value);
  const services = pairsOf(get(root, 'services'));
  if (services.length === 0) return style;
  style.serviceColumn = col(services[0]!.key.range![0]);
  const counts = { nameQuoted: 0, namePlain: 0, double: 0, single: 0, plain: 0, portQuoted: 0, portPlain: 0, portLong: 0, depLong: 0, depShort: 0, envList: 0, envMap: 0, netList: 0, netMap: 0, named: 0, bind: 0 };
  let indentSeen = false;
  let seqSeen = false;
  const walkScalars = (node: unknown) => {
    if (isScalar(node)) {
      if (typeof node.value !== 'string') return;
      if (node.type === Scalar.QUOTE_DOUBLE) counts.double++;
      else if (node.type === Scalar.QUOTE_SINGLE) counts.single++;
      else if (node.type === Scalar.PLAIN) counts.plain++;
    } else if (isMap(node)) for (const p of pairsOf(node)) walkScalars(p.value);
    else if (isSeq(node)) for (const i of node.items) walkScalars(i);
  };
  for (let i = 0; i < services.length; i++) {
    const svc = services[i]!;
    const entries = pairsOf(svc.value);
    if (!indentSeen && entries.length && isMap(svc.value) && !(svc.value as YAMLMap).flow) {
      const d = col(entries[0]!.key.range![0]) - style.serviceColumn;
      if (d > 0) {
        style.indent = d;
        indentSeen = true;
      }
    }
    if (i > 0) {
      const prev = services[i - 1]!;
      const between = text.slice((prev.value?.range ?? prev.key.range!)[1], svc.key.range![0]);
      if (/\n[ \t]*\n/.test(between)) style.blankBetweenServices = true;
    }
    for (const e of entries) {
      const key = String((e.key as Scalar).value);
      const v = e.value;
      walkScalars(v);
      if (!seqSeen && isSeq(v) && !v.flow && v.items.length) {
        style.seqIndent = Math.max(0, dashCol((v.items[0] as Node).range![0]) - col(e.key.range![0]));
        seqSeen = true;
      }
      if (key === 'ports' && isSeq(v)) {
        for (const p of v.items) {
          if (isMap(p)) counts.portLong++;
          else if (isScalar(p)) (p.type === Scalar.PLAIN ? counts.portPlain++ : counts.portQuoted++);
        }
      }
      if ((key === 'depends_on' || key === 'networks') && isSeq(v)) {
        for (const item of v.items) if (isScalar(item)) (item.type === Scalar.PLAIN ? counts.namePlain++ : counts.nameQuoted++);
      }
      if (key === 'ports') {
        /* counted above */
      } else if (key === 'depends_on') {
        if (isMap(v)) counts.depLong++;
        else if (isSeq(v)) counts.depShort++;
      } else if (key === 'environment') {
        if (isMap(v)) counts.envMap++;
        else if (isSeq(v)) counts.envList++;
      } else if (key === 'networks') {
        if (isMap(v)) counts.netMap++;
        else if (isSeq(v)) counts.netList++;
      } else if (key === 'volumes' && isSeq(v)) {
        for (const item of v.items) {
          const src = isMap(item) ? get(item, 'source') : null;
          const source = isScalar(item) ? String(item.value).split(':')[0]! : isScalar(src) ? String(src.value) : '';
          const parts = isScalar(item) ? String(item.value).split(':') : [];
          if (isScalar(item) && parts.length < 2) continue; // an anonymous volume says nothing
          if (/^[./~$]/.test(source)) counts.bind++;
          else if (source) counts.named++;
        }
      }
    }
  }
  const quoted = counts.double + counts.single;
  style.quote = counts.single > counts.double ? "'" : '"';
  style.plain = counts.plain >= quoted;
  style.namesQuoted = counts.nameQuoted > counts.namePlain;
  style.portsQuoted = counts.portQuoted > 0 ? counts.portQuoted >= counts.portPlain : !style.plain;
  style.portsLong = counts.portLong > counts.portQuoted + counts.portPlain;
  if (counts.depLong + counts.depShort) style.dependsOnLong = counts.depLong >= counts.depShort;
  if (counts.envList + counts.envMap) style.environmentList = counts.envList > counts.envMap;
  style.networksList = counts.netList >= counts.netMap;
  if (counts.named + counts.bind) style.volumeStyle = counts.named >= counts.bind ? 'named' : 'bind';
  return style;
}

/** Network names a service joins (none: the project's default network). */
export function serviceNetworks(service: unknown): string[] {
  const n = get(service, 'networks');
  if (isSeq(n)) return n.items.filter((s) => isScalar(s)).map((s) => String((s as Scalar).value));
  if (isMap(n)) return pairsOf(n).map((p) => String((p.key as Scalar).value));
  return [];
}
