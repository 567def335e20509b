// The spec rules of the server preset: the public host (a domain or an IP), the ACME e-mail and how
// HTTPS is served. Let's Encrypt issues certificates for host names, so HTTPS needs --domain.
import { isIP } from 'node:net';
import { UserError } from '../errors.js';
import type { StackSpec } from '../spec.js';

export const HTTPS_MODES = ['on', 'off', 'redirect'] as const;
export type HttpsMode = (typeof HTTPS_MODES)[number];

/** A DNS host name of at least two labels (RFC 1123), lower or upper case, at most 253 characters. */
export function hostProblem(host: string): string | null {
  if (host.length === 0) return 'is empty';
  if (host.length > 253) return 'is longer than 253 characters';
  if (isIP(host)) return null;
  const labels = host.split('.');
  if (labels.length < 2) return 'has a single label (a host name like app.example.com is needed)';
  for (const l of labels) {
    if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(l)) return `has an invalid label ${JSON.stringify(l)}`;
  }
  if (/^\d+$/.test(labels.at(-1)!)) return 'ends with a numeric label and is not an IP address';
  return null;
}

/** An e-mail address ACME accepts: local@domain, nothing that needs quoting. */
export function emailProblem(email: string): string | null {
  const m = /^([A-Za-z0-9.!#$%&'*+/=?^_{|}~-]+)@(.+)$/.exec(email);
  if (!m) return 'is not of the form name@example.com';
  const hp = hostProblem(m[2]!);
  return hp && !isIP(m[2]!) ? `has a domain that ${hp}` : null;
}

/** How HTTPS is served when --https is not given: redirect with a domain, off with an IP or no host. */
export function httpsMode(spec: Pick<StackSpec, 'domain' | 'https'>): HttpsMode {
  if (spec.https && (HTTPS_MODES as readonly string[]).includes(spec.https)) return spec.https as HttpsMode;
  return spec.domain ? 'redirect' : 'off';
}

export function serverSpecErrors(spec: StackSpec): UserError[] {
  const errors: UserError[] = [];
  const given = (['domain', 'ip', 'acmeEmail', 'https'] as const).filter((k) => spec[k] !== undefined);
  const flag = (k: string) => `--${k === 'acmeEmail' ? 'acme-email' : k}`;
  if (spec.preset !== 'server') {
    for (const k of given) {
      errors.push(new UserError('option-preset', `${flag(k)} applies to --preset server only`, `drop ${flag(k)}, or use --preset server`));
    }
    return errors;
  }
  if (spec.services.length > 0) {
    errors.push(new UserError('services-fixed', 'the server preset runs Traefik only; its apps join it with create-stack add app', 'drop --service, then run create-stack add app <app-repo> --server <infra-repo> --route <svc>=<prefix>'));
  }
  if (spec.with.length > 0) {
    errors.push(new UserError('layer-preset', `--with ${spec.with.join(',')} does not apply to the server preset`, 'drop --with'));
  }
  if (spec.domain !== undefined && spec.ip !== undefined) {
    errors.push(new UserError('host-conflict', '--domain and --ip were both given', 'keep one: --domain for a host name (HTTPS possible), --ip for an address (HTTP only)'));
  }
  if (spec.domain !== undefined) {
    const p = isIP(spec.domain) ? 'is an IP address' : hostProblem(spec.domain);
    if (p) errors.push(new UserError('domain-format', `--domain ${JSON.stringify(spec.domain)} ${p}`, isIP(spec.domain) ? `pass it as --ip ${spec.domain}` : 'write it like --domain apps.example.com'));
  }
  if (spec.ip !== undefined && !isIP(spec.ip)) {
    errors.push(new UserError('ip-format', `--ip ${JSON.stringify(spec.ip)} is not an IPv4 or IPv6 address`, 'write it like --ip 203.0.113.10'));
  }
  if (spec.acmeEmail !== undefined) {
    const p = emailProblem(spec.acmeEmail);
    if (p) errors.push(new UserError('acme-email-format', `--acme-email ${JSON.stringify(spec.acmeEmail)} ${p}`, 'write it like --acme-email ops@example.com'));
  }
  if (spec.https !== undefined && !(HTTPS_MODES as readonly string[]).includes(spec.https)) {
    errors.push(new UserError('https-mode', `--https ${JSON.stringify(spec.https)} is not one of ${HTTPS_MODES.join(', ')}`, 'use --https redirect (HTTP answers with a redirect to HTTPS), on (both) or off (HTTP only)'));
    return errors;
  }
  const mode = httpsMode(spec);
  if (mode !== 'off') {
    if (spec.domain === undefined) {
      errors.push(new UserError('https-needs-domain', `--https ${mode} needs --domain: Let's Encrypt certificates are issued for host names, and this server has ${spec.ip ? `only the address ${spec.ip}` : 'no host'}`, 'pass --domain apps.example.com (its DNS pointing at this server), or --https off'));
    }
    if (spec.acmeEmail === undefined) {
      errors.push(new UserError('acme-email-missing', `--https ${mode} needs --acme-email: Let's Encrypt writes there before a certificate expires`, 'pass --acme-email ops@example.com, or --https off'));
    }
  }
  return errors;
}
