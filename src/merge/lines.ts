// Line-wise three-way merge with `git merge-file` semantics: a change of one side is taken; the same
// change on both sides is taken once; different changes to the same or touching lines of base conflict.
import { diffArrays } from 'diff';

/** A stretch of base, [baseStart, baseEnd), that one side replaced by its own [start, end). */
interface Hunk {
  baseStart: number;
  baseEnd: number;
  start: number;
  end: number;
}

/** One region of the merge: common/one-sided text, or a conflict with the three versions. */
export type Region =
  | { ok: string[] }
  | { base: string[]; ours: string[]; theirs: string[]; /** 0-based line in ours where it starts */ oursLine: number };

/** Lines with their terminators, so a missing final newline survives. */
export function splitLines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

function hunks(base: string[], side: string[]): Hunk[] {
  const out: Hunk[] = [];
  let b = 0;
  let s = 0;
  let open: Hunk | null = null;
  for (const part of diffArrays(base, side)) {
    const n = part.value.length;
    if (!part.added && !part.removed) {
      if (open) out.push(open);
      open = null;
      b += n;
      s += n;
      continue;
    }
    open ??= { baseStart: b, baseEnd: b, start: s, end: s };
    if (part.removed) {
      b += n;
      open.baseEnd = b;
    } else {
      s += n;
      open.end = s;
    }
  }
  if (open) out.push(open);
  return out;
}

/** The side's lines standing for base[from, to), given that side's hunks inside that range. */
function sideSlice(side: string[], base: string[], hs: Hunk[], from: number, to: number): string[] {
  if (hs.length === 0) return base.slice(from, to);
  const first = hs[0]!;
  const last = hs[hs.length - 1]!;
  return side.slice(first.start - (first.baseStart - from), last.end + (to - last.baseEnd));
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** diff3 of three line arrays into regions. */
export function diff3(base: string[], ours: string[], theirs: string[]): Region[] {
  const all = [
    ...hunks(base, ours).map((h) => ({ h, side: 0 as const })),
    ...hunks(base, theirs).map((h) => ({ h, side: 1 as const })),
  ].sort((a, b) => a.h.baseStart - b.h.baseStart || a.h.baseEnd - b.h.baseEnd);
  const regions: Region[] = [];
  const push = (lines: string[]) => {
    if (lines.length === 0) return;
    const last = regions[regions.length - 1];
    if (last && 'ok' in last) last.ok.push(...lines);
    else regions.push({ ok: [...lines] });
  };
  let b = 0; // next base line not yet emitted
  let oursOffset = 0; // ours line index minus base line index, after the last emitted hunk of ours
  for (let i = 0; i < all.length; ) {
    // A group: hunks whose base ranges overlap or touch (git treats touching changes as a conflict).
    const group = [all[i]!];
    let start = all[i]!.h.baseStart;
    let end = all[i]!.h.baseEnd;
    for (i++; i < all.length && all[i]!.h.baseStart <= end; i++) {
      group.push(all[i]!);
      end = Math.max(end, all[i]!.h.baseEnd);
    }
    start = Math.min(start, ...group.map((g) => g.h.baseStart));
    push(base.slice(b, start));
    const oh = group.filter((g) => g.side === 0).map((g) => g.h);
    const th = group.filter((g) => g.side === 1).map((g) => g.h);
    const o = sideSlice(ours, base, oh, start, end);
    const t = sideSlice(theirs, base, th, start, end);
    const oursLine = start + oursOffset;
    if (th.length === 0) push(o);
    else if (oh.length === 0 || same(o, t)) push(t);
    else regions.push({ base: base.slice(start, end), ours: o, theirs: t, oursLine });
    if (oh.length) {
      const last = oh[oh.length - 1]!;
      oursOffset = last.end - last.baseEnd;
    }
    b = end;
  }
  push(base.slice(b));
  return regions;
}

export interface LineMergeResult {
  regions: Region[];
  conflicts: number;
}

export function mergeLines(base: string, ours: string, theirs: string): LineMergeResult {
  const regions = diff3(splitLines(base), splitLines(ours), splitLines(theirs));
  return { regions, conflicts: regions.filter((r) => !('ok' in r)).length };
}

/** The regions as text, conflicts resolved to one side or written with diff3-style markers. */
export function renderRegions(regions: Region[], resolve: 'ours' | 'theirs' | 'markers', labels = { ours: 'yours', base: 'base', theirs: 'theirs' }): string {
  const out: string[] = [];
  const block = (lines: string[]) => {
    out.push(...lines);
    const last = lines[lines.length - 1];
    if (last !== undefined && !last.endsWith('\n')) out.push('\n');
  };
  for (const r of regions) {
    if ('ok' in r) out.push(...r.ok);
    else if (resolve === 'ours') out.push(...r.ours);
    else if (resolve === 'theirs') out.push(...r.theirs);
    else {
      out.push(`<<<<<<< ${labels.ours}\n`);
      block(r.ours);
      out.push(`||||||| ${labels.base}\n`);
      block(r.base);
      out.push('=======\n');
      block(r.theirs);
      out.push(`>>>>>>> ${labels.theirs}\n`);
    }
  }
  return out.join('');
}
