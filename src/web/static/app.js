// Progressive enhancement only: every page works without this file. The server already renders the
// resend wait (and disables the button) and when the code expires; this script counts the wait down,
// enables the button at zero, and shows the expiry in the reader's own time zone. No text lives
// here: every word comes from the page, which comes from the message catalogue.

for (const wait of document.querySelectorAll('[data-countdown]')) {
  const button = document.getElementById(wait.getAttribute('data-countdown'));
  const seconds = wait.querySelector('[data-countdown-seconds]');
  const endsAtMs = Date.now() + Number(wait.getAttribute('data-seconds')) * 1000;
  const tick = () => {
    const left = Math.ceil((endsAtMs - Date.now()) / 1000);
    if (left <= 0) {
      if (button) {
        button.disabled = false;
        button.removeAttribute('aria-describedby');
      }
      wait.hidden = true;
      return;
    }
    if (seconds) seconds.textContent = String(left);
    // Wake at the next whole second of the wait, so the number never lags a second behind.
    setTimeout(tick, (endsAtMs - Date.now()) % 1000 || 1000);
  };
  tick();
}

// The server says when the code expires relative to now ("in 5 minutes"); the page's template holds
// the same sentence with a clock time, which this fills in the reader's own time zone and puts in its place.
for (const template of document.querySelectorAll('template[data-local-expiry]')) {
  const sentence = template.content.cloneNode(true);
  const time = sentence.querySelector('time[data-local-time]');
  const at = new Date(time?.getAttribute('datetime') ?? '');
  if (time && !Number.isNaN(at.getTime())) {
    time.textContent = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      hour: '2-digit',
      minute: '2-digit',
    }).format(at);
    template.parentElement.replaceChildren(sentence);
  }
}
