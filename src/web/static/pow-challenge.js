// The proof-of-work page (docs/challenge.md): loads the ALTCHA widget from our own origin, lets it solve
// the challenge the server put in the page, in Web Workers, and then sends the form on by itself. No
// text lives here: the page says what is happening, and the widget's own words come in the page's language.
// Without JavaScript none of this runs, and the page's <noscript> text says why and when to try again.

const widgets = [...document.querySelectorAll('altcha-widget[data-pow-challenge]')];
// "…then the code is sent by itself" is true only now that this script runs.
for (const sentence of document.querySelectorAll('[data-pow-automatic]')) sentence.hidden = false;
let algorithmsRegistered;
const ready = new Promise((resolve) => {
  algorithmsRegistered = resolve;
});

for (const widget of widgets) {
  // The widget's methods exist once it has mounted ('load'); it may only start once the worker is known.
  widget.addEventListener('load', () => ready.then(() => widget.verify()), { once: true });
  widget.addEventListener('verified', () => {
    if (widget.hasAttribute('data-submit-when-solved')) widget.closest('form')?.requestSubmit();
  });
}

const language = document.documentElement.lang;
if (language && language !== 'en') {
  // A missing translation leaves the widget in English; the page around it is translated anyway.
  await import(`./altcha/i18n-${language}.js`).catch(() => {});
}
await import('./altcha/altcha.js');
const workerUrl = new URL('./altcha/pbkdf2-worker.js', import.meta.url);
globalThis.$altcha.algorithms.set('PBKDF2/SHA-256', () => new Worker(workerUrl));
algorithmsRegistered();
