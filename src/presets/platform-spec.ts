// The platform preset (seed 002): which services a spec may hold, its defaults, and the services the
// preset adds itself (gateway and observability). Pure data and checks, shared by validation and planning.
import { UserError } from '../errors.js';
import type { KindManifest } from '../kind.js';
import { nextFree, type ServiceSpec, type StackSpec } from '../spec.js';

/** What --yes gives: the services of the seed (Django web app, telemetry gateway, IDS ML service, PostgreSQL, Redis). */
export const PLATFORM_DEFAULT_SERVICES: readonly ServiceSpec[] = [
  { name: 'web', kind: 'django', port: 8000 },
  { name: 'telemetry', kind: 'fastapi', port: 9000 },
  { name: 'ids', kind: 'fastapi', port: 9100 },
  { name: 'db', kind: 'postgres' },
  { name: 'cache', kind: 'redis' },
];

/** Services every platform stack has besides the spec's: the gateway in front, observability beside. */
export const PLATFORM_OWN_SERVICES: readonly ServiceSpec[] = [
  { name: 'gateway', kind: 'gateway' },
  { name: 'gateway-exporter', kind: 'nginx-exporter' },
  { name: 'prometheus', kind: 'prometheus' },
  { name: 'alertmanager', kind: 'alertmanager' },
  { name: 'grafana', kind: 'grafana' },
];

/** Kinds a platform service may be: the app kinds Terraform runs on ECS and the two stores it has managed twins for. */
export const PLATFORM_KINDS = ['django', 'fastapi', 'postgres', 'redis'];
const APP_KINDS = ['django', 'fastapi'];

/** Host ports the platform itself publishes (gateway) or binds on loopback in development (observability). */
const OWN_HOST_PORTS = [80, 443, 3000, 9090, 9093];

/** The spec's services, or the seed's when none were given. */
export function platformServices(spec: StackSpec): ServiceSpec[] {
  return spec.services.length ? spec.services : PLATFORM_DEFAULT_SERVICES.map((s) => ({ ...s }));
}

export function platformSpecErrors(spec: StackSpec, kinds: Record<string, KindManifest>): UserError[] {
  const errors: UserError[] = [];
  const services = platformServices(spec);
  const own = new Set(PLATFORM_OWN_SERVICES.map((s) => s.name));
  for (const svc of services) {
    if (own.has(svc.name)) {
      errors.push(new UserError('service-reserved', `service name "${svc.name}" is reserved: the platform preset adds its own ${svc.name}`, `rename the service, e.g. --service ${svc.name}-app:${svc.kind}`));
    }
    if (kinds[svc.kind] && !PLATFORM_KINDS.includes(svc.kind)) {
      errors.push(
        new UserError('kind-not-in-preset', `service "${svc.name}" has kind ${svc.kind}, which the platform preset does not run (no ECS service, workflow or Terraform for it)`, `use one of: ${PLATFORM_KINDS.join(', ')}`),
      );
    }
    const port = svc.port ?? kinds[svc.kind]?.port;
    if (port != null && OWN_HOST_PORTS.includes(port)) {
      errors.push(
        new UserError('port-conflict', `service "${svc.name}" uses port ${port}, which the platform's gateway or observability already takes (${OWN_HOST_PORTS.join(', ')})`, `give it another port, e.g. --service ${svc.name}:${svc.kind}:${nextFree(port, new Set([...OWN_HOST_PORTS, ...services.map((s) => s.port ?? kinds[s.kind]?.port)]))}`),
      );
    }
  }
  const count = (kind: string) => services.filter((s) => s.kind === kind).length;
  if (!services.some((s) => APP_KINDS.includes(s.kind))) {
    errors.push(new UserError('services-empty', 'a platform stack needs at least one django or fastapi service for the gateway to route to', 'add --service web:django or --service api:fastapi:9000 (or pass --yes alone for the seed\'s set)'));
  }
  if (count('django') > 1) {
    errors.push(new UserError('service-duplicate', 'a platform stack has at most one django service: the gateway routes / to it', 'keep one --service <name>:django; make the others fastapi services under /api/<name>/'));
  }
  for (const store of ['postgres', 'redis']) {
    if (count(store) > 1) {
      errors.push(new UserError('service-duplicate', `a platform stack has at most one ${store} service (Terraform gives it one managed ${store === 'postgres' ? 'RDS' : 'ElastiCache'} twin)`, `keep one --service <name>:${store}`));
    }
  }
  return errors;
}
