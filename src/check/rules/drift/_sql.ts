// What a PostgreSQL schema script declares, read without a database: the tables, their columns and
// the indexes that CREATE / ALTER / DROP statements leave, each with where it is declared. Enough
// to compare a full schema file with a chain of migrations; not a SQL parser (functions, views and
// types are not followed).

export interface Declared {
  /** 1-based line and column of the name in the script. */
  line: number;
  col: number;
  /** The declaration's own text (a column's definition, a CREATE TABLE statement). */
  text: string;
}

export interface Table extends Declared {
  columns: Map<string, Declared>;
}

export interface Schema {
  tables: Map<string, Table>;
  indexes: Map<string, Declared & { table: string }>;
}

export const emptySchema = (): Schema => ({ tables: new Map(), indexes: new Map() });

/**
 * The text with comments, string literals and dollar-quoted bodies blanked (same length, newlines
 * kept), so that parentheses, commas and semicolons in them do not count and offsets stay true.
 */
export function blank(sql: string): string {
  const out = sql.split('');
  const wipe = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      wipe(i, stop);
      i = stop;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      wipe(i, stop);
      i = stop;
    } else if (c === "'") {
      // E'…' strings escape with a backslash too.
      const escapes = /[Ee]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" || (escapes && sql[j] === '\\') ? 2 : 1;
      wipe(i + 1, j);
      i = j + 1;
    } else if (c === '"') {
      // A quoted identifier stays (it is a name), but what is in it is neither comment nor string.
      const end = sql.indexOf('"', i + 1);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '$') {
      const tag = /^\$(?:[A-Za-z_]\w*)?\$/.exec(sql.slice(i, i + 64))?.[0];
      if (!tag) {
        i++;
        continue;
      }
      const end = sql.indexOf(tag, i + tag.length);
      const stop = end < 0 ? sql.length : end + tag.length;
      wipe(i + tag.length, stop - tag.length);
      i = stop;
    } else {
      i++;
    }
  }
  return out.join('');
}

/** Splits at top-level `sep` (depth 0 of parentheses, outside "quoted" names) of a blanked text: [start, end) ranges. */
function splitTop(text: string, sep: string, from = 0, to = text.length): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  let quoted = false;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    if (quoted || c === '"') continue;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === sep && depth === 0) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  parts.push([start, to]);
  return parts;
}

/** A name as PostgreSQL folds it: "Quoted" keeps its case, the rest is lower case; `public.` is dropped. */
export function normalName(raw: string): string {
  const parts = raw.split('.').map((p) => (p.startsWith('"') ? p.slice(1, -1) : p.toLowerCase()));
  if (parts.length === 2 && parts[0] === 'public') parts.shift();
  return parts.join('.');
}

const NAME = String.raw`(?:"[^"]+"|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|[A-Za-z_][\w$]*))?`;
const CONSTRAINT_WORDS = new Set(['constraint', 'primary', 'unique', 'check', 'foreign', 'exclude', 'like']);

