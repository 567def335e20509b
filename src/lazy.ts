// Libraries loaded on first use. The engine imports every preset; `new` of most presets needs neither
// the yaml library (the server preset's helpers read YAML) nor bcryptjs (its dashboard password), and
// loading them costs tens of milliseconds of startup.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type Bcrypt from 'bcryptjs';

// __filename in the CommonJS CLI bundle, import.meta.url in the ES module API build.
const cli = typeof __filename === 'string' && __filename.endsWith('.cjs');
const load = (name: string): unknown => createRequire(cli ? __filename : import.meta.url)(name);

let yamlLib: typeof Yaml | undefined;
export function yaml(): typeof Yaml {
  // The CLI bundle's modules import yaml from dist/yaml.cjs (scripts/build.mjs): the same copy here,
  // not a second one from node_modules.
  yamlLib ??= load(cli ? './yaml.cjs' : 'yaml') as typeof Yaml;
  return yamlLib;
}

let bcryptLib: typeof Bcrypt | undefined;
export function bcrypt(): typeof Bcrypt {
  bcryptLib ??= load('bcryptjs') as typeof Bcrypt;
  return bcryptLib;
}
