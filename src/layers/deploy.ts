// Seed 003: the deploy layer (Kubernetes, Helm, CI/CD, Makefile). (Being written: issue 5.)
import { UserError } from '../errors.js';
import type { StackView } from '../stack-view.js';
import type { FileTree } from '../tree.js';

export function planDeployLayer(_tree: FileTree, _stack: StackView): void {
  throw new UserError('layer-unavailable', 'the deploy layer is not available in this version yet', 'drop --with deploy');
}
