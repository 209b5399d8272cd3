/**
 * The page shell and form fields. Every page: lang attribute, skip link, one h1, navigation
 * with aria-current, labels tied to their fields, errors tied with aria-describedby and
 * summarised at the top, no script and no inline style (the CSP forbids both).
 */
import { consolePath, EVALUATION_PATH, may, type Permission, type View } from './context.ts';
import { type HtmlValue, html, type SafeHtml } from './html.ts';
import type { MessageKey } from './i18n.ts';

export interface FieldError {
  field: string;
  message: string;
}

export const fieldId = (name: string): string => `f-${name}`;

const NAV: readonly { path: string; label: MessageKey; permission: Permission }[] = [
  { path: '/', label: 'nav.overview', permission: 'view' },
  { path: '/announce', label: 'nav.announce', permission: 'act' },
  { path: '/items', label: 'nav.items', permission: 'view' },
  { path: '/notices', label: 'nav.notices', permission: 'view' },
  { path: '/parked', label: 'nav.parked', permission: 'view' },
  { path: '/applications', label: 'nav.applications', permission: 'act' },
  { path: EVALUATION_PATH, label: 'nav.evaluation', permission: 'evaluate' },
  { path: '/users', label: 'nav.users', permission: 'admin' },
  { path: '/audit', label: 'nav.audit', permission: 'admin' },
];

function header(view: View): SafeHtml {
  const { t } = view;
  const other = view.lang === 'de' ? 'en' : 'de';
  const current = (path: string) =>
    view.path === consolePath(path) || (path !== '/' && view.path.startsWith(consolePath(path)));
  const nav = NAV.filter((entry) => may(view.user, entry.permission)).map(
    (entry) =>
      html`<li><a href="${consolePath(entry.path)}"${current(entry.path) ? html` aria-current="page"` : ''}>${t(entry.label)}</a></li>`,
  );
  return html`<header class="site-header">
  <p class="brand">${t('app.name')}</p>
  ${view.user ? html`<nav aria-label="${t('nav.label')}"><ul>${nav}</ul></nav>` : ''}
  <div class="tools">
    <a href="${view.path}?lang=${other}" lang="${other}" hreflang="${other}">${t('lang.switch')}</a>
    ${
      view.user && view.csrf
        ? html`<a href="${consolePath('/password')}"${current('/password') ? html` aria-current="page"` : ''}>${t('nav.password')}</a>
    <form method="post" action="${consolePath('/logout')}" class="logout">
      <span>${t('nav.signedInAs', { user: view.user.username })}</span>
      <input type="hidden" name="_csrf" value="${view.csrf}">
      <button type="submit">${t('nav.logout')}</button>
    </form>`
        : ''
    }
  </div>
</header>`;
}

export function layout(
  view: View,
  page: { title: string; body: HtmlValue; errors?: readonly FieldError[] },
): SafeHtml {
  const { t } = view;
  const title = page.errors?.length ? t('page.errorTitle', { title: page.title }) : page.title;
  return html`<!doctype html>
<html lang="${view.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} – ${t('app.name')}</title>
<link rel="stylesheet" href="${consolePath('/console.css')}">
</head>
<body>
<a class="skip-link" href="#main">${t('page.skip')}</a>
${header(view)}
<main id="main" tabindex="-1">
<h1>${page.title}</h1>
${page.errors?.length ? errorSummary(view, page.errors) : ''}
${page.body}
</main>
</body>
</html>
`;
}

