// git init + first commit of each new repo, through execa (loaded only when git is wanted).
import { dirname } from 'node:path';

export type GitOutcome = 'committed' | 'skipped-inside-work-tree' | 'skipped-no-git';

export async function initRepo(dir: string, message: string): Promise<GitOutcome> {
  const { execa } = await import('execa');
  const git = (args: string[], cwd = dir) => execa('git', args, { cwd, reject: false });
  const probe = await git(['rev-parse', '--is-inside-work-tree'], dirname(dir));
  if (probe.exitCode === undefined) return 'skipped-no-git'; // git itself could not be spawned
  if (probe.exitCode === 0 && probe.stdout.trim() === 'true') return 'skipped-inside-work-tree';
  const run = async (args: string[]) => {
    const r = await git(args);
    if (r.failed) throw new Error(`git ${args.join(' ')} failed: ${r.stderr || r.message}`);
    return r;
  };
  await run(['init', '-q', '-b', 'main']);
  await run(['add', '-A']);
  // A machine without a git identity still gets its first commit.
  const hasIdentity = (await git(['config', 'user.email'])).stdout.trim() !== '';
  const identity = hasIdentity ? [] : ['-c', 'user.name=create-stack', '-c', 'user.email=create-stack@localhost'];
  await run([...identity, 'commit', '-q', '-m', message]);
  return 'committed';
}
