// data/grafana/config/dashboards/<service>.json: one dashboard per routed service, built as data.
// Every query names metrics the django and fastapi stubs expose through prometheus_client
// (http_requests_total, http_request_duration_seconds, process_*) or Prometheus's own `up`.
import type { ServiceView, StackView } from '../stack-view.js';

/** Metric names the dashboards query, for the checks that the stubs expose each of them. */
export const DASHBOARD_METRICS = [
  'up',
  'http_requests_total',
  'http_request_duration_seconds_bucket',
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
] as const;

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  [key: string]: unknown;
}

export function serviceDashboard(svc: ServiceView, stack: StackView): Record<string, unknown> {
  const ds = { type: 'prometheus', uid: 'prometheus' };
  const job = `job="${svc.name}"`;
  let id = 1;
  const panel = (type: string, title: string, expr: string, legend: string, unit: string, x: number, y: number, w: number, h = 8): Panel => ({
    id: id++,
    type,
    title,
    datasource: ds,
    gridPos: { x, y, w, h },
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' } : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
    targets: [{ refId: 'A', datasource: ds, expr, legendFormat: legend }],
  });
  const panels: Panel[] = [
    panel('stat', 'Up', `up{${job}}`, '{{instance}}', 'none', 0, 0, 6, 4),
    panel('stat', 'Requests / s', `sum(rate(http_requests_total{${job}}[5m]))`, 'requests', 'reqps', 6, 0, 6, 4),
    panel('stat', '5xx ratio', `sum(rate(http_requests_total{${job}, status=~"5.."}[5m])) / sum(rate(http_requests_total{${job}}[5m]))`, '5xx', 'percentunit', 12, 0, 6, 4),
    panel('stat', 'p95 latency', `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${job}}[5m])))`, 'p95', 's', 18, 0, 6, 4),
    panel('timeseries', 'Requests / s by status', `sum by (status) (rate(http_requests_total{${job}}[5m]))`, '{{status}}', 'reqps', 0, 4, 12),
    panel('timeseries', 'Latency by route (p50, p95)', `histogram_quantile(0.95, sum by (le, path) (rate(http_request_duration_seconds_bucket{${job}}[5m])))`, 'p95 {{path}}', 's', 12, 4, 12),
    panel('timeseries', 'Memory (resident)', `process_resident_memory_bytes{${job}}`, '{{instance}}', 'bytes', 0, 12, 12),
    panel('timeseries', 'CPU (cores)', `rate(process_cpu_seconds_total{${job}}[5m])`, '{{instance}}', 'short', 12, 12, 12),
  ];
  // The p50 line of the latency panel.
  (panels[5]!.targets as Array<Record<string, unknown>>).push({
    refId: 'B',
    datasource: ds,
    expr: `histogram_quantile(0.5, sum by (le, path) (rate(http_request_duration_seconds_bucket{${job}}[5m])))`,
    legendFormat: 'p50 {{path}}',
  });
  return {
    uid: `${stack.name}-${svc.name}`.slice(0, 40),
    title: `${stack.name} / ${svc.name} (${svc.kind})`,
    tags: [stack.name, svc.kind],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    panels,
  };
}
