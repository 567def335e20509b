// Rules that compare the two repos of app-support read the sibling app repo: only ../<name>/<file>,
// only a regular file under the size limit without NUL bytes, never through a link. And
// dockerfile/deploy-twin uses it: the support repo's app-production stage against ../<app>/Dockerfile.
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LIMITS } from '../src/model/index.js';
import { readSibling, siblingPath } from '../src/check/sibling.js';
import { removeDir, runCli, tempDir } from './helpers/cli.js';

const work = tempDir('cs-sib-');
afterAll(() => removeDir(work));

describe('readSibling', () => {
  const root = join(work, 'fixture', 'me');
  beforeAll(() => {
    mkdirSync(root, { recursive: true });
    mkdirSync(join(work, 'fixture', 'app', 'db'), { recursive: true });
    writeFileSync(join(work, 'fixture', 'app', 'Dockerfile'), 'FROM x:1\n');
    writeFileSync(join(work, 'fixture', 'app', 'binary'), 'a\0b');
    writeFileSync(join(work, 'fixture', 'app', 'huge'), Buffer.alloc(LIMITS.maxBytes + 1, 'a'));
    symlinkSync('/etc/passwd', join(work, 'fixture', 'app', 'link'));
    symlinkSync(join(work, 'fixture', 'app'), join(work, 'fixture', 'linked-app'));
    expect(spawnSync('mkfifo', [join(work, 'fixture', 'app', 'fifo')]).status).toBe(0);
  });

  it('accepts ../<name>/<path> only', () => {
    expect(siblingPath('../app/Dockerfile')).toBe('../app/Dockerfile');
    expect(siblingPath('./../app/./db/x.sql')).toBe('../app/db/x.sql');
    for (const bad of ['../../etc/passwd', '../app/../../x', '/etc/passwd', 'Dockerfile', '../app', '..']) expect(siblingPath(bad), bad).toBeNull();
  });

  it('reads a regular file; a link, a FIFO (without hanging), a binary or an oversized file read as absent', () => {
    expect(readSibling(root, '../app/Dockerfile')).toBe('FROM x:1\n');
    for (const f of ['link', 'fifo', 'binary', 'huge', 'missing']) expect(readSibling(root, `../app/${f}`), f).toBeNull();
    expect(readSibling(root, '../linked-app/Dockerfile')).toBeNull();
    // A folder on the way that is a link to elsewhere: not read either.
    mkdirSync(join(work, 'fixture', 'outside'), { recursive: true });
    writeFileSync(join(work, 'fixture', 'outside', 'create_tables.sql'), 'CREATE TABLE x (a int);\n');
    symlinkSync(join(work, 'fixture', 'outside'), join(work, 'fixture', 'app', 'sql'));
    expect(readSibling(root, '../app/sql/create_tables.sql')).toBeNull();
    expect(readSibling(root, '../../etc/passwd')).toBeNull();
  });
});

describe('dockerfile/deploy-twin across the two repos of app-support', () => {
  beforeAll(() => {
    const r = runCli(['new', 'shop', '--preset', 'app-support', '--with', 'deploy', '--yes', '--no-git'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
  });
  const twins = () => {
    const r = runCli(['check', '--format', 'json', 'shop-support'], { cwd: work });
    return (JSON.parse(r.stdout) as { findings: Array<{ rule: string; file: string; line: number; column: number; message: string }> }).findings.filter((f) => f.rule === 'dockerfile/deploy-twin');
  };

  it("a fresh pair: none; the app repo's base image bumped: one finding at the FROM of app-production", () => {
    expect(twins()).toEqual([]);
    const file = join(work, 'shop', 'Dockerfile');
    const text = readFileSync(file, 'utf8');
    const from = /^FROM (python:\S+)$/m.exec(text)!;
    writeFileSync(file, text.replace(from[0], 'FROM python:3.99.0-slim-bookworm'));
    const deploy = readFileSync(join(work, 'shop-support', 'deploy', 'docker', 'Dockerfile'), 'utf8').split('\n');
    const found = twins();
    expect(found.map((f) => [f.file, f.line, f.column])).toEqual([['shop-support/deploy/docker/Dockerfile', deploy.findIndex((l) => / AS app-production$/.test(l)) + 1, 1]]);
    expect(found[0]!.message).toContain('../shop/Dockerfile');
    writeFileSync(file, text);
  });

  it('in SARIF, a finding about the app repo names it by its absolute URI (the log stays valid)', async () => {
    const file = join(work, 'shop', 'Dockerfile');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/^FROM python:\S+$/m, 'FROM python:3.99.0-slim-bookworm'));
    const schema = join(work, 'shop', 'db', 'create_tables.sql');
    const sql = readFileSync(schema, 'utf8');
    writeFileSync(schema, `${sql}\nCREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY);\n`);
    const r = runCli(['check', '--format', 'sarif'], { cwd: join(work, 'shop-support') });
    writeFileSync(file, text);
    writeFileSync(schema, sql);
    const log = JSON.parse(r.stdout);
    const { sarifSchemaErrors } = await import('./helpers/sarif.js');
    expect(sarifSchemaErrors(log)).toEqual([]);
    const locs = log.runs[0].results.map((x: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }> }) => [x.ruleId, x.locations[0]!.physicalLocation.artifactLocation]);
    expect(locs).toContainEqual(['drift/migrations-match-app-schema', { uri: pathToFileURL(schema).href }]);
    expect(locs).toContainEqual(['dockerfile/deploy-twin', { uri: 'deploy/docker/Dockerfile', uriBaseId: '%SRCROOT%' }]);
  });

  it('the app repo behind a link is not read', () => {
    writeFileSync(join(work, 'shop', 'Dockerfile'), readFileSync(join(work, 'shop', 'Dockerfile'), 'utf8').replace(/^FROM python:\S+$/m, 'FROM python:3.99.0-slim-bookworm'));
    renameSync(join(work, 'shop'), join(work, 'shop-real'));
    symlinkSync(join(work, 'shop-real'), join(work, 'shop'));
    expect(twins()).toEqual([]);
  });
});
