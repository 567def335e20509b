import type { StackView } from '../stack-view.js';
import type { FileTree } from '../tree.js';

/** What a preset renders: one tree per repo, named relative to --dest. */
export interface PresetOutput {
  repos: Array<{ name: string; tree: FileTree }>;
  /** Index in `repos` of the repo that layers (--with deploy) go into. */
  layerRepo: number;
  /** The services the layers describe. */
  stack: StackView;
}
