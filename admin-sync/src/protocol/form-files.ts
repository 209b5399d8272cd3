/**
 * Reading a form catalogue from its files: one JSON file per service (`<service id>.json`),
 * as a town hall writes them. A catalogue with an error is refused as a whole, with one
 * line per problem naming the file and the field (`hund-anmelden.json: steps[1].fields[0]
 * .label.tr: …`), so the author knows what to fix; whoever loads it keeps the last good one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from '@amtomat/basics';
import type { z } from 'zod';
import { SHIPPED_FORM_FILES } from '../../forms/shipped.ts';
import { type FormDefinition, FormDefinitionSchema } from './forms.ts';
import { jsonHash } from './json.ts';

/** The catalogue shipped in the repository (the eight services of issue #12). */
export const DEFAULT_FORMS_DIR = fileURLToPath(new URL('../../forms/', import.meta.url));

export interface FormCatalogue {
  /** Changes whenever any form changes (a hash of the forms). */
  version: string;
  forms: FormDefinition[];
}

/** `steps[1].fields[0].label.tr` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
    )
    .join('');
}

export const issueLines = (file: string, error: z.ZodError): string[] =>
  error.issues.map((issue) => `${file}: ${fieldPath(issue.path) || '(file)'}: ${issue.message}`);

/** The catalogue's version: the same forms always give the same version. */
export const catalogueVersion = (forms: readonly FormDefinition[]) =>
  `c-${jsonHash(forms as never).slice(0, 16)}`;

/** Parses named form documents (file name → parsed JSON) into a catalogue, or every problem. */
export function catalogueOf(files: ReadonlyMap<string, unknown>): Result<FormCatalogue, string[]> {
  const problems: string[] = [];
  const forms: FormDefinition[] = [];
  for (const [file, document] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const parsed = FormDefinitionSchema.safeParse(document);
    if (!parsed.success) {
      problems.push(...issueLines(file, parsed.error));
      continue;
    }
    const expected = `${parsed.data.id}.json`;
    if (file.endsWith('.json') && file !== expected) {
      problems.push(
        `${file}: id: the file of service "${parsed.data.id}" must be named ${expected}`,
      );
    }
    forms.push(parsed.data);
  }
  if (forms.length === 0 && problems.length === 0) problems.push('(catalogue): no form files');
  return problems.length > 0 ? err(problems) : ok({ version: catalogueVersion(forms), forms });
}

/** The catalogue shipped with the software, from the files embedded in the code. */
export function shippedCatalogue(): Result<FormCatalogue, string[]> {
  return catalogueOf(new Map(SHIPPED_FORM_FILES));
}

/** Reads every `*.json` of a folder as a catalogue. */
export function loadCatalogue(dir: string = DEFAULT_FORMS_DIR): Result<FormCatalogue, string[]> {
  const files = new Map<string, unknown>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return err([`${dir}: the folder cannot be read`]);
  }
  for (const name of names) {
    try {
      files.set(name, JSON.parse(readFileSync(join(dir, name), 'utf8')));
    } catch (error) {
      return err([`${name}: (file): not valid JSON (${(error as Error).message})`]);
    }
  }
  return catalogueOf(files);
}
