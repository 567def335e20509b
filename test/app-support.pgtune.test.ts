// The PostgreSQL sizing rules of the app-support preset, as plain arithmetic. What PostgreSQL itself
// makes of the generated file is proven in app-support.postgres.test.ts (postgres -C).
import { describe, expect, it } from 'vitest';

import { composeMemory, k8sMemory, pgSize, pgTuning } from '../src/presets/app-support-pgtune.js';

describe('pgSize', () => {
  it('uses the largest unit that holds the value exactly', () => {
    expect(pgSize(1024 * 1024)).toBe('1GB');
    expect(pgSize(3 * 1024 * 1024)).toBe('3GB');
    expect(pgSize(384 * 1024)).toBe('384MB');
    expect(pgSize(1310)).toBe('1310kB');
    expect(pgSize(1536 * 1024)).toBe('1536MB');
    expect(() => pgSize(0)).toThrow();
    expect(() => pgSize(1.5)).toThrow();
  });
});

describe('pgTuning', () => {
  it('512MB', () => {
    expect(pgTuning(512)).toEqual({
      memoryMB: 512,
      maxConnections: 100,
      sharedBuffers: '128MB',
      effectiveCacheSize: '384MB',
      maintenanceWorkMem: '32MB',
      workMem: '1310kB',
      walBuffers: '4MB',
      minWalSize: '256MB',
      maxWalSize: '1GB',
      shmMB: 64,
    });
  });

  it('4GB (the default)', () => {
    expect(pgTuning(4096)).toMatchObject({
      sharedBuffers: '1GB',
      effectiveCacheSize: '3GB',
      maintenanceWorkMem: '256MB',
      workMem: '10485kB',
      walBuffers: '16MB',
      minWalSize: '1GB',
      maxWalSize: '4GB',
      shmMB: 512,
    });
  });

  it('64GB: maintenance_work_mem, WAL and /dev/shm are capped', () => {
    expect(pgTuning(64 * 1024)).toMatchObject({
      sharedBuffers: '16GB',
      effectiveCacheSize: '48GB',
      maintenanceWorkMem: '2GB',
      workMem: '167772kB',
      walBuffers: '16MB',
      minWalSize: '4GB',
      maxWalSize: '16GB',
      shmMB: 1024,
    });
  });

  it('odd sizes stay in whole units PostgreSQL accepts', () => {
    for (const mb of [256, 300, 777, 1000, 1025, 3000, 12345, 1024 * 1024]) {
      const t = pgTuning(mb);
      for (const v of [t.sharedBuffers, t.effectiveCacheSize, t.maintenanceWorkMem, t.workMem, t.walBuffers, t.minWalSize, t.maxWalSize]) {
        expect(v, `${mb}MB`).toMatch(/^[1-9]\d*(kB|MB|GB)$/);
      }
      // Settings counted in 8kB pages must be whole pages; WAL sizes are counted in MB.
      const kB = (s: string) => Number(s.replace(/\D+$/, '')) * { kB: 1, MB: 1024, GB: 1024 * 1024 }[s.replace(/^\d+/, '') as 'kB'];
      for (const v of [t.sharedBuffers, t.effectiveCacheSize, t.walBuffers]) expect(kB(v) % 8, `${mb}MB ${v}`).toBe(0);
      for (const v of [t.minWalSize, t.maxWalSize]) expect(kB(v) % 1024, `${mb}MB ${v}`).toBe(0);
      expect(kB(t.sharedBuffers) + kB(t.workMem) * t.maxConnections).toBeLessThanOrEqual(mb * 1024);
    }
  });
});

describe('container memory sizes', () => {
  it('Kubernetes and Compose notations', () => {
    expect(k8sMemory(4096)).toBe('4Gi');
    expect(k8sMemory(768)).toBe('768Mi');
    expect(composeMemory(4096)).toBe('4G');
    expect(composeMemory(768)).toBe('768M');
  });
});
