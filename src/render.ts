// Renders the templates precompiled by the build; only the small Handlebars runtime is loaded.
import Handlebars from 'handlebars/runtime';
import { kinds, loadTemplate, templateNames as allTemplateNames } from './templates.js';
import type { KindManifest } from './kind.js';

const hb = Handlebars.create();

/** JSON is valid YAML, so a JSON string is a YAML-safe scalar whatever the value holds. */
hb.registerHelper('json', (value: unknown) =>
  Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(value),
);
hb.registerHelper('yaml', (value: unknown) => JSON.stringify(value == null ? '' : String(value)));
/** POSIX single quoting: the value reaches the shell as one literal word. */
hb.registerHelper('sh', (value: unknown) => `'${String(value ?? '').replace(/'/g, `'\\''`)}'`);
hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
/**
 * A YAML literal block (`|`) of a multi-line string ending in one newline, its lines indented by `n`
 * spaces; any other string (leading or trailing blanks, control characters) as a JSON scalar.
 */
hb.registerHelper('block', (value: unknown, n: unknown) => {
  const text = String(value ?? '');
  const plain = /^[^ \t\n][^]*[^\n]\n$/.test(text) && !/[ \t]$/m.test(text) && !/[^\n\x20-\x7e\u00a0-\uffff]/.test(text);
  if (!plain) return JSON.stringify(text);
  const pad = ' '.repeat(typeof n === 'number' ? n : 2);
  return `|\n${text.slice(0, -1).split('\n').map((l) => (l ? pad + l : '')).join('\n')}`;
});
hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
hb.registerHelper('upper', (value: unknown) => String(value ?? '').toUpperCase());
hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''));
/** A Markdown table cell: a `|` in a value (`redis-cli ping | grep`) would split the cell, even inside backticks. */
hb.registerHelper('cell', (value: unknown) => String(value ?? '').replace(/\|/g, '\\|'));

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/**
 * Another template set to plan with: precompiled templates by name (null removes one, a new name
 * adds one) and kinds whose data differs. How `update` is tested against a changed standard, and how
 * a program can render its own variant; the shipped set is untouched outside `withTemplates`.
 */
export interface TemplateSet {
  templates?: Record<string, NonNullable<ReturnType<typeof loadTemplate>> | null>;
  kinds?: Record<string, KindManifest>;
}
let override: { set: TemplateSet; compiled: Map<string, Handlebars.TemplateDelegate> } | null = null;

/** Runs `fn` (synchronous: a plan) with `set` in place of the shipped templates. */
export function withTemplates<T>(set: TemplateSet, fn: () => T): T {
  const before = { override, kinds: { ...kinds } };
  override = { set, compiled: new Map() };
  Object.assign(kinds, set.kinds ?? {});
  try {
    return fn();
  } finally {
    override = before.override;
    for (const k of Object.keys(kinds)) if (!(k in before.kinds)) delete kinds[k];
    Object.assign(kinds, before.kinds);
  }
}

/** Template names (paths under templates/, without .hbs) that start with prefix. */
export function templateNames(prefix: string): string[] {
  const changed = override?.set.templates;
  const names = changed
    ? [...new Set([...allTemplateNames, ...Object.keys(changed)])].filter((k) => changed[k] !== null).sort()
    : allTemplateNames;
  return names.filter((k) => k.startsWith(prefix));
}

export function render(name: string, context: unknown): string {
  const changed = override?.set.templates;
  if (changed && Object.hasOwn(changed, name)) {
    let fn = override!.compiled.get(name);
    if (!fn) {
      const spec = changed[name];
      if (!spec) throw new Error(`internal: no template ${name}`);
      fn = hb.template(spec);
      override!.compiled.set(name, fn);
    }
    return fn(context);
  }
  let fn = compiled.get(name);
  if (!fn) {
    const spec = loadTemplate(name);
    if (!spec) throw new Error(`internal: no template ${name}`);
    fn = hb.template(spec);
    compiled.set(name, fn);
  }
  return fn(context);
}
