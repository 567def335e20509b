// The platform's Terraform: every .tf file (and the tfvars example) parsed by a real HCL parser
// (@cdktf/hcl2json, HashiCorp's hcl library compiled to wasm), then checked: every var.* declared,
// every resource, data source and local that is referenced is defined, every security-group port
// is a port of a service of the spec, no literal secret. Not run: `terraform validate|plan` (no
// Terraform binary or AWS account here).
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { getReferencesInExpression, parse as parseHcl } from '@cdktf/hcl2json';
import { removeDir, runCli, tempDir } from './helpers/cli.js';

const KIND_PORTS: Record<string, number> = { django: 8000, fastapi: 8000, postgres: 5432, redis: 6379 };
/** The gateway's published ports: the load balancer's twin of it listens on the same. */
const GATEWAY_PORTS = [80, 443];

interface Parsed {
  file: string;
  json: Record<string, any>;
}

/** Every string in a JSON tree, with the path of keys that leads to it. */
function strings(node: unknown, path: string[] = [], out: Array<{ path: string[]; value: string }> = []) {
  if (typeof node === 'string') out.push({ path, value: node });
  else if (Array.isArray(node)) node.forEach((n, i) => strings(n, [...path, String(i)], out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) strings(v, [...path, k], out);
  return out;
}

const work = tempDir('cs-platform-tf-');
afterAll(() => removeDir(work));

describe.each([
  ['seed', []],
  ['api and redis', ['--service', 'orders:fastapi:9000', '--service', 'cache:redis']],
])('platform Terraform (%s)', (label, args) => {
  const name = `tf-${label.replace(/\W+/g, '-')}`;
  const dir = join(work, name);
  const gen = runCli(['new', name, '--preset', 'platform', '--yes', '--no-git', ...args], { cwd: work });
  const tfDir = join(dir, 'terraform');
  let parsed: Parsed[] = [];
  const all = (block: string) => parsed.flatMap((p) => Object.entries<any>(p.json[block] ?? {}).map(([k, v]) => ({ file: p.file, key: k, value: v })));

  it('every .tf file and the tfvars example parse as HCL', async () => {
    expect(gen.stderr).toBe('');
    const files = readdirSync(tfDir).filter((f) => f.endsWith('.tf') || f.endsWith('.tfvars.example')).sort();
    for (const f of ['variables.tf', 'outputs.tf', 'versions.tf', 'network.tf', 'ecs.tf', 'alb.tf', 'security.tf', 'iam.tf', 'cloudwatch.tf', 'static.tf']) expect(files).toContain(f);
    parsed = [];
    for (const f of files) parsed.push({ file: f, json: await parseHcl(f, readFileSync(join(tfDir, f), 'utf8')) });
    // The parser is real: broken HCL is refused.
    await expect(parseHcl('broken.tf', 'resource "aws_vpc" "x" {\n  cidr_block = \n}\n')).rejects.toThrow();
  });

  it('every variable has a description and a type; the remote-state backend is there, commented', () => {
    const vars = all('variable');
    expect(vars.length).toBeGreaterThan(5);
    for (const v of vars) {
      const def = v.value[0];
      expect(def.description, v.key).toBeTruthy();
      expect(def.type, v.key).toBeTruthy();
    }
    expect(readFileSync(join(tfDir, 'versions.tf'), 'utf8')).toMatch(/^ {2}# backend "s3" \{/m);
  });

  it('every var.*, local.*, data.* and resource reference is defined', async () => {
    const declared = {
      var: new Set(all('variable').map((v) => v.key)),
      local: new Set(parsed.flatMap((p) => (p.json.locals ?? []).flatMap((l: Record<string, unknown>) => Object.keys(l)))),
      data: new Set(parsed.flatMap((p) => Object.entries<any>(p.json.data ?? {}).flatMap(([t, byName]) => Object.keys(byName).map((n) => `${t}.${n}`)))),
      resource: new Set(parsed.flatMap((p) => Object.entries<any>(p.json.resource ?? {}).flatMap(([t, byName]) => Object.keys(byName).map((n) => `${t}.${n}`)))),
    };
    const problems: string[] = [];
    let checked = 0;
    for (const p of parsed) {
      for (const s of strings(p.json)) {
        if (!s.value.includes('${')) continue;
        // Type constraints and lifecycle attribute lists are keywords, not references.
        const key = s.path.filter((k) => !/^\d+$/.test(k)).at(-1);
        if ((s.path[0] === 'variable' && key === 'type') || key === 'ignore_changes') continue;
        for (const ref of await getReferencesInExpression(p.file, s.value)) {
          const parts = ref.value.split('.');
          const [head] = parts;
          checked++;
          if (head === 'var') {
            if (!declared.var.has(parts[1]!)) problems.push(`${p.file}: var.${parts[1]} is not declared`);
          } else if (head === 'local') {
            if (!declared.local.has(parts[1]!)) problems.push(`${p.file}: local.${parts[1]} is not defined`);
          } else if (head === 'data') {
            if (!declared.data.has(`${parts[1]}.${parts[2]}`)) problems.push(`${p.file}: data.${parts[1]}.${parts[2]} is not defined`);
          } else if (/^(aws|random)_/.test(head!)) {
            const id = `${parts[0]}.${parts[1]!.replace(/\[.*$/, '')}`;
            if (!declared.resource.has(id)) problems.push(`${p.file}: ${id} is not defined`);
          } else if (!['each', 'count', 'self', 'path', 'terraform', 'module'].includes(head!)) {
            problems.push(`${p.file}: unknown reference ${ref.value}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(100);
    // The tfvars example sets only declared variables.
    const example = parsed.find((p) => p.file.endsWith('.tfvars.example'))!;
    for (const key of Object.keys(example.json)) expect(declared.var.has(key), `tfvars example sets ${key}`).toBe(true);
  });

  it('security groups open exactly the spec\'s ports, between exactly the right groups', () => {
    const spec = parseYaml(readFileSync(join(dir, '.create-stack.yaml'), 'utf8')).services as Array<{ name: string; kind: string; port?: number }>;
    const port = (s: { kind: string; port?: number }) => s.port ?? KIND_PORTS[s.kind]!;
    const specPorts = new Set([...spec.map(port), ...GATEWAY_PORTS]);
    const appPorts = spec.filter((s) => s.kind === 'django' || s.kind === 'fastapi').map(port).sort((a, b) => a - b);
    const rules = (type: string) =>
      all('resource')
        .filter((r) => r.key === type)
        .flatMap((r) => Object.entries<any>(r.value).map(([n, def]) => ({ ...def[0], name: n })));
    const sgOf = (ref: string | undefined) => /aws_security_group\.(\w+)\.id/.exec(ref ?? '')?.[1] ?? null;
    const ingress = rules('aws_vpc_security_group_ingress_rule');
    const egress = rules('aws_vpc_security_group_egress_rule');
    for (const r of [...ingress, ...egress]) {
      expect(r.from_port, r.name).toBe(r.to_port);
      expect(specPorts.has(r.from_port), `${r.name}: port ${r.from_port} is not a port of the spec (${[...specPorts].join(', ')})`).toBe(true);
      expect(r.ip_protocol, r.name).toBe('tcp');
    }
    const edges = ingress.map((r) => `${r.cidr_ipv4 ? 'clients' : sgOf(r.referenced_security_group_id)}->${sgOf(r.security_group_id)}:${r.from_port}`).sort();
    const expected = [
      'clients->alb:80',
      'clients->alb:443',
      ...appPorts.map((p) => `alb->ecs:${p}`),
      ...spec.filter((s) => s.kind === 'postgres').map((s) => `ecs->rds:${port(s)}`),
      ...spec.filter((s) => s.kind === 'redis').map((s) => `ecs->redis:${port(s)}`),
    ].sort();
    expect(edges).toEqual(expected);
    // Nothing leaves the database or cache groups; the ALB talks to the apps only.
    for (const r of egress) expect(['alb', 'ecs']).toContain(sgOf(r.security_group_id));
    // Each app's target group and container listen on its spec port.
    const locals = parsed.flatMap((p) => p.json.locals ?? []).find((l: any) => l.services)!.services;
    expect(Object.values<any>(locals).map((s) => s.port).sort((a: number, b: number) => a - b)).toEqual(appPorts);
  });

  it('holds no literal secret: passwords, tokens and keys are generated (random_password) or references', () => {
    const SECRETISH = /(password|secret|token|api_?key|secret_?key|private_?key)$/i;
    const problems: string[] = [];
    for (const p of parsed) {
      for (const s of strings(p.json)) {
        const key = s.path.filter((k) => !/^\d+$/.test(k)).at(-1) ?? '';
        if (SECRETISH.test(key) && !/^\$\{/.test(s.value)) problems.push(`${p.file}: ${s.path.join('.')} = ${JSON.stringify(s.value)}`);
        if (/AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY/.test(s.value)) problems.push(`${p.file}: ${s.path.join('.')} holds key material`);
        // A long run of random-looking characters (letters of both cases and digits) outside an expression.
        const literal = s.value.replace(/\$\{[^}]*\}/g, '');
        for (const run of literal.match(/[A-Za-z0-9+/=]{24,}/g) ?? []) {
          if ((run.match(/\d/g) ?? []).length >= 2 && /[a-z]/.test(run) && /[A-Z]/.test(run)) problems.push(`${p.file}: ${s.path.join('.')} looks like a secret: ${run}`);
        }
      }
    }
    expect(problems).toEqual([]);
    const text = readdirSync(tfDir).filter((f) => f.endsWith('.tf')).map((f) => readFileSync(join(tfDir, f), 'utf8')).join('\n');
    if (/aws_db_instance/.test(text)) expect(text).toMatch(/password\s+= random_password\.db\.result/);
    if (/aws_elasticache_replication_group/.test(text)) expect(text).toMatch(/auth_token\s+= random_password\.redis\.result/);
  });

  it('RDS is Multi-AZ and encrypted; ElastiCache fails over; every app has an ECS service, a log group and an ALB rule', () => {
    const res = (type: string) => all('resource').filter((r) => r.key === type).flatMap((r) => Object.entries<any>(r.value).map(([n, def]) => ({ ...def[0], name: n })));
    for (const db of res('aws_db_instance')) {
      expect(db.multi_az).toBe(true);
      expect(db.storage_encrypted).toBe(true);
      expect(db.publicly_accessible).toBe(false);
    }
    for (const rg of res('aws_elasticache_replication_group')) {
      expect(rg.automatic_failover_enabled).toBe(true);
      expect(rg.transit_encryption_enabled).toBe(true);
    }
    const spec = parseYaml(readFileSync(join(dir, '.create-stack.yaml'), 'utf8')).services as Array<{ name: string; kind: string }>;
    const apps = spec.filter((s) => s.kind === 'django' || s.kind === 'fastapi').map((s) => s.name.replace(/-/g, '_')).sort();
    for (const type of ['aws_ecs_service', 'aws_ecs_task_definition', 'aws_cloudwatch_log_group', 'aws_lb_target_group', 'aws_iam_role']) {
      const names = res(type).map((r) => r.name.replace(/^task_/, '')).filter((n) => apps.includes(n)).sort();
      expect(names, type).toEqual(apps);
    }
    expect(res('aws_db_instance').length).toBe(spec.some((s) => s.kind === 'postgres') ? 1 : 0);
    expect(res('aws_elasticache_replication_group').length).toBe(spec.some((s) => s.kind === 'redis') ? 1 : 0);
  });
});
