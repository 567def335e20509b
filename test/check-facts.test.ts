// The one table of image facts (src/facts.ts) agrees with every kind create-stack generates, and the
// generated rule index and docs/rules.md are current.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { commandIn, DATABASE_PORTS, familyOf, healthProgram, isMinimalTag, parseImage } from '../src/facts.js';
import { runCli, ROOT } from './helpers/cli.js';
// @ts-expect-error plain ESM script without types
import { rulesIndex } from '../scripts/gen-rules.mjs';

const KINDS = join(ROOT, 'templates', 'kinds');
const kinds = readdirSync(KINDS).map((k) => parse(readFileSync(join(KINDS, k, 'kind.yaml'), 'utf8')) as { name: string; image: string; healthcheck: string[]; port: number | null; role: string });

/** The last FROM of a kind's Dockerfile template when it names a fixed image, not the kind's own. */
function finalBase(kind: string): string | null {
  const file = join(KINDS, kind, 'files', 'build', '__svc__', 'Dockerfile.hbs');
  if (!existsSync(file)) return null;
  const froms = [...readFileSync(file, 'utf8').matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
  const last = froms.at(-1);
  return last && !last.includes('{{') ? last : null;
}

describe('facts: every kind agrees with the table', () => {
  for (const kind of kinds) {
    it(`${kind.name} (${kind.image})`, () => {
      const prog = healthProgram(kind.healthcheck);
      expect(prog, 'a health command').toBeTruthy();
      // Its health command exists in the image the container runs: known present, not merely not
      // known absent. A kind whose Dockerfile ends on a fixed base (a binary copied onto Alpine) runs that.
      const runs = finalBase(kind.name) ?? kind.image;
      expect(commandIn(runs, prog!), `${prog} in ${runs}`).toBe('yes');
      const fam = familyOf(kind.image);
      expect(fam, `${kind.image} belongs to a family of the table`).not.toBeNull();
      // Databases are stateful kinds; a stateful kind need not be a database (Prometheus keeps a TSDB).
      if (fam!.database) expect(kind.role, 'database families are stateful kinds').toBe('stateful');
      if (fam!.port) expect(kind.port).toBe(fam!.port);
      if (fam!.database) expect(DATABASE_PORTS.has(kind.port!)).toBe(true);
      if (fam!.health) expect(fam!.health.split(' ')[0]).toBe(prog);
      if (isMinimalTag(kind.image)) expect(prog).not.toBe('curl');
    });
  }

  it('the table knows what is absent', () => {
    expect(commandIn('python:3.12.8-slim-bookworm', 'curl')).toBe('no');
    expect(commandIn('node:22.12.0-alpine3.21', 'curl')).toBe('no');
    expect(commandIn('node:22.12.0-alpine3.21', 'wget')).toBe('yes');
    expect(commandIn('mongo:7.0.16', 'mongo')).toBe('no');
    expect(commandIn('redis:7.4.1', 'pg_isready')).toBe('no');
    expect(commandIn('ubuntu:24.04', 'curl')).toBe('unknown');
    expect(healthProgram(['CMD-SHELL', 'REDISCLI_AUTH="$${REDIS_PASSWORD}" redis-cli ping | grep -q PONG'])).toBe('redis-cli');
    expect(parseImage('localhost:5000/library/postgres:16@sha256:abc')).toEqual({ registry: 'localhost:5000', repo: 'postgres', tag: '16', digest: 'sha256:abc' });
  });
});

describe('generated from the rule modules', () => {
  it('src/check/rules/index.ts lists every rule module', () => {
    expect(readFileSync(join(ROOT, 'src', 'check', 'rules', 'index.ts'), 'utf8')).toBe(rulesIndex());
  });

  it('docs/rules.md is current (the build writes it from the rules\' metadata)', () => {
    const r = runCli(['check', '--list-rules', '--format', 'markdown'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8')).toBe(r.stdout);
  });
});
