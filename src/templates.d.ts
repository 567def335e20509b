// Type of dist/templates.js, which scripts/build.mjs generates from templates/.
import type Handlebars from 'handlebars';
import type { KindManifest } from './kind.js';
import type { PresetManifest } from './preset.js';

export const version: string;
export const kinds: Record<string, KindManifest>;
export const presets: Record<string, PresetManifest>;
export const templateNames: string[];
export function loadTemplate(name: string): Handlebars.TemplateSpecification | undefined;
