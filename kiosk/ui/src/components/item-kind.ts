import { useReason } from './reasons.ts';

/** "ID document", "parcel" …: the words for an item's kind, with a fallback. */
export function useItemKind(): (kind: string | null | undefined) => string {
  const words = useReason('kind');
  return (kind) => words(kind ?? 'unknown') ?? '';
}
