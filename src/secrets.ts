import { randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: safe inside URLs, shell words and YAML without quoting tricks. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
