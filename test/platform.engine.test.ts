// The platform preset through the one engine: its answers file reproduces it, a second run changes
// nothing, `add deploy` adds the layer to an existing platform repo, and --dry-run writes nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { listFiles } from './helpers/validators.js';

const work = tempDir('cs-platform-engine-');
afterAll(() => removeDir(work));

/** Every file but the ones holding generated secrets. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of listFiles(dir)) if (f !== '.env' && f !== '.git') out[f] = readFileSync(join(dir, f), 'utf8');
  return out;
}

describe('platform preset and the engine', () => {
  it('.create-stack.yaml records the seed defaults and reproduces the same tree in another directory', () => {
    const a = runCli(['new', 'alpha', '--preset', 'platform', '--yes', '--no-git', '--no-terraform'], { cwd: work });
    expect(a.code, a.stderr).toBe(0);
    const answers = readFileSync(join(work, 'alpha/.create-stack.yaml'), 'utf8');
    expect(answers).toContain('preset: platform');
    expect(answers).toContain('terraform: false');
    for (const s of ['name: web\n    kind: django\n    port: 8000', 'name: telemetry\n    kind: fastapi\n    port: 9000', 'name: ids\n    kind: fastapi\n    port: 9100', 'name: db\n    kind: postgres', 'name: cache\n    kind: redis']) {
      expect(answers).toContain(s);
    }
    mkdirSync(join(work, 'copy'));
    const b = runCli(['new', 'alpha', '--answers', join(work, 'alpha/.create-stack.yaml'), '--no-git', '--dest', join(work, 'copy')], { cwd: work });
    expect(b.code, b.stderr).toBe(0);
    expect(contents(join(work, 'copy/alpha'))).toEqual(contents(join(work, "alpha")));
  });

  it('a second run over the same repo changes nothing', () => {
    const first = runCli(['new', 'beta', '--preset', 'platform', '--yes', '--no-git'], { cwd: work });
    expect(first.code, first.stderr).toBe(0);
    const before = contents(join(work, 'beta'));
    const again = runCli(['new', 'beta', '--preset', 'platform', '--yes', '--no-git', '--force', '--json'], { cwd: work });
    expect(again.code, again.stderr).toBe(0);
    const actions = JSON.parse(again.stdout).targets[0].files.map((f: { action: string }) => f.action);
    expect(actions.filter((a: string) => a !== 'unchanged' && a !== 'kept')).toEqual([]);
    expect(contents(join(work, 'beta'))).toEqual(before);
  });

  it('create-stack add deploy adds the Kubernetes layer to a platform repo', () => {
    const r0 = runCli(['new', 'gamma', '--preset', 'platform', '--yes', '--no-git'], { cwd: work });
    expect(r0.code, r0.stderr).toBe(0);
    const r = runCli(['add', 'deploy'], { cwd: join(work, 'gamma') });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(work, 'gamma/deploy/kubernetes/base/kustomization.yaml'))).toBe(true);
    expect(readFileSync(join(work, 'gamma/.create-stack.yaml'), 'utf8')).toMatch(/with:\n {2}- deploy/);
  });

  it('--dry-run writes nothing', () => {
    const r = runCli(['new', 'delta', '--preset', 'platform', '--yes', '--no-git', '--dry-run'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(work, 'delta'))).toBe(false);
  });
});