/** Applies one script to a schema (a migration to the state before it; a schema file to an empty one). */
export function applySql(schema: Schema, sql: string): Schema {
  const b = blank(sql);
  const lineStarts = [0];
  for (let i = 0; i < sql.length; i++) if (sql[i] === '\n') lineStarts.push(i + 1);
  const at = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - lineStarts[lo]! + 1 };
  };
  for (const [s, e] of splitTop(b, ';')) {
    const lead = /^\s*/.exec(b.slice(s, e))![0].length;
    const start = s + lead;
    const stmt = b.slice(start, e);
    let m: RegExpExecArray | null;
    if ((m = new RegExp(String.raw`^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:UNLOGGED\s+|TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(${NAME})\s*\(`, 'id').exec(stmt))) {
      const name = normalName(m[1]!);
      if (schema.tables.has(name)) continue; // IF NOT EXISTS on an existing table: a no-op
      const open = start + m[0].length;
      let depth = 1;
      let close = open;
      while (close < e && depth > 0) {
        if (b[close] === '(') depth++;
        else if (b[close] === ')') depth--;
        close++;
      }
      const columns = new Map<string, Declared>();
      for (const [cs, ce] of splitTop(b, ',', open, close - 1)) {
        const item = b.slice(cs, ce);
        const w = new RegExp(`^\\s*(${NAME})`).exec(item);
        if (!w || CONSTRAINT_WORDS.has(w[1]!.toLowerCase())) continue;
        const off = cs + w[0].length - w[1]!.length;
        columns.set(normalName(w[1]!), { ...at(off), text: sql.slice(off, ce).trim() });
      }
      schema.tables.set(name, { ...at(start + m.indices![1]![0]), text: sql.slice(start, close).trim(), columns });
    } else if ((m = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${NAME})\s+`, 'i').exec(stmt))) {
      const name = normalName(m[1]!);
      const table = schema.tables.get(name);
      const actionsFrom = start + m[0].length;
      const rename = new RegExp(`^RENAME\\s+TO\\s+(${NAME})`, 'i').exec(b.slice(actionsFrom, e).trim());
      if (rename) {
        if (table) {
          schema.tables.delete(name);
          schema.tables.set(normalName(rename[1]!), table);
          for (const ix of schema.indexes.values()) if (ix.table === name) ix.table = normalName(rename[1]!);
        }
        continue;
      }
      if (!table) continue;
      for (const [as, ae] of splitTop(b, ',', actionsFrom, e)) {
        const action = b.slice(as, ae);
        const add = new RegExp(`^\\s*ADD\\s+(?:COLUMN\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?(${NAME})`, 'i').exec(action);
        const drop = new RegExp(`^\\s*DROP\\s+(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?(${NAME})`, 'i').exec(action);
        const ren = new RegExp(`^\\s*RENAME\\s+(?:COLUMN\\s+)?(${NAME})\\s+TO\\s+(${NAME})`, 'i').exec(action);
        if (add && !CONSTRAINT_WORDS.has(add[1]!.toLowerCase())) {
          const col = normalName(add[1]!);
          const off = as + add[0].length - add[1]!.length;
          if (!table.columns.has(col)) table.columns.set(col, { ...at(off), text: sql.slice(off, ae).trim() });
        } else if (drop && !CONSTRAINT_WORDS.has(drop[1]!.toLowerCase())) {
          table.columns.delete(normalName(drop[1]!));
        } else if (ren) {
          const c = table.columns.get(normalName(ren[1]!));
          if (c) {
            table.columns.delete(normalName(ren[1]!));
            table.columns.set(normalName(ren[2]!), c);
          }
        }
      }
    } else if ((m = new RegExp(String.raw`^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?`, 'i').exec(stmt))) {
      for (const [ns, ne] of splitTop(b, ',', start + m[0].length, e)) {
        const n = new RegExp(`^\\s*(${NAME})`).exec(b.slice(ns, ne));
        if (!n) continue;
        const name = normalName(n[1]!);
        schema.tables.delete(name);
        for (const [ix, v] of schema.indexes) if (v.table === name) schema.indexes.delete(ix);
      }
    } else if ((m = new RegExp(String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(${NAME})\s+ON\s+(?:ONLY\s+)?(${NAME})`, 'id').exec(stmt))) {
      const name = normalName(m[1]!);
      if (!schema.indexes.has(name)) schema.indexes.set(name, { ...at(start + m.indices![1]![0]), text: sql.slice(start, e).trim(), table: normalName(m[2]!) });
    } else if ((m = new RegExp(String.raw`^ALTER\s+INDEX\s+(?:IF\s+EXISTS\s+)?(${NAME})\s+RENAME\s+TO\s+(${NAME})`, 'i').exec(stmt))) {
      const ix = schema.indexes.get(normalName(m[1]!));
      if (ix) {
        schema.indexes.delete(normalName(m[1]!));
        schema.indexes.set(normalName(m[2]!), ix);
      }
    } else if ((m = new RegExp(String.raw`^DROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?`, 'i').exec(stmt))) {
      for (const [ns, ne] of splitTop(b, ',', start + m[0].length, e)) {
        const n = new RegExp(`^\\s*(${NAME})`).exec(b.slice(ns, ne));
        if (n) schema.indexes.delete(normalName(n[1]!));
      }
    }
  }
  return schema;
}
