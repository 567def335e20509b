// Seed 000: an application repo and its sibling -support repo. (Being written: issue 4.)
import { UserError } from '../errors.js';
import type { StackSpec } from '../spec.js';
import type { PresetOutput } from './types.js';

export function planAppSupport(spec: StackSpec): PresetOutput {
  throw new UserError('preset-unavailable', `preset "${spec.preset}" is not available in this version yet`, 'use --preset bd-build-data');
}
