import { html, type SafeHtml } from '../html.js';

export interface LayoutOptions {
  title: string;
  appName: string;
}

/** The frame of every page: one stylesheet, no script needed, a main landmark and a skip target. */
export function layout(options: LayoutOptions, main: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title} · ${options.appName}</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header class="site-header"><a class="brand" href="/">${options.appName}</a></header>
<main id="main">
${main}
</main>
<footer class="site-footer"><p>One-time codes by email. Codes prove you control a mailbox.</p></footer>
</body>
</html>`;
}
