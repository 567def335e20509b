// Which compose file of an app repo carries its Traefik labels, and what its services are.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { loadRepo } from '../model/index.js';
import { SPEC_FILE } from '../apply.js';
import type { AppOrigin } from './types.js';

export interface AppRepo {
  /** The repo the user named. */
  sourceDir: string;
  /** The repo whose compose file gets the labels (app-support: the sibling support repo). */
  labelsDir: string;
  /** Compose file (relative to labelsDir) that gets the labels; null when there is none (host services only). */
  file: string | null;
  /** Compose files of labelsDir whose published ports of routed services move or go (relative paths). */
  origin: AppOrigin;
  /** The name in its .create-stack.yaml, when create-stack made it. */
  stackName: string | null;
}

function readSpec(dir: string): Record<string, unknown> | null {
  const p = join(dir, SPEC_FILE);
  if (!existsSync(p)) return null;
  try {
    const doc = parse(readFileSync(p, 'utf8'));
    return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : {};
  } catch {
    throw new UserError('answers-yaml', `${p} is not valid YAML`, 'fix it, or restore it from git');
  }
}

export function isServerRepo(dir: string): boolean {
  return readSpec(dir)?.preset === 'server';
}

/**
 * Finds the compose file that carries an app's labels: the prod file of a create-stack stack (for
 * app-support, in its support repo), else the one compose file of the repo (or `--file`).
 */
export function locateAppRepo(dir: string, fileArg: string | undefined, hostOnly: boolean): AppRepo {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError('app-repo-missing', `${dir} is not a directory`, 'pass the path of the app repo: create-stack add app <app-repo> --server <infra-repo>');
  }
  const spec = readSpec(dir);
  const stackName = typeof spec?.name === 'string' ? spec.name : null;
  if (spec?.preset === 'server') {
    throw new UserError('app-is-server', `${dir} is a server repo, not an app`, 'pass the app repo first and the server with --server');
  }
  if (spec && !fileArg) {
    if (spec.preset === 'app-support') {
      const role = spec.repo === 'support' ? 'support' : 'application';
      const supportDir = role === 'support' ? dir : join(dirname(dir), `${stackName}-support`);
      if (!existsSync(join(supportDir, 'docker-compose.prod.yml'))) {
        throw new UserError('sibling-missing', `the support repo ${supportDir} (with docker-compose.prod.yml, where production runs) is not beside ${dir}`, `check both repos out side by side as ${stackName} and ${stackName}-support`);
      }
      return { sourceDir: dir, labelsDir: supportDir, file: 'docker-compose.prod.yml', origin: 'app-support', stackName };
    }
    if (existsSync(join(dir, 'docker-compose.prod.yml'))) {
      return { sourceDir: dir, labelsDir: dir, file: 'docker-compose.prod.yml', origin: 'bd-build-data', stackName };
    }
  }
  const model = loadRepo(dir);
  const compose = model.files('compose').map((f) => f.path);
  if (fileArg) {
    const rel = relative(dir, join(dir, fileArg)).split('\\').join('/');
    if (rel.startsWith('..') || !compose.includes(rel)) {
      throw new UserError('compose-missing', `--file ${fileArg} is not a compose file of ${dir}`, compose.length ? `use one of: ${compose.join(', ')}` : 'the repo has no compose file');
    }
    return { sourceDir: dir, labelsDir: dir, file: rel, origin: 'compose', stackName };
  }
  if (compose.length === 1) return { sourceDir: dir, labelsDir: dir, file: compose[0]!, origin: 'compose', stackName };
  if (compose.length === 0) {
    if (hostOnly) return { sourceDir: dir, labelsDir: dir, file: null, origin: 'host', stackName };
    throw new UserError('compose-missing', `${dir} has no compose file`, 'route its services with --host-network <svc>=http://172.17.0.1:<port> (host or systemd services), or add a compose file');
  }
  throw new UserError('compose-ambiguous', `${dir} has ${compose.length} compose files: ${compose.join(', ')}`, 'name the one production runs with --file <compose file>');
}

export function defaultAppName(repo: AppRepo): string {
  return repo.stackName ?? basename(repo.sourceDir);
}
