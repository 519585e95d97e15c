import type { Catalogue } from './messages.en.js';

/** German (formal "Sie"), complete: the `Catalogue` type refuses a missing or extra key. */
export const de: Catalogue = {
  'language.name.en': 'English',
  'language.name.de': 'Deutsch',
  'language.label': 'Sprache',

  'layout.footer': 'Einmalcodes per E-Mail. Ein Code beweist, dass Sie ein Postfach kontrollieren.',

  'wait.seconds': '{count} s',
  'wait.minutes_one': '{count} Minute',
  'wait.minutes_other': '{count} Minuten',
  'duration.seconds_one': '{count} Sekunde',
  'duration.seconds_other': '{count} Sekunden',
  'duration.minutes_one': '{count} Minute',
  'duration.minutes_other': '{count} Minuten',

  'home.title': 'Start',
  'home.heading': 'Beweisen Sie, dass eine E-Mail-Adresse Ihnen gehört',
  'home.intro':
    '{appName} schickt einen kurzen Einmalcode an Ihre E-Mail-Adresse. Tippen Sie ihn hier ein, und wir wissen, dass die Adresse Ihnen gehört. Kein Passwort, nichts zu installieren.',
  'home.start': 'Los geht’s',

  'landing.title': 'Sicherer Einmalcode',
  'landing.intro':
    'Fordern Sie einen Code per E-Mail an und geben Sie ihn hier ein, um zu bestätigen, dass die Adresse Ihnen gehört.',
  'landing.request': 'Code anfordern',
  'landing.verify': 'Code prüfen',

  'request.title': 'Code anfordern',
  'request.emailLabel': 'E-Mail-Adresse',
  'request.submit': 'Code zusenden',
  'request.haveCode': 'Ich habe schon einen Code',

  'challenge.title': 'Einen Moment',
  'challenge.busy':
    'Gerade erreichen uns sehr viele Code-Anfragen. Bevor wir Ihren Code senden, bitten wir Ihren Browser um eine kurze Berechnung.',
  'challenge.automatic': 'Das dauert ein, zwei Sekunden; danach wird der Code von selbst gesendet.',
  'challenge.noScript':
    'Diese Berechnung braucht JavaScript, das in diesem Browser ausgeschaltet ist. Deshalb können wir gerade keinen Code senden. Versuchen Sie es in {wait} erneut, oder schalten Sie JavaScript ein und laden Sie die Seite neu.',
  'challenge.for': 'Code für {address}',
  'challenge.expired':
    'Die Prüfung hat zu lange gedauert und ist abgelaufen. Wählen Sie „Code zusenden“, um es erneut zu versuchen.',
  'challenge.refused':
    'Diese Prüfung wurde nicht angenommen. Wählen Sie „Code zusenden“, um es mit einer neuen erneut zu versuchen.',

  'verify.title': 'Code prüfen',
  'verify.emailLabel': 'E-Mail-Adresse',
  'verify.change': 'Adresse ändern',
  'verify.codeLabel': '{length}-stelliger Code',
  'verify.codeHint': 'Leerzeichen und Bindestriche sind erlaubt: 123 456 geht auch.',
  'verify.expiresIn': 'Der Code läuft in {lifetime} ab.',
  'verify.expiresAt': 'Der Code läuft um {time} ab.',
  'verify.submit': 'Prüfen',
  'verify.requestCode': 'Code anfordern',
  'verify.resend': 'Neuen Code senden',
  'verify.resendWait': 'Einen neuen Code können Sie in {seconds} s anfordern.',

  'notice.codeSent': 'Code gesendet an {address} (gültig {wait}).',
  'notice.codeResent': 'Neuer Code gesendet an {address} (gültig {wait}).',

  'delivery.sending':
    'Die E-Mail wird noch gesendet. Sie kommt meist innerhalb einer Minute an; laden Sie die Seite neu, um nachzusehen.',
  'delivery.failed':
    'Die E-Mail konnte nicht an diese Adresse zugestellt werden. Prüfen Sie die Adresse und fordern Sie einen neuen Code an.',
  'delivery.expired': 'Die E-Mail konnte nicht gesendet werden, bevor der Code ablief. Fordern Sie einen neuen Code an.',

  'error.invalidEmail': 'Geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com.',
  'error.invalidPurpose': 'Diese Art von Code wird hier nicht angeboten.',
  'error.cooldown': 'Gerade wurde ein Code gesendet. Warten Sie {wait}, bevor Sie einen weiteren anfordern.',
  'error.sendLimit': 'An diese Adresse wurden zu viele Codes gesendet. Versuchen Sie es in {wait} erneut.',
  'error.undeliverable':
    'E-Mails konnten nicht an diese Adresse zugestellt werden. Prüfen Sie die Adresse oder verwenden Sie eine andere.',
  'error.mailUnavailable': 'Wir können gerade keine Codes senden. Versuchen Sie es später erneut.',
  'error.malformedCode': 'Geben Sie den {length}-stelligen Code aus der E-Mail ein.',
  'error.invalidCode_one': 'Dieser Code stimmt nicht. Noch {count} Versuch.',
  'error.invalidCode_other': 'Dieser Code stimmt nicht. Noch {count} Versuche.',
  'error.expired': 'Dieser Code ist abgelaufen. Fordern Sie einen neuen an.',
  'error.locked': 'Zu viele falsche Versuche: Dieser Code gilt nicht mehr. Fordern Sie einen neuen an.',
  'error.paused': 'Zu viele falsche Versuche für diese Adresse. Versuchen Sie es in {wait} erneut.',
  'error.domainLimit':
    'In der letzten Stunde wurden sehr viele Codes für Adressen bei {domain} angefordert, deshalb pausieren wir neue für diese Domain. Versuchen Sie es in {wait} erneut.',
  'error.disposableAddress':
    'Adressen bei {domain} sind Wegwerf-Postfächer, an die wir keine Codes senden. Verwenden Sie eine dauerhafte E-Mail-Adresse, die Sie behalten.',
  'error.noMailDomain':
    '{domain} kann keine E-Mails empfangen. Prüfen Sie die Adresse auf Tippfehler, oder verwenden Sie eine andere.',

  'link.title': 'Bestätigen Sie, dass Sie es sind',
  'link.intro':
    'Sie haben den Link aus Ihrer Code-E-Mail geöffnet. Drücken Sie die Schaltfläche, um abzuschließen: Das Öffnen des Links allein bewirkt nichts.',
  'link.submit': 'Ja, ich bin es',
  'link.useCode': 'Stattdessen den Code eingeben',
  'link.invalid':
    'Dieser Link gilt nicht mehr: Er wurde schon benutzt, durch eine neuere E-Mail ersetzt oder falsch abgetippt. Fordern Sie einen neuen Code an.',
  'link.expired': 'Dieser Link ist abgelaufen. Fordern Sie einen neuen Code an.',
  'link.locked': 'Zu viele falsche Versuche: Dieser Link und sein Code gelten nicht mehr. Fordern Sie einen neuen Code an.',

  'success.title': 'Bestätigt',
  'success.proved': 'Sie haben bewiesen, dass Sie {address} kontrollieren.',
  'success.used': 'Der Code wurde verwendet und gilt nicht mehr.',
  'success.done': 'Fertig',
  'success.continue': 'Weiter',

  'errorPage.back': 'Zurück zum Anfang',
  'errorPage.notFoundTitle': 'Seite nicht gefunden',
  'errorPage.notFound': 'Unter dieser Adresse gibt es keine Seite.',
  'errorPage.formExpiredTitle': 'Formular abgelaufen',
  'errorPage.formExpired':
    'Dieses Formular ist abgelaufen. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.',
  'errorPage.tooLargeTitle': 'Zu viele Daten',
  'errorPage.tooLarge':
    'Das Formular hat weit mehr Daten geschickt als vorgesehen. Gehen Sie zurück und versuchen Sie es noch einmal.',
  'errorPage.mediaTypeTitle': 'Formular nicht unterstützt',
  'errorPage.mediaType': 'Senden Sie das Formular von seiner Seite aus: Diese Art von Inhalt wird hier nicht angenommen.',
  'errorPage.emptyTitle': 'Leere Anfrage',
  'errorPage.empty': 'Die Anfrage hatte keinen Inhalt.',
  'errorPage.badRequestTitle': 'Fehlerhafte Anfrage',
  'errorPage.contentLength': 'Die Anfrage war abgeschnitten oder fehlerhaft.',
  'errorPage.badRequest': 'Die Anfrage war unverständlich. Gehen Sie zurück und versuchen Sie es noch einmal.',
  'errorPage.tooManyTitle': 'Zu viele Anfragen',
  'errorPage.tooMany': 'Zu viele Anfragen aus Ihrem Netz. Versuchen Sie es in {wait} erneut.',
  'errorPage.networkBusyTitle': 'Zu viele Anfragen aus Ihrem Netz',
  'errorPage.networkBusy':
    'Aus Ihrem Netz kamen in den letzten Minuten sehr viele Anfragen (ein Büro-, Schul- oder Mobilfunknetz teilen sich viele Menschen), deshalb pausieren wir sie. Versuchen Sie es in {wait} erneut oder aus einem anderen Netz, etwa über mobile Daten.',
  'errorPage.unavailableTitle': 'Vorübergehend nicht verfügbar',
  'errorPage.unavailable': 'Der Dienst ist vorübergehend nicht verfügbar. Versuchen Sie es in einer Minute erneut.',
  'errorPage.internalTitle': 'Etwas ist schiefgelaufen',
  'errorPage.internal': 'Bei uns ist etwas schiefgelaufen. Versuchen Sie es in einer Minute erneut.',

  'devMailbox.title': 'Entwickler-Postfach',
  'devMailbox.intro':
    'Es ist kein Mailversand eingerichtet, daher werden E-Mails hier aufbewahrt statt gesendet. In Produktion gibt es diese Seite nicht.',
  'devMailbox.empty': 'Noch keine Nachrichten.',
  'devMailbox.to': 'An {address}',

  'email.subject.sign-in': 'Ihr Anmeldecode für {appName}',
  'email.subject.verify-email': 'Ihr Code zur E-Mail-Bestätigung für {appName}',
  'email.subject.confirm-action': 'Ihr Bestätigungscode für {appName}',
  'email.subject.other': 'Ihr {purpose}-Code für {appName}',
  'email.intro': 'Ihr Code für {appName}:',
  'email.instruction.sign-in': 'Geben Sie diesen Code ein, um sich anzumelden.',
  'email.instruction.verify-email': 'Geben Sie diesen Code ein, um Ihre E-Mail-Adresse zu bestätigen.',
  'email.instruction.confirm-action': 'Geben Sie diesen Code ein, um eine Aktion zu bestätigen.',
  'email.instruction.other': 'Geben Sie diesen Code ein für: {purpose}.',
  'email.validFor': 'Er gilt {lifetime}.',
  'email.context': 'Sie bestätigen: {context}',
  'email.linkIntro': 'Oder öffnen Sie diesen Link und bestätigen Sie mit einem Klick (er gilt so lange wie der Code):',
  'email.linkButton': 'Mit einem Klick bestätigen',
  'email.doNotShare': 'Geben Sie diesen Code niemandem weiter.',
  'email.ignore': 'Wenn Sie diesen Code nicht angefordert haben, können Sie diese E-Mail ignorieren.',
  'email.preheader': 'Ihr Code für {appName} ist in dieser E-Mail. Er gilt {lifetime}.',
};
