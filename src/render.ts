// Renders the templates precompiled by the build; only the small Handlebars runtime is loaded.
import Handlebars from 'handlebars/runtime';
import { loadTemplate, templateNames as allTemplateNames } from './templates.js';

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
hb.registerHelper('upper', (value: unknown) => String(value ?? '').toUpperCase());
hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''));

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Template names (paths under templates/, without .hbs) that start with prefix. */
export function templateNames(prefix: string): string[] {
  return allTemplateNames.filter((k) => k.startsWith(prefix));
}

export function render(name: string, context: unknown): string {
  let fn = compiled.get(name);
  if (!fn) {
    const spec = loadTemplate(name);
    if (!spec) throw new Error(`internal: no template ${name}`);
    fn = hb.template(spec);
    compiled.set(name, fn);
  }
  return fn(context);
}
