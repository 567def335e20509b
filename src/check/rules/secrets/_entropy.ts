/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Looks like a generated secret: long enough, varied enough, not a placeholder or a reference. */
export function highEntropy(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (v.length < 16 || /\s/.test(v) || v.includes('${') || v.startsWith('$') || /^(?:change|replace|your|example|xxx|<)/i.test(v)) return false;
  // Words joined by - _ . / are names, not secrets: a Kubernetes label key (app.kubernetes.io/name,
  // topology.kubernetes.io/zone) under `key:` or `topologyKey:`.
  if (/^[a-z]+(?:[-_./][a-z]+)*$/i.test(v) || /^https?:\/\/[^:@]*$/.test(v) || v.startsWith('/')) return false;
  return entropy(v) >= 3.5;
}
