import { join } from 'node:path';
import { readBounded, readSibling } from '../../sibling.js';
import { recorded } from './_spec.js';
import { applySql, emptySchema, type Schema } from './_sql.js';
import type { Rule, RawFinding } from '../../types.js';

/** A name as SQL must spell it: quoted unless PostgreSQL would fold it to itself (schema.table kept apart). */
export function ident(name: string): string {
  return name
    .split('.')
    .map((p) => (/^[a-z_][a-z0-9_$]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`))
    .join('.');
}

/** golang-migrate's files: NNN_<name>.up.sql, applied in the order of their version number. */
export const UP = /^migrations\/(\d+)_[^/]*\.up\.sql$/;

export const rule: Rule = {
  id: 'drift/migrations-match-app-schema',
  severity: 'warning',
  title: "The support repo's migrations/ do not build the app repo's schema",
  rationale:
    "Seed 000: the schema belongs to the app repo (db/create_tables.sql); the support repo's deploy layer applies it to Kubernetes as golang-migrate migrations/. When the app's schema gains a table, column or index that no migration creates, the app's development Compose (which loads create_tables.sql) and production (Kubernetes and the support repo's Compose, which run migrations/) run different databases, and the app fails only in production. Compared: the tables, columns and indexes the app's schema declares and those migrations/*.up.sql leave, in version order.",
  howToFix:
    'Add a migration with the change: deploy/scripts/migrate.sh create <what> writes migrations/NNN_<what>.up.sql and .down.sql; copy the table, column (ALTER TABLE … ADD COLUMN IF NOT EXISTS …) or index from the app\'s db/create_tables.sql. A table the app dropped needs a migration that drops it.',
  fixable: false,
  examples: {
    bad: '-- ../shop/db/create_tables.sql\nCREATE TABLE IF NOT EXISTS insights (id bigint PRIMARY KEY, score double precision);\n-- migrations/001_initial_schema.up.sql\nCREATE TABLE IF NOT EXISTS insights (id bigint PRIMARY KEY);\n',
    good: '-- migrations/002_add_insights_score.up.sql\nALTER TABLE insights ADD COLUMN IF NOT EXISTS score double precision;\n',
  },
  check(ctx) {
    const spec = recorded(ctx.repo);
    if (!spec || spec.repo !== 'support' || spec.preset !== 'app-support' || !spec.name || !/^[a-z0-9][a-z0-9-]*$/.test(spec.name)) return [];
    const ups = ctx.repo.found.others
      .map((p) => ({ p, m: UP.exec(p) }))
      .filter((x): x is { p: string; m: RegExpExecArray } => x.m !== null)
      .sort((a, b) => Number(a.m[1]) - Number(b.m[1]));
    if (ups.length === 0) return [];
    // Paths as seen from this repo's root: the app repo is its sibling.
    const schemaPath = `../${spec.name}/db/create_tables.sql`;
    const appText = readSibling(ctx.repo.root, schemaPath);
    if (appText === null) return [];
    const app = applySql(emptySchema(), appText);

    const migrated: Schema = emptySchema();
    const origin = new Map<string, string>();
    for (const { p } of ups) {
      const text = readBounded(join(ctx.repo.root, p));
      if (text === null) continue;
      const before = new Set(migrated.tables.keys());
      applySql(migrated, text);
      for (const t of migrated.tables.keys()) if (!before.has(t)) origin.set(t, p);
    }

    const out: RawFinding[] = [];
    for (const [name, t] of app.tables) {
      const m = migrated.tables.get(name);
      if (!m) {
        out.push(ctx.pos(schemaPath, t, `table ${name} of ${schemaPath} is created by no migration in migrations/: add one (deploy/scripts/migrate.sh create add_${name.replace(/\W/g, '_').toLowerCase()})`));
        continue;
      }
      for (const [col, c] of t.columns) {
        if (!m.columns.has(col)) out.push(ctx.pos(schemaPath, c, `column ${name}.${col} of ${schemaPath} is added by no migration in migrations/ (ALTER TABLE ${ident(name)} ADD COLUMN IF NOT EXISTS ${c.text.replace(/\s+/g, ' ')})`));
      }
      for (const col of m.columns.keys()) {
        if (!t.columns.has(col)) out.push(ctx.pos(schemaPath, t, `column ${name}.${col}, which migrations/ leave in place, is not in ${schemaPath}: drop it in a migration, or add it back to the schema`));
      }
    }
    for (const [name, ix] of app.indexes) {
      if (!migrated.indexes.has(name) && migrated.tables.has(ix.table)) out.push(ctx.pos(schemaPath, ix, `index ${name} of ${schemaPath} is created by no migration in migrations/`));
    }
    for (const [name, t] of migrated.tables) {
      if (app.tables.has(name) || name === 'schema_migrations') continue;
      const file = origin.get(name) ?? ups[0]!.p;
      out.push(ctx.pos(file, t, `table ${name}, which migrations/ leave in place, is not in ${schemaPath}: drop it in a migration, or add it back to the schema`));
    }
    return out;
  },
};
