// monitoring/grafana/dashboards/<name>.json: built as data (JSON has no comments and no trailing
// commas to get wrong), one row per service. Queries use the stubs' metrics (app_requests_total,
// app_uptime_seconds), cAdvisor (container_*) and kube-state-metrics (kube_*).
import type { DeployView } from './deploy-view.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  [key: string]: unknown;
}

export function grafanaDashboard(view: DeployView): Record<string, unknown> {
  const ds = { type: 'prometheus', uid: '${datasource}' };
  const ns = `namespace=~"${view.name}-$environment"`;
  const panels: Panel[] = [];
  let id = 1;
  let y = 0;
  const timeseries = (title: string, expr: string, legend: string, unit: string, x: number, w = 8): Panel => ({
    id: id++,
    type: 'timeseries',
    title,
    datasource: ds,
    gridPos: { x, y, w, h: 8 },
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
    targets: [{ refId: 'A', datasource: ds, expr, legendFormat: legend }],
  });

  for (const svc of [...view.apps, ...view.stateful]) {
    panels.push({ id: id++, type: 'row', title: `${svc.name} (${svc.kind})`, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
    y += 1;
    const pod = `pod=~"${svc.name}-.*"`;
    const container = `container="${svc.name}"`;
    const isApp = 'metricsPath' in svc;
    if (isApp && svc.metricsPath) {
      panels.push(timeseries(`${svc.name}: requests / s`, `sum by (pod) (rate(app_requests_total{${ns}, service="${svc.name}"}[5m]))`, '{{pod}}', 'reqps', 0));
    } else {
      panels.push(
        timeseries(
          `${svc.name}: ready replicas`,
          `sum(kube_pod_status_ready{${ns}, ${pod}, condition="true"})`,
          'ready',
          'short',
          0,
        ),
      );
    }
    panels.push(timeseries(`${svc.name}: CPU (cores)`, `sum by (pod) (rate(container_cpu_usage_seconds_total{${ns}, ${container}}[5m]))`, '{{pod}}', 'short', 8));
    panels.push(timeseries(`${svc.name}: memory`, `sum by (pod) (container_memory_working_set_bytes{${ns}, ${container}})`, '{{pod}}', 'bytes', 16));
    y += 8;
  }
  panels.push({ id: id++, type: 'row', title: 'Stack', collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
  y += 1;
  panels.push(timeseries('Container restarts (1h)', `sum by (container) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))`, '{{container}}', 'short', 0, 12));
  panels.push(timeseries('Unavailable replicas', `sum by (deployment) (kube_deployment_status_replicas_unavailable{${ns}})`, '{{deployment}}', 'short', 12, 12));

  return {
    title: `${view.name}`,
    uid: `${view.name}-overview`.slice(0, 40),
    tags: [view.name, 'create-stack'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        {
          name: 'environment',
          label: 'Environment',
          type: 'custom',
          query: 'production,staging,development',
          current: { text: 'production', value: 'production' },
          options: [],
          hide: 0,
        },
      ],
    },
    annotations: { list: [] },
    panels,
  };
}
