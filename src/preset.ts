/** templates/<preset>/preset.yaml, turned into JSON by the build. */
export interface PresetManifest {
  name: string;
  description: string;
  /** Globs (`*` = one path segment) of files written only when missing. */
  userOwned: string[];
}

/** `data/*‍/main.py` style glob → RegExp; `*` never crosses a `/`. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}$`);
}