function errorSummary(view: View, errors: readonly FieldError[]): SafeHtml {
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${view.t('form.errorSummary')}</h2>
<ul>${errors.map((e) => html`<li><a href="#${fieldId(e.field)}">${e.message}</a></li>`)}</ul>
</div>`;
}

export const csrfField = (csrf: string): SafeHtml =>
  html`<input type="hidden" name="_csrf" value="${csrf}">`;

export const notice = (text: string): SafeHtml =>
  html`<div class="notice" role="status"><p>${text}</p></div>`;

/**
 * A cell of English technical text (the notice queue's and the server's reasons, event
 * types): marked so on pages in another language, for screen readers.
 */
export const englishCell = (view: View, text: string | null): SafeHtml => {
  if (text === null) return html`<td>–</td>`;
  return view.lang === 'en' ? html`<td>${text}</td>` : html`<td lang="en">${text}</td>`;
};

interface FieldBase {
  name: string;
  label: string;
  hint?: string;
  errors?: readonly FieldError[];
  required?: boolean;
}

/** The ids a field is described by, and its error paragraph. */
function described(field: FieldBase) {
  const id = fieldId(field.name);
  const error = field.errors?.find((e) => e.field === field.name)?.message;
  const ids = [field.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return {
    id,
    error,
    describedBy: ids ? html` aria-describedby="${ids}"` : '',
    attributes: html`${ids ? html` aria-describedby="${ids}"` : ''}${error ? html` aria-invalid="true"` : ''}${field.required ? html` required` : ''}`,
    text: html`${field.hint ? html`<p class="hint" id="${id}-hint">${field.hint}</p>` : ''}${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}`,
  };
}

/** A field with a choice of options: a select or radio buttons. */
type ChoiceField = FieldBase & {
  value?: string | undefined;
  options: readonly { value: string; label: string }[];
};

export function textField(
  field: FieldBase & {
    value?: string | undefined;
    type?: 'text' | 'email' | 'tel' | 'number' | 'password' | 'search';
    autocomplete?: string;
    inputmode?: 'numeric' | 'text';
    extra?: SafeHtml;
  },
): SafeHtml {
  const d = described(field);
  return html`<div class="field${d.error ? ' has-error' : ''}">
<label for="${d.id}">${field.label}</label>
${d.text}
<input id="${d.id}" name="${field.name}" type="${field.type ?? 'text'}" value="${field.value ?? ''}"${field.autocomplete ? html` autocomplete="${field.autocomplete}"` : ''}${field.inputmode ? html` inputmode="${field.inputmode}"` : ''}${d.attributes}${field.extra ?? ''}>
</div>`;
}

export function textArea(field: FieldBase & { value?: string | undefined }): SafeHtml {
  const d = described(field);
  return html`<div class="field${d.error ? ' has-error' : ''}">
<label for="${d.id}">${field.label}</label>
${d.text}
<textarea id="${d.id}" name="${field.name}" rows="3"${d.attributes}>${field.value ?? ''}</textarea>
</div>`;
}

export function selectField(field: ChoiceField): SafeHtml {
  const d = described(field);
  return html`<div class="field${d.error ? ' has-error' : ''}">
<label for="${d.id}">${field.label}</label>
${d.text}
<select id="${d.id}" name="${field.name}"${d.attributes}>
${field.options.map((o) => html`<option value="${o.value}"${o.value === field.value ? html` selected` : ''}>${o.label}</option>`)}
</select>
</div>`;
}

/** Radio buttons in a fieldset; the first one carries the field id the summary links to. */
export function radioGroup(field: ChoiceField): SafeHtml {
  const d = described(field);
  return html`<fieldset class="field${d.error ? ' has-error' : ''}"${d.describedBy}>
<legend>${field.label}</legend>
${d.text}
${field.options.map(
  (o, index) =>
    html`<div class="choice"><input type="radio" id="${index === 0 ? d.id : `${d.id}-${o.value}`}" name="${field.name}" value="${o.value}"${o.value === field.value ? html` checked` : ''}><label for="${index === 0 ? d.id : `${d.id}-${o.value}`}">${o.label}</label></div>`,
)}
</fieldset>`;
}

export function checkbox(field: FieldBase & { checked: boolean }): SafeHtml {
  const d = described(field);
  return html`<div class="field choice${d.error ? ' has-error' : ''}">
<input type="checkbox" id="${d.id}" name="${field.name}" value="on"${field.checked ? html` checked` : ''}${d.attributes}>
<label for="${d.id}">${field.label}</label>
${d.text}
</div>`;
}
