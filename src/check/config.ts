// Severities and path ignores: the `check:` section of .create-stack.yaml (or --config <file>), then
// --rule flags. Unknown rule ids and unreadable files are the user's mistakes: exit 2.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { Level } from './types.js';

export interface CheckConfig {
  levels: Map<string, Level>;
  /** Globs (from the repo root) whose files are not reported. */
  ignore: string[];
}

const LEVELS: Record<string, Level> = { off: 'off', warn: 'warning', warning: 'warning', error: 'error', info: 'info' };

export function parseLevel(value: unknown, where: string): Level {
  const level = LEVELS[String(value)];
  if (!level) throw new UserError('check-config', `${where}: "${String(value)}" is not a level`, 'use off, info, warn or error');
  return level;
}

function checkId(id: string, known: Set<string>, where: string): void {
  if (known.has(id)) return;
  const near = [...known].filter((k) => k.endsWith(`/${id.split('/').pop()}`) || k.startsWith(`${id}/`)).slice(0, 3);
  throw new UserError('rule-unknown', `${where}: no rule "${id}"`, near.length ? `did you mean ${near.join(', ')}?` : 'create-stack check --list-rules shows every rule id');
}

/** Reads a config file: its `check:` section, or the whole file when it is the section itself. */
export async function readConfigFile(path: string, known: Set<string>, required: boolean): Promise<CheckConfig> {
  const config: CheckConfig = { levels: new Map(), ignore: [] };
  if (!existsSync(path)) {
    if (required) throw new UserError('config-unreadable', `config file ${path} does not exist`, 'pass an existing file to --config');
    return config;
  }
  let doc: unknown;
  try {
    const { parse } = await import('yaml');
    doc = parse(readFileSync(path, 'utf8'), { maxAliasCount: 100 });
  } catch (err) {
    if (!required) return config; // a broken .create-stack.yaml is a finding of its own, not a config
    throw new UserError('config-unreadable', `config file ${path} cannot be read: ${(err as Error).message.split('\n')[0]}`, 'fix its YAML');
  }
  const obj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!obj(doc)) {
    if (required) throw new UserError('config-unreadable', `config file ${path} is not a YAML mapping`, 'write a check: section with rules: and ignore:');
    return config;
  }
  const section = obj(doc.check) ? doc.check : required && !('check' in doc) ? doc : null;
  if (section === null) {
    if (doc.check !== undefined && doc.check !== null) throw new UserError('check-config', `${path}: check: must be a mapping`, 'write check: with rules: and ignore: below it');
    return config;
  }
  for (const key of Object.keys(section)) {
    if (key !== 'rules' && key !== 'ignore') throw new UserError('check-config', `${path}: unknown key check.${key}`, 'check: takes rules: (id: off|info|warn|error) and ignore: (path globs)');
  }
  if (section.rules !== undefined && section.rules !== null) {
    if (!obj(section.rules)) throw new UserError('check-config', `${path}: check.rules must be a mapping of rule id to level`, 'e.g. compose/resource-limits: off');
    for (const [id, level] of Object.entries(section.rules)) {
      checkId(id, known, path);
      config.levels.set(id, parseLevel(level === false ? 'off' : level, `${path}: ${id}`));
    }
  }
  if (section.ignore !== undefined && section.ignore !== null) {
    if (!Array.isArray(section.ignore) || section.ignore.some((g) => typeof g !== 'string')) {
      throw new UserError('check-config', `${path}: check.ignore must be a list of path globs`, 'e.g. ignore: ["vendor/**"]');
    }
    config.ignore.push(...(section.ignore as string[]));
  }
  return config;
}

/** `--rule id=level` flags. */
export function parseRuleFlags(flags: string[], known: Set<string>): Map<string, Level> {
  const levels = new Map<string, Level>();
  for (const f of flags) {
    const eq = f.lastIndexOf('=');
    if (eq <= 0) throw new UserError('option-invalid', `--rule ${f}: expected <rule-id>=off|info|warn|error`, 'e.g. --rule compose/resource-limits=off');
    const id = f.slice(0, eq);
    checkId(id, known, '--rule');
    levels.set(id, parseLevel(f.slice(eq + 1), `--rule ${id}`));
  }
  return levels;
}

export function repoConfigPath(root: string): string {
  return join(root, '.create-stack.yaml');
}

/** A path glob as a RegExp: `**` any depth, `*` within a segment; a bare directory matches below it. */
export function globToRegExp(glob: string): RegExp {
  let g = glob.replace(/^\.\//, '');
  if (g.endsWith('/')) g += '**';
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*' && g[i + 1] === '*') {
      re += g[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += g[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:/.*)?$`);
}
