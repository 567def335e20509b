// .env files: KEY=value lines. An existing .env is the user's; only variables it lacks are added.

const KEY = /^([A-Za-z_][A-Za-z0-9_]*)=/;

/** `existing` plus the lines of `planned` whose variable it does not define yet. */
export function appendMissingVars(existing: string, planned: string): string {
  const have = new Set(existing.split('\n').map((l) => KEY.exec(l)?.[1]).filter(Boolean));
  const missing = planned.split('\n').filter((l) => {
    const key = KEY.exec(l)?.[1];
    return key !== undefined && !have.has(key);
  });
  if (missing.length === 0) return existing;
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  return `${existing}${sep}# added by create-stack for services added since\n${missing.join('\n')}\n`;
}
