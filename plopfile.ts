// `npm run plop -- stack <name> "<svc>:<kind> ..."`: create-stack's generators for plop.
// Node 20 loads this TypeScript file through tsx (the npm script passes --import tsx).
import type { NodePlopAPI } from 'plop';
import { registerStackGenerator } from './generators/stack.js';

export default function plopfile(plop: NodePlopAPI): void {
  registerStackGenerator(plop);
}
