// Router rules. A prefix matches itself and what is below it, never a look-alike: `/bot` is
// `Path(`/bot`) || PathPrefix(`/bot/`)`, which takes /bot and /bot/x but not /bottle or /bot-admin
// (a bare `PathPrefix(`/bot`)` takes all of them).

/** Why a route prefix is not usable, or null: `/seg[/seg…]`, segments of URL-safe characters. */
export function prefixProblem(prefix: string): string | null {
  if (!prefix.startsWith('/')) return 'does not start with "/"';
  if (prefix === '/') return 'is "/", which would take every path of the server';
  if (prefix.endsWith('/')) return 'ends with "/" (write /bot, it also covers /bot/…)';
  if (prefix.length > 200) return 'is longer than 200 characters';
  for (const seg of prefix.slice(1).split('/')) {
    if (seg === '') return 'has an empty segment ("//")';
    if (seg === '.' || seg === '..') return `has a "${seg}" segment`;
    if (!/^[A-Za-z0-9._~-]+$/.test(seg)) return `has characters other than A-Z a-z 0-9 . _ ~ - in "${seg}"`;
  }
  return null;
}

/** The rule of a route: the prefix and its sub-paths, on `host` when there is one. */
export function buildRule(host: string | null, prefix: string): string {
  const paths = `Path(\`${prefix}\`) || PathPrefix(\`${prefix}/\`)`;
  return host ? `Host(\`${host}\`) && (${paths})` : paths;
}

const Q = '[`"]([^`"]*)[`"]';
const OURS = new RegExp(`^(?:Host\\(${Q}\\) && \\()?Path\\(${Q}\\) \\|\\| PathPrefix\\(${Q}\\)\\)?$`);
const BARE = new RegExp(`^(?:Host\\(${Q}\\) && )?PathPrefix\\(${Q}\\)$`);

/** The host and prefix of a rule create-stack wrote (or a plain `[Host(h) && ]PathPrefix(p)`); null for other rules. */
export function parseRule(rule: string): { host: string | null; prefix: string; exact: boolean } | null {
  const m = OURS.exec(rule.trim());
  if (m) {
    const [, host, path, prefix] = m;
    const wrapped = rule.includes('&& (') === Boolean(host);
    if (wrapped && prefix === `${path}/`) return { host: host ?? null, prefix: path!, exact: true };
  }
  const b = BARE.exec(rule.trim());
  if (b) return { host: b[1] ?? null, prefix: b[2]!.replace(/\/$/, '') || '/', exact: false };
  return null;
}

/** `p` is `q` or below it (`/a/b` is below `/a`; `/ab` is not). */
export function within(p: string, q: string): boolean {
  return p === q || p.startsWith(`${q}/`);
}
