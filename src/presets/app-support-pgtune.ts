// PostgreSQL sizing for the app-support preset: memory given to the server → postgresql.conf values.
// Pure arithmetic (no I/O), so the rules can be read and tested on their own.
//
// Rules (a web/OLTP profile with JSONB documents, in the spirit of PGTune):
//   shared_buffers        25% of memory
//   effective_cache_size  75% of memory
//   maintenance_work_mem  memory / 16, at most 2GB
//   work_mem              (memory - shared_buffers) / (3 × max_connections), at least 64kB
//   wal_buffers           shared_buffers / 32, from 64kB to 16MB
//   max_wal_size          memory, from 1GB to 16GB; min_wal_size a quarter of it
//   /dev/shm              memory / 8, from 64MB to 1GB (parallel query workers use it)

export const MAX_CONNECTIONS = 100;

export interface PgTuning {
  /** Memory the server may use, in MB (what --db-memory says). */
  memoryMB: number;
  maxConnections: number;
  /** postgresql.conf values, with units (`1GB`, `10485kB`). */
  sharedBuffers: string;
  effectiveCacheSize: string;
  maintenanceWorkMem: string;
  workMem: string;
  walBuffers: string;
  minWalSize: string;
  maxWalSize: string;
  /** Size of /dev/shm for the container, in MB. */
  shmMB: number;
}

const KB_PER_MB = 1024;
const KB_PER_GB = 1024 * 1024;

/** kB → the largest PostgreSQL unit that holds it exactly: 1048576 → "1GB", 1310 → "1310kB". */
export function pgSize(kB: number): string {
  if (!Number.isInteger(kB) || kB <= 0) throw new Error(`internal: not a size in kB: ${kB}`);
  if (kB % KB_PER_GB === 0) return `${kB / KB_PER_GB}GB`;
  if (kB % KB_PER_MB === 0) return `${kB / KB_PER_MB}MB`;
  return `${kB}kB`;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function pgTuning(memoryMB: number): PgTuning {
  const total = memoryMB * KB_PER_MB;
  const sharedBuffers = Math.floor(total / 4);
  const effectiveCacheSize = Math.floor((total * 3) / 4);
  const maintenanceWorkMem = Math.min(Math.floor(total / 16), 2 * KB_PER_GB);
  const workMem = Math.max(64, Math.floor((total - sharedBuffers) / (3 * MAX_CONNECTIONS)));
  // wal_buffers is counted in 8kB pages: keep it a multiple of 8kB.
  const walBuffers = clamp(Math.floor(sharedBuffers / 32 / 8) * 8, 64, 16 * KB_PER_MB);
  const maxWalSize = clamp(total, KB_PER_GB, 16 * KB_PER_GB);
  const minWalSize = Math.floor(maxWalSize / 4 / KB_PER_MB) * KB_PER_MB; // a whole number of MB, its unit
  return {
    memoryMB,
    maxConnections: MAX_CONNECTIONS,
    sharedBuffers: pgSize(sharedBuffers),
    effectiveCacheSize: pgSize(effectiveCacheSize),
    maintenanceWorkMem: pgSize(maintenanceWorkMem),
    workMem: pgSize(workMem),
    walBuffers: pgSize(walBuffers),
    minWalSize: pgSize(minWalSize),
    maxWalSize: pgSize(maxWalSize),
    shmMB: clamp(Math.floor(memoryMB / 8), 64, 1024),
  };
}

/** 4096 → "4Gi", 768 → "768Mi": a Kubernetes quantity. */
export function k8sMemory(mb: number): string {
  return mb % 1024 === 0 ? `${mb / 1024}Gi` : `${mb}Mi`;
}

/** 4096 → "4G", 768 → "768M": a Compose memory size. */
export function composeMemory(mb: number): string {
  return mb % 1024 === 0 ? `${mb / 1024}G` : `${mb}M`;
}
