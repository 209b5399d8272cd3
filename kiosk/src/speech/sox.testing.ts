/** Test support: what sox measures in a WAV file. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

/** `sox FILE -n stat` (it writes to standard error): its figures by name. */
export function soxFigures(file: string): Record<string, number> {
  let text = '';
  try {
    text = execFileSync('sh', ['-c', 'sox "$1" -n stat 2>&1', 'sox', file], { encoding: 'utf8' });
  } catch (error) {
    assert.fail(`sox could not read ${file}: ${String(error)}`);
  }
  const figures: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [name, value] = line.split(':').map((part) => part.trim());
    if (name && value !== undefined && value !== '') figures[name] = Number(value);
  }
  return figures;
}
