/**
 * The one way two references are compared: a label printed `PKG-2002`, scanned as
 * `pkg-2002` or typed as `PKG2002` is the same parcel. Case, spaces and punctuation
 * (`-`, `.`, `/`, `_`, …) do not count; letters and digits do. The store keeps the reference
 * as printed and this key next to it (`items.reference_key`), and looks references up by it.
 */
export function referenceKey(reference: string): string {
  return reference
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}
