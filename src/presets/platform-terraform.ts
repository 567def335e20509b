// What terraform/*.tf needs to know about the stack: one ECS service per routed app, with its port,
// health path and ALB path; whether there is a PostgreSQL (RDS) and a Redis (ElastiCache).
import { mebi } from '../quantities.js';
import type { StackView } from '../stack-view.js';

export interface TfApp {
  name: string;
  /** Terraform identifier: a-z0-9_. */
  id: string;
  kind: string;
  port: number;
  healthPath: string;
  /** ALB listener rule path patterns. */
  paths: string[];
  priority: number;
  /** Fargate task size: CPU units (1024 = 1 vCPU) and MiB, from the kind's limits. */
  cpu: number;
  memory: number;
  isWeb: boolean;
}

export interface TfView {
  apps: TfApp[];
  /** Every port the app tasks listen on (the ECS security group opens exactly these, from the ALB only). */
  appPorts: number[];
  postgres: { name: string; port: number; ENV: string } | null;
  redis: { name: string; port: number; ENV: string } | null;
}

/** Fargate's valid task sizes: the smallest that holds the kind's limits. */
const FARGATE = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: [1024, 2048, 3072, 4096] },
  { cpu: 1024, memory: [2048, 3072, 4096, 5120, 6144, 7168, 8192] },
  { cpu: 2048, memory: [4096, 5120, 6144, 7168, 8192, 16384] },
];

function fargateSize(cpus: string, memory: string): { cpu: number; memory: number } {
  const wantCpu = Math.ceil(Number(cpus) * 1024);
  const wantMem = mebi(memory);
  for (const size of FARGATE) {
    if (size.cpu < wantCpu) continue;
    const mem = size.memory.find((m) => m >= wantMem);
    if (mem) return { cpu: size.cpu, memory: mem };
  }
  return { cpu: 2048, memory: 16384 };
}

export function terraformView(stack: StackView): TfView {
  const routed = stack.appServices.filter((s) => s.kind === 'django' || s.kind === 'fastapi');
  const apps = routed.map((s, i): TfApp => {
    const isWeb = s.kind === 'django';
    return {
      name: s.name,
      id: s.name.replace(/-/g, '_'),
      kind: s.kind,
      port: s.port!,
      healthPath: s.healthPath!,
      paths: isWeb ? ['/*'] : [`/api/${s.name}/*`],
      // API paths first; the web app's catch-all last.
      priority: isWeb ? 1000 : 100 + i,
      ...fargateSize(s.resources.limits.cpus, s.resources.limits.memory),
      isWeb,
    };
  });
  const pg = stack.byKind.postgres?.[0];
  const redis = stack.byKind.redis?.[0];
  return {
    apps,
    appPorts: [...new Set(apps.map((a) => a.port))].sort((a, b) => a - b),
    postgres: pg ? { name: pg.name, port: pg.port!, ENV: pg.ENV } : null,
    redis: redis ? { name: redis.name, port: redis.port!, ENV: redis.ENV } : null,
  };
}
