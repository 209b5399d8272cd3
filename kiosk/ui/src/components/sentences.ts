/**
 * Texts read one after another (speech output, the screen reader's announcement) as
 * sentences: a piece without its own end (a heading, "Schritt 1 von 3") gets a full stop, one
 * ending in "?", "!", "…", ":" or the Arabic "؟" keeps its own, so nothing runs together
 * ("Schritt 1 von 3 Bitte …") and nothing doubles ("?.").
 */
const ENDS_SENTENCE = /[.!?…:;؟]["“”»«']?$/u;

export function joinSentences(parts: readonly (string | null | undefined)[]): string {
  return parts
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .map((part) => (ENDS_SENTENCE.test(part) ? part : `${part}.`))
    .join(' ');
}

/**
 * A text as its sentences, for Leichte Sprache, which puts each sentence on a line of its
 * own. A sentence ends at ".", "!" or "?" followed by a space; a colon does not end one
 * ("Bitte tippen Sie auf: Ja." stays together).
 */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?؟])\s+/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
}
