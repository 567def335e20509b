// The presets the engine can plan: name → planner. A new preset is one entry here plus its module
// and templates/<preset>/ (the spec's PRESETS list names them for flags and prompts).
import type { StackSpec } from '../spec.js';
import type { PresetOutput } from './types.js';
import { planBdBuildData } from './bd-build-data.js';
import { planAppSupport } from './app-support.js';
import { planServer } from './server.js';
import { planPlatform } from './platform.js';

export const PLANNERS: Record<string, (spec: StackSpec) => PresetOutput> = {
  'bd-build-data': planBdBuildData,
  'app-support': planAppSupport,
  server: planServer,
  platform: planPlatform,
};
