// Which .env files hold secrets, and when a repo commits one on purpose.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { FoundFile, RepoModel } from '../../../model/index.js';

/** Templates of .env files, meant to be committed. */
const EXAMPLE = /^\.env\.(?:example|sample|template|dist|defaults)$|\.example$/;

export function secretEnvFiles(repo: RepoModel): FoundFile[] {
  return repo.files('env').filter((f) => !EXAMPLE.test(f.path.split('/').pop()!));
}

/**
 * Seed 000: the application repo of an app/support pair commits its .env with dummy development
 * values; production secrets live in the support repo. Its .create-stack.yaml says `repo: application`.
 */
export function devEnvCommitted(repo: RepoModel, f: FoundFile): boolean {
  if (f.path !== '.env') return false;
  const spec = join(repo.root, '.create-stack.yaml');
  return existsSync(spec) && /^repo:\s*application\s*$/m.test(readFileSync(spec, 'utf8'));
}

/** Ignored by git: the model's .gitignore rules, then `git check-ignore` in a work tree (global excludes, info/exclude). */
export function gitIgnored(repo: RepoModel, f: FoundFile): boolean {
  if (f.ignored) return true;
  if (!existsSync(join(repo.root, '.git'))) return false;
  const r = spawnSync('git', ['check-ignore', '-q', '--', f.path], { cwd: repo.root, stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}
