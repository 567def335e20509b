// Three-way merge of text files, line by line (diff3): the change base→theirs is laid onto ours.
// Hunks of ours and theirs that touch the same base lines and differ are conflicts.
import { diffArrays } from 'diff';

export interface MergeResult {
  text: string;
  /** What could not be merged, described for the user (line numbers of ours); empty when clean. */
  conflicts: string[];
}

interface Hunk {
  /** Base lines [start, end) replaced by `lines`. */
  start: number;
  end: number;
  lines: string[];
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  // Keep the newline with each line so a missing final newline is a change like any other.
  return lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)).filter((l, i) => i < lines.length - 1 || l !== '');
}

function hunks(base: string[], other: string[]): Hunk[] {
  const out: Hunk[] = [];
  let b = 0;
  let cur: Hunk | null = null;
  for (const part of diffArrays(base, other)) {
    if (!part.added && !part.removed) {
      if (cur) out.push(cur);
      cur = null;
      b += part.value.length;
      continue;
    }
    cur ??= { start: b, end: b, lines: [] };
    if (part.removed) {
      b += part.value.length;
      cur.end = b;
    } else cur.lines.push(...part.value);
  }
  if (cur) out.push(cur);
  return out;
}

function same(a: Hunk, b: Hunk): boolean {
  return a.start === b.start && a.end === b.end && a.lines.join('') === b.lines.join('');
}

/**
 * diff3. `prefer: 'theirs'` resolves a conflict with theirs' side (`--force`); otherwise the conflict
 * is reported and ours' side is kept in the text.
 */
export function mergeLines(base: string, ours: string, theirs: string, opts: { prefer?: 'theirs' } = {}): MergeResult {
  if (ours === base) return { text: theirs, conflicts: [] };
  if (theirs === base || ours === theirs) return { text: ours, conflicts: [] };
  const B = splitLines(base);
  const O = hunks(B, splitLines(ours));
  const T = hunks(B, splitLines(theirs));
  const out: string[] = [];
  const conflicts: string[] = [];
  let pos = 0; // next base line not yet emitted
  let oi = 0;
  let ti = 0;
  let oursLine = 1;
  const copyTo = (end: number) => {
    for (; pos < end; pos++) {
      out.push(B[pos]!);
      oursLine++;
    }
  };
  while (oi < O.length || ti < T.length) {
    const o = O[oi];
    const t = T[ti];
    const overlap = o && t && (o.start < t.end || (o.start === t.start)) && (t.start < o.end || o.start === t.start);
    if (o && t && overlap) {
      // Grow the region while hunks of either side keep overlapping it.
      let start = Math.min(o.start, t.start);
      let end = Math.max(o.end, t.end);
      const os: Hunk[] = [o];
      const ts: Hunk[] = [t];
      oi++;
      ti++;
      for (let grew = true; grew; ) {
        grew = false;
        while (oi < O.length && O[oi]!.start < end) (os.push(O[oi]!), (end = Math.max(end, O[oi]!.end)), oi++, (grew = true));
        while (ti < T.length && T[ti]!.start < end) (ts.push(T[ti]!), (end = Math.max(end, T[ti]!.end)), ti++, (grew = true));
      }
      start = Math.min(start, ...os.map((h) => h.start), ...ts.map((h) => h.start));
      copyTo(start);
      const side = (hs: Hunk[]) => {
        const lines: string[] = [];
        let p = start;
        for (const h of hs) {
          lines.push(...B.slice(p, h.start), ...h.lines);
          p = h.end;
        }
        lines.push(...B.slice(p, end));
        return lines;
      };
      const oLines = side(os);
      const tLines = side(ts);
      if (os.length === 1 && ts.length === 1 && same(os[0]!, ts[0]!)) out.push(...oLines);
      else if (oLines.join('') === tLines.join('')) out.push(...oLines);
      else {
        conflicts.push(`lines ${oursLine}-${oursLine + Math.max(oLines.length - 1, 0)} were changed here and by this command`);
        out.push(...(opts.prefer === 'theirs' ? tLines : oLines));
      }
      oursLine += oLines.length;
      pos = end;
    } else if (o && (!t || o.start < t.start || (o.start === t.start && o.end <= t.start))) {
      copyTo(o.start);
      out.push(...o.lines);
      oursLine += o.lines.length;
      pos = o.end;
      oi++;
    } else if (t) {
      copyTo(t.start);
      out.push(...t.lines);
      pos = t.end;
      ti++;
    }
  }
  copyTo(B.length);
  return { text: out.join(''), conflicts };
}
