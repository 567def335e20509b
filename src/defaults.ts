import type { ServiceSpec } from './spec.js';

/** What --yes gives a bd-build-data stack: the reference mix of seed 001. */
export const DEFAULT_SERVICES: readonly ServiceSpec[] = [
  { name: 'api', kind: 'fastapi' },
  { name: 'web', kind: 'node' },
  { name: 'db', kind: 'postgres' },
  { name: 'cache', kind: 'redis' },
];

/** Default service name for a kind, offered by the prompts. */
export const DEFAULT_NAME_FOR_KIND: Record<string, string> = {
  fastapi: 'api',
  node: 'web',
  worker: 'worker',
  postgres: 'db',
  redis: 'cache',
  mongodb: 'docs',
  nginx: 'proxy',
};
