// What the bd-build-data preset produces for the reference spec, file by file, under
// test/__snapshots__/bd-build-data/reference/ (each file + ".snap"). A change to a template shows
// up here as a diff; the validators in bd-build-data.validate.test.ts prove the files are right.
import { afterAll, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { listFiles } from './helpers/validators.js';

const work = tempDir('cs-snap-');
afterAll(() => removeDir(work));

it('reference stack: api:fastapi, web:node, db:postgres, cache:redis', async () => {
  const r = runCli(['new', 'shop', '--no-git', '--service', 'api:fastapi', '--service', 'web:node', '--service', 'db:postgres', '--service', 'cache:redis'], { cwd: work });
  expect(r.code).toBe(0);
  const dir = join(work, 'shop');
  const files = listFiles(dir);
  const modes = files.map((f) => `${(statSync(join(dir, f)).mode & 0o777).toString(8)} ${f}`);
  await expect(modes.join('\n') + '\n').toMatchFileSnapshot('__snapshots__/bd-build-data/reference.files.snap');
  for (const f of files) {
    let text = readFileSync(join(dir, f), 'utf8');
    // Secrets are random on every run: the snapshot shows their place, not their value.
    if (f === '.env') text = text.replace(/^([A-Z_]*(PASSWORD|SECRET)[A-Z_]*)=.+$/gm, '$1=<32 random bytes>');
    // The record is the gzip of the files snapshotted here: its list of paths is what it adds.
    if (f === '.create-stack/base.json.gz') text = Object.keys(JSON.parse(gunzipSync(readFileSync(join(dir, f))).toString()).files).join('\n') + '\n';
    await expect(text).toMatchFileSnapshot(`__snapshots__/bd-build-data/reference/${f}.snap`);
  }
});
