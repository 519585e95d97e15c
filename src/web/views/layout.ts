import { type Locale, supportedLocales } from '../../i18n/index.js';
import { html, type SafeHtml } from '../html.js';
import type { PagePaths } from '../page-paths.js';
import { pageMessages } from './translate-html.js';

export interface LayoutOptions {
  title: string;
  appName: string;
  paths: PagePaths;
  locale: Locale;
}

/**
 * The frame of every page: one stylesheet, a main landmark, a language switch. The script only
 * enhances (counts the resend wait down, shows times in local time); every page works without it.
 */
export function layout(options: LayoutOptions, main: SafeHtml): SafeHtml {
  const { t, locale } = pageMessages(options.locale);
  // Only pages with something to enhance load the script; the rest carry no <script> at all.
  const enhanced = /\sdata-(countdown|local-expiry)\b/.test(main.value);
  // Only the proof-of-work page loads the ALTCHA widget (and its stylesheet), from our own origin.
  const proofOfWork = main.value.includes(' data-pow-challenge');
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title} · ${options.appName}</title>
<link rel="stylesheet" href="${options.paths.stylesheet}">
${
  proofOfWork
    ? html`<link rel="stylesheet" href="${options.paths.powStylesheet}">
<script type="module" src="${options.paths.powScript}"></script>
`
    : ''
}${
  enhanced
    ? html`<script src="${options.paths.script}" defer></script>
`
    : ''
}</head>
<body>
<header class="site-header"><a class="brand" href="${options.paths.home}">${options.appName}</a></header>
<main id="main">
${main}
</main>
<footer class="site-footer">
<p>${t('layout.footer')}</p>
<nav aria-label="${t('language.label')}"><ul class="languages">
${supportedLocales.map(
  (other) =>
    html`<li><a href="?lang=${other}" lang="${other}" hreflang="${other}"${other === locale ? html` aria-current="true"` : ''}>${t(`language.name.${other}`)}</a></li>`,
)}
</ul></nav>
</footer>
</body>
</html>`;
}
