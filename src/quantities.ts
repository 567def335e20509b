// Compose resource values ("0.50" cpus, "512M") as Kubernetes quantities ("500m", "512Mi").

/** Compose cpus ("0.50") → millicores. */
export function milli(cpus: string): number {
  const n = Number(cpus);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`internal: cpus ${cpus}`);
  return Math.max(1, Math.round(n * 1000));
}

/** Compose memory ("512M", "1G") → MiB. */
export function mebi(mem: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG])?[bB]?$/.exec(mem.trim());
  if (!m) throw new Error(`internal: memory ${mem}`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mib = unit === 'g' ? n * 1024 : unit === 'm' ? n : unit === 'k' ? n / 1024 : n / 1024 / 1024;
  return Math.max(1, Math.round(mib));
}

/** Millicores → "500m", or whole cores → "1". */
export const cpuQuantity = (m: number): string => (m % 1000 === 0 ? String(m / 1000) : `${m}m`);
/** MiB → "512Mi", or whole GiB → "1Gi". */
export const memoryQuantity = (mib: number): string => (mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`);
