// What counts as a secret-looking variable name and a literal (not interpolated) value.

/** PASSWORD, SECRET, TOKEN, KEY (as a word: API_KEY, SECRET_KEY), credentials. */
export const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_?KEY|API_?KEY|ACCESS_?KEY|(?:^|_)KEY(?:$|_)/i;

/** Names that look secret but hold no secret: file paths, switches. */
const NOT_SECRET = /_FILE$|_PATH$|_DIR$|^.*_(?:ALLOW_EMPTY|RANDOM_ROOT)_PASSWORD$|_EXPIRE|_TTL$|_LENGTH$|_ALGORITHM$|_URL$|_HOST$|_PORT$|_USER(?:NAME)?$|_ID$|_NAME$/i;

export function secretName(name: string): boolean {
  return SECRET_NAME.test(name) && !NOT_SECRET.test(name);
}

const SWITCHES = new Set(['yes', 'no', 'true', 'false', 'on', 'off', '0', '1', '']);

/** A value written as such, not taken from the environment (${VAR}). */
export function literalValue(value: unknown): boolean {
  if (value === null || value === undefined) return false; // `- PASSWORD` passes the host's value through
  const s = String(value).trim();
  if (SWITCHES.has(s.toLowerCase())) return false;
  if (/\$\{?[A-Za-z_]/.test(s)) return false;
  if (s.startsWith('/run/secrets/')) return false;
  return true;
}

/** `${VAR:?message}` (or `${VAR?message}`): Compose refuses to start when VAR is unset. */
export function requiredVariable(value: unknown): boolean {
  return typeof value === 'string' && /^\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}$/.test(value.trim());
}
