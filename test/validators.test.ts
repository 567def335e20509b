/**
 * Proves every validator in test/helpers/validators.ts can FAIL on bad input
 * and passes good input. If a validator could never fail, tests built on it
 * would prove nothing.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  COMPOSE_SCHEMA_PATH,
  composeConfigMerged,
  composeSchemaErrors,
  dockerComposeConfig,
  dockerfileLintProblems,
  listFiles,
  nodeCheckErrors,
  pyCompileErrors,
  requireTool,
  shellcheckErrors,
  yamllintErrors,
} from './helpers/validators.js';

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'create-stack-validators-'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Write a file under a fresh sub-directory of tmp; returns its absolute path. */
function write(rel: string, content: string, mode?: number): string {
  const p = join(tmp, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  if (mode !== undefined) chmodSync(p, mode);
  return p;
}

describe('requireTool', () => {
  it('returns true for a present tool and caches per name', () => {
    let calls = 0;
    const probe = (): boolean => {
      calls++;
      return true;
    };
    expect(requireTool('fake-present-tool', probe)).toBe(true);
    expect(requireTool('fake-present-tool', probe)).toBe(true);
    expect(calls).toBe(1);
  });

  it('warns (locally) or throws (CI=true) for a missing tool', () => {
    const saved = process.env.CI;
    try {
      process.env.CI = 'true';
      expect(() => requireTool('fake-missing-tool-ci', () => false)).toThrow(/missing.*\.ci\/run/);
      delete process.env.CI;
      const origWrite = process.stderr.write.bind(process.stderr);
      let written = '';
      process.stderr.write = ((chunk: string | Uint8Array): boolean => {
        written += String(chunk);
        return true;
      }) as typeof process.stderr.write;
      try {
        expect(requireTool('fake-missing-tool-local', () => false)).toBe(false);
      } finally {
        process.stderr.write = origWrite;
      }
      expect(written).toContain('!!! SKIPPED: fake-missing-tool-local not installed');
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});

describe('composeSchemaErrors (ajv + dclint compose schema)', () => {
  it('resolves the schema inside node_modules/dclint', () => {
    expect(COMPOSE_SCHEMA_PATH.replace(/\\/g, '/')).toMatch(/node_modules\/dclint\/schemas\/compose\.schema\.json$/);
  });

  it('accepts a valid document', () => {
    const good = {
      services: {
        db: {
          image: 'postgres:16',
          ports: ['127.0.0.1:5432:5432'],
          environment: { POSTGRES_PASSWORD: 'x' },
          volumes: ['./data/db:/var/lib/postgresql/data'],
          healthcheck: { test: ['CMD', 'pg_isready'], interval: '5s' },
        },
        app: { build: { context: './build/app' }, depends_on: { db: { condition: 'service_healthy' } } },
      },
      'x-common': { anything: true },
    };
    expect(composeSchemaErrors(good)).toEqual([]);
  });

  it('rejects a wrong type', () => {
    const errors = composeSchemaErrors({ services: { a: { image: 'x', ports: 'x' } } });
    expect(errors).toContain('/services/a/ports must be array');
  });

  it('rejects an unknown key', () => {
    const errors = composeSchemaErrors({ services: { a: { image: 'x', bogus: 1 } } });
    expect(errors.join('\n')).toMatch(/\/services\/a must NOT have additional properties: 'bogus'/);
  });

  it('rejects a non-object root', () => {
    expect(composeSchemaErrors('services')).not.toEqual([]);
  });
});

describe('dockerComposeConfig / composeConfigMerged (docker-compose v1 config)', () => {
  it('merges several files and the merge passes the schema', (ctx) => {
    const dir = join(tmp, 'compose-good');
    write('compose-good/compose.yaml', 'services:\n  web:\n    image: "nginx:${TAG:-1}"\n    ports: ["8080:80"]\n');
    write('compose-good/compose.dev.yaml', 'services:\n  web:\n    environment:\n      FOO: bar\n');
    const r = dockerComposeConfig(dir, ['compose.yaml', 'compose.dev.yaml'], { TAG: '1.27' });
    if (r.skipped) return ctx.skip();
    expect(r.output).toContain('nginx:1.27');
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([]);

    const merged = composeConfigMerged(dir, ['compose.yaml', 'compose.dev.yaml']) as {
      services: { web: { image: string; environment: Record<string, string> } };
    };
    expect(merged.services.web.image).toBe('nginx:1');
    expect(merged.services.web.environment.FOO).toBe('bar');
    expect(composeSchemaErrors(merged)).toEqual([]);
  });

  it('reports unset variables as warnings', (ctx) => {
    const dir = join(tmp, 'compose-warn');
    write('compose-warn/compose.yaml', 'services:\n  web:\n    image: "nginx:${CREATE_STACK_UNSET_TAG}"\n');
    const r = dockerComposeConfig(dir, ['compose.yaml']);
    if (r.skipped) return ctx.skip();
    expect(r.ok).toBe(true);
    expect(r.warnings.join('\n')).toMatch(/CREATE_STACK_UNSET_TAG/);
  });

  it('fails on an invalid file', (ctx) => {
    const dir = join(tmp, 'compose-bad');
    write('compose-bad/compose.yaml', 'services:\n  a:\n    image: x\n    ports: x\n');
    const r = dockerComposeConfig(dir, ['compose.yaml']);
    if (r.skipped) return ctx.skip();
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/ports/);
    expect(() => composeConfigMerged(dir, ['compose.yaml'])).toThrow(/docker-compose config failed/);
  });

  it('fails on an unknown key and on a missing required variable', (ctx) => {
    const dir = join(tmp, 'compose-bad2');
    write('compose-bad2/compose.yaml', 'services:\n  a:\n    image: x\n    bogus: 1\n');
    write('compose-bad2/req.yaml', 'services:\n  a:\n    image: "${IMG:?IMG required}"\n');
    const r = dockerComposeConfig(dir, ['compose.yaml']);
    if (r.skipped) return ctx.skip();
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/bogus/);
    expect(dockerComposeConfig(dir, ['req.yaml']).ok).toBe(false);
    expect(dockerComposeConfig(dir, ['req.yaml'], { IMG: 'busybox' }).ok).toBe(true);
  });
});

describe('shellcheckErrors', () => {
  it('passes a clean script', (ctx) => {
    const f = write('sh-good/run.sh', '#!/usr/bin/env bash\nset -euo pipefail\nf="${1:-}"\nrm -f -- "$f"\n', 0o755);
    const r = shellcheckErrors([f]);
    if (r.skipped) return ctx.skip();
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('flags an unquoted variable (SC2086)', (ctx) => {
    const f = write('sh-bad/run.sh', '#!/usr/bin/env bash\nf=$1\nrm $f\n', 0o755);
    const r = shellcheckErrors([f]);
    if (r.skipped) return ctx.skip();
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/SC2086/);
  });

  it('takes the dialect from the shebang (bashism in /bin/sh)', (ctx) => {
    const body = 'if [[ -n "${1:-}" ]]; then echo "$1"; fi\n';
    const sh = write('sh-dialect/posix.sh', `#!/bin/sh\n${body}`);
    const bash = write('sh-dialect/bash.sh', `#!/bin/bash\n${body}`);
    const rs = shellcheckErrors([sh]);
    if (rs.skipped) return ctx.skip();
    expect(rs.ok).toBe(false);
    expect(rs.output).toMatch(/SC3010/);
    expect(shellcheckErrors([bash]).ok).toBe(true);
  });

  it('follows sourced files relative to the script (-x)', (ctx) => {
    write('sh-source/lib/common.sh', '# shellcheck shell=bash\ngreet() { echo "hi $1"; }\n');
    const f = write('sh-source/lib/main.sh', '#!/bin/bash\n# shellcheck source=./common.sh\n. "$(dirname "$0")/common.sh"\ngreet "x"\n');
    const r = shellcheckErrors([f], tmp);
    if (r.skipped) return ctx.skip();
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });
});

describe('dockerfileLintProblems (dockerfile-utils)', () => {
  it('passes a good multi-stage Dockerfile', () => {
    const good = [
      '# syntax=docker/dockerfile:1',
      'ARG NODE_VERSION=20',
      'FROM node:${NODE_VERSION}-slim AS build',
      'WORKDIR /app',
      'COPY --chown=node:node package*.json ./',
      'RUN --mount=type=cache,target=/root/.npm npm ci',
      'COPY . .',
      'FROM node:${NODE_VERSION}-slim',
      'WORKDIR /app',
      'COPY --from=build /app /app',
      'EXPOSE 3000/tcp',
      'HEALTHCHECK --interval=30s CMD node -e "process.exit(0)"',
      'USER node',
      'CMD ["node", "server.js"]',
      '',
    ].join('\n');
    expect(dockerfileLintProblems(good)).toEqual([]);
  });

  it('flags a missing FROM', () => {
    expect(dockerfileLintProblems('RUN echo hi\n')).toEqual(['line 1: [error] No source image provided with `FROM`']);
  });

  it('flags an unknown instruction with its line number', () => {
    expect(dockerfileLintProblems('FROM alpine:3\nFOO bar\n')).toEqual(['line 2: [error] Unknown instruction: FOO']);
  });

  it('treats warnings as problems too', () => {
    const problems = dockerfileLintProblems('FROM alpine:3\nWORKDIR app\nCMD a\nCMD b\n');
    expect(problems).toContain('line 2: [warning] WORKDIR paths should be absolute');
    expect(problems.some((p) => p.startsWith('line 3: [warning]') && /only be one CMD/.test(p))).toBe(true);
  });
});

describe('yamllintErrors', () => {
  it('passes good YAML (relaxed)', (ctx) => {
    const f = write('yaml/good.yaml', 'services:\n  web:\n    image: nginx\n    ports:\n      - "8080:80"\n');
    const r = yamllintErrors([f]);
    if (r.skipped) return ctx.skip();
    expect(r.ok).toBe(true);
  });

  it('fails on a syntax error', (ctx) => {
    const f = write('yaml/broken.yaml', 'a: [1, 2\nb: 3\n');
    const r = yamllintErrors([f]);
    if (r.skipped) return ctx.skip();
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/broken\.yaml:\d+:\d+: \[error\] syntax error/);
  });

  it('fails on duplicate keys', (ctx) => {
    const f = write('yaml/dup.yaml', 'a: 1\na: 2\n');
    const r = yamllintErrors([f]);
    if (r.skipped) return ctx.skip();
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/key-duplicates/);
  });
});

describe('pyCompileErrors', () => {
  it('passes valid python without leaving __pycache__ next to it', (ctx) => {
    const f = write('py-good/app.py', 'import os\n\n\ndef main() -> None:\n    print(os.getcwd())\n');
    const r = pyCompileErrors([f]);
    if (r.skipped) return ctx.skip();
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
    expect(existsSync(join(tmp, 'py-good', '__pycache__'))).toBe(false);
  });

  it('fails on a syntax error', (ctx) => {
    const good = write('py-bad/ok.py', 'x = 1\n');
    const bad = write('py-bad/bad.py', 'def f(:\n    pass\n');
    const r = pyCompileErrors([good, bad]);
    if (r.skipped) return ctx.skip();
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/bad\.py/);
    expect(r.output).toMatch(/SyntaxError/);
    expect(r.output).not.toMatch(/ok\.py/);
  });
});

describe('nodeCheckErrors', () => {
  it('passes valid CommonJS and ESM', () => {
    const cjs = write('js-good/a.cjs', 'const x = require("node:fs");\nmodule.exports = x;\n');
    const esm = write('js-good/b.mjs', 'import fs from "node:fs";\nexport default fs;\n');
    const r = nodeCheckErrors([cjs, esm]);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('fails on a syntax error', () => {
    const f = write('js-bad/bad.js', 'const = 1;\n');
    const r = nodeCheckErrors([f]);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/SyntaxError/);
  });
});

describe('listFiles', () => {
  it('lists files recursively, including dotfiles, sorted, with / separators', () => {
    const root = join(tmp, 'tree');
    write('tree/z.txt', '');
    write('tree/.env', 'A=1\n');
    write('tree/bd/.gitkeep', '');
    write('tree/build/app/Dockerfile', 'FROM alpine\n');
    write('tree/.ci/run', '#!/bin/bash\n');
    mkdirSync(join(root, 'empty-dir'));
    symlinkSync('z.txt', join(root, 'link.txt'));
    expect(listFiles(root)).toEqual(['.ci/run', '.env', 'bd/.gitkeep', 'build/app/Dockerfile', 'link.txt', 'z.txt']);
  });
});
