import { globToRegExp } from './preset.js';
import { render, templateNames } from './render.js';
import type { FileTree } from './tree.js';

/** Path tokens in template file names: build/__svc__/Dockerfile, deploy/helm/__name__/Chart.yaml. */
export type PathVars = Partial<Record<'__svc__' | '__name__', string>>;

export interface GroupOptions {
  /** Prefix (under templates/) of the templates to render, ending in "/". */
  prefix: string;
  context: unknown;
  vars?: PathVars;
  /** Directory inside the target the group renders into ("" for the root). */
  into?: string;
  userOwned?: string[];
}

/**
 * Renders every template under `prefix` into the tree. A template that renders to nothing but
 * white space is a file the context does not call for, and is left out (.gitkeep files excepted).
 */
export function renderGroup(tree: FileTree, opts: GroupOptions): void {
  const owned = (opts.userOwned ?? []).map(globToRegExp);
  for (const name of templateNames(opts.prefix)) {
    let path = name.slice(opts.prefix.length);
    for (const [token, value] of Object.entries(opts.vars ?? {})) path = path.split(token).join(value);
    if (opts.into) path = `${opts.into}/${path}`;
    const content = render(name, opts.context);
    const isKeep = path.endsWith('.gitkeep');
    if (!isKeep && content.trim() === '') continue;
    tree.add(path, content, { userOwned: owned.some((re) => re.test(path)) });
  }
}
