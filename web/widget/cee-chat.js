/*!
 * CEE Guide chat widget: a small, dependency-free web chat for Rasa's socket.io channel.
 *
 * Embed with one tag:
 *   <script src="/widget/cee-chat.js" data-server="http://127.0.0.1:5005" defer></script>
 *
 * The only run-time dependency is the socket.io client global `io`. When it is not already on the
 * page, it is loaded from ../vendor/socket.io.min.js relative to this script (see web/vendor.sh).
 * The stylesheet is loaded from cee-chat.css beside this script. Nothing is loaded from a CDN.
 *
 * Feedback on answers (docs/feedback.md): the server names each answer with a `feedback_offer` event after it; the
 * answer then gets "Helpful" / "Not helpful" buttons, sent back as a `feedback` event on the same socket, and
 * replaced by a thanks that screen readers announce.
 *
 * Language (docs/languages.md): the header's switch ("English | Español", two toggle buttons with aria-pressed) sends
 * the choice to the bot ("/es" or "/en": from then on it reads and answers every message in that language), sends
 * `metadata.language` with every message after it, keeps the choice in localStorage like the session, and shows the
 * widget's own words in it. The widget's root has the `lang` of its words, each message the `lang` it is in (a bot
 * message: the one the server names, so a Spanish answer is marked Spanish even when no language was chosen; a user's
 * message sent with none chosen takes the language its answer names).
 */
(function () {
  'use strict';

  if (typeof window === 'undefined' || typeof document === 'undefined') return;
  if (window.CEEChat && window.CEEChat.version) return; // included twice: keep the first one

  var VERSION = '0.1.0';
  var SESSION_KEY = 'cee-guide-session'; // the id the server issued (never one made up here), kept across reloads
  var HISTORY_PREFIX = 'cee-guide-history:';
  var HISTORY_TIME_PREFIX = 'cee-guide-history-at:'; // when a conversation's history was last saved (ms)
  var DAY_MS = 86400000;
  var MAX_HISTORY = 200;
  var MAX_INPUT = 1000;
  var TYPING_TIMEOUT_MS = 30000;
  var FEEDBACK_TIMEOUT_MS = 10000;
  var MAX_MESSAGE_ID = 40;
  var LANGUAGE_KEY = 'cee-guide-language'; // the language chosen with the switch (en, es), kept across reloads
  var DIRECTORY_URL = 'https://www.cbp.gov/trade/centers-excellence-and-expertise-information/cee-directory';
  // The widget's own words in each language ({title}: the chat's title; the bot's replies come from the server).
  var TEXTS = {
    en: {
      region: '{title} chat',
      subtitle: 'Virtual assistant for the Centers of Excellence and Expertise',
      launcher: 'Ask CEE Guide',
      newTab: '(opens in a new tab)',
      close: 'Close chat',
      newChat: 'New chat',
      languages: 'Language of the chat',
      log: 'Conversation with {title}',
      emptyBefore: 'Ask about the Centers of Excellence and Expertise, for example: ',
      emptyExample: 'Which Center handles HTS chapter 61?',
      emptyAfter: ' Please do not enter personal or confidential business information.',
      label: 'Your message',
      placeholder: 'Type your question',
      send: 'Send',
      youSaid: 'You said: ',
      botSaid: '{title} said: ',
      typing: '{title} is typing…',
      limit: 'Character limit of {n} reached.',
      left: '{n} characters left.',
      table: 'Table',
      image: 'Image from {title}',
      attachment: 'Open attachment',
      download: 'Download {name}',
      suggested: 'Suggested replies',
      feedbackPrompt: 'Was this answer helpful?',
      helpful: 'Helpful',
      notHelpful: 'Not helpful',
      answerTo: ', answer to \u201c{question}\u201d',
      feedbackThanks: 'Thanks for your feedback.',
      feedbackFailed: 'Sorry, your feedback could not be sent. Please try again in a moment.',
      feedbackClosed: 'Sorry, this answer can no longer be rated.',
      unreachable: 'The assistant is unreachable right now. Please try again in a minute, or use the CEE Directory: ' +
        DIRECTORY_URL
    },
    es: {
      region: 'Chat de {title}',
      subtitle: 'Asistente virtual de los Centros de Excelencia y Experiencia',
      launcher: 'Pregunte a CEE Guide',
      newTab: '(se abre en una pestaña nueva)',
      close: 'Cerrar el chat',
      newChat: 'Nuevo chat',
      languages: 'Idioma del chat',
      log: 'Conversación con {title}',
      emptyBefore: 'Pregunte sobre los Centros de Excelencia y Experiencia, por ejemplo: ',
      emptyExample: '¿Qué Centro maneja el capítulo 61 del HTS?',
      emptyAfter: ' Por favor, no escriba datos personales ni información comercial confidencial.',
      label: 'Su mensaje',
      placeholder: 'Escriba su pregunta',
      send: 'Enviar',
      youSaid: 'Usted dijo: ',
      botSaid: '{title} dijo: ',
      typing: '{title} está escribiendo…',
      limit: 'Llegó al límite de {n} caracteres.',
      left: 'Quedan {n} caracteres.',
      table: 'Tabla',
      image: 'Imagen de {title}',
      attachment: 'Abrir el archivo adjunto',
      download: 'Descargar {name}',
      suggested: 'Respuestas sugeridas',
      feedbackPrompt: '¿Le fue útil esta respuesta?',
      helpful: 'Útil',
      notHelpful: 'No útil',
      answerTo: ', respuesta a \u00ab{question}\u00bb',
      feedbackThanks: 'Gracias por su opinión.',
      feedbackFailed: 'No se pudo enviar su opinión. Inténtelo de nuevo en un momento.',
      feedbackClosed: 'Esta respuesta ya no se puede calificar.',
      unreachable: 'El asistente no está disponible en este momento. Inténtelo de nuevo en un minuto o consulte el ' +
        'directorio de los CEE: ' + DIRECTORY_URL
    }
  };
  var LANGUAGE_NAMES = [['en', 'English'], ['es', 'Español']]; // each in its own language

  // ---------------------------------------------------------------------------------------------
  // Configuration from the script tag
  // ---------------------------------------------------------------------------------------------

  var script = document.currentScript || (function () {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) {
      if (/cee-chat(\.min)?\.js(\?|#|$)/.test(all[i].src || '')) return all[i];
    }
    return null;
  })();

  function attr(name, fallback) {
    var v = script && script.getAttribute(name);
    return v === null || v === undefined || v === '' ? fallback : v;
  }

  function resolve(rel) {
    try {
      return new URL(rel, (script && script.src) || document.baseURI).href;
    } catch (e) {
      return rel;
    }
  }

  function defaultServer() {
    var proto = location.protocol === 'https:' ? 'https:' : 'http:';
    var host = location.hostname || '127.0.0.1';
    if (host.indexOf(':') !== -1 && host.charAt(0) !== '[') host = '[' + host + ']';
    return proto + '//' + host + ':5005';
  }

  var config = {
    server: attr('data-server', defaultServer()),
    socketPath: attr('data-socket-path', '/socket.io'),
    namespace: attr('data-namespace', ''),
    open: /^(true|1|yes|open)$/i.test(attr('data-open', 'false')),
    title: attr('data-title', 'CEE Guide'),
    subtitle: attr('data-subtitle', null), // none: the widget's own, in its language
    launcherText: attr('data-launcher-text', null),
    initPayload: attr('data-init-payload', ''),
    css: attr('data-css', resolve('cee-chat.css')),
    socketioSrc: attr('data-socketio-src', resolve('../vendor/socket.io.min.js')),
    retentionDays: parseFloat(attr('data-retention-days', '90')) // RETENTION_DAYS, filled in by the page server
  };

  // ---------------------------------------------------------------------------------------------
  // Storage helpers (never throw: private modes and full quotas must not break the chat)
  // ---------------------------------------------------------------------------------------------

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try { window.localStorage.setItem(key, value); return true; } catch (e) { return false; }
  }
  function storageRemove(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  // ---------------------------------------------------------------------------------------------
  // Language: the one chosen with the switch (none: English words, and the server reads each message's words)
  // ---------------------------------------------------------------------------------------------

  function knownLanguage(lang) { return TEXTS.hasOwnProperty(lang) ? lang : null; }

  function uiLang() { return state.language || 'en'; }

  // The widget's text `key` in `lang` (default: its current language), with {placeholders} filled in.
  function t(key, values, lang) {
    var text = (TEXTS[knownLanguage(lang) || uiLang()] || TEXTS.en)[key];
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      if (values && values[name] !== undefined) return String(values[name]);
      return name === 'title' ? config.title : whole;
    });
  }

  function loadHistory(sessionId) {
    if (!sessionId) return [];
    var raw = storageGet(HISTORY_PREFIX + sessionId);
    if (!raw) return [];
    try {
      var list = JSON.parse(raw);
      if (!Array.isArray(list)) return [];
      list = list.filter(function (m) { return m && (m.from === 'user' || m.from === 'bot'); });
      list.forEach(function (m) { delete m.langUnsure; }); // an answer after a reload is not theirs
      return list;
    } catch (e) {
      return [];
    }
  }

  function saveHistory() {
    if (!state.sessionId) return;
    var list = state.history.slice(-MAX_HISTORY);
    storageSet(HISTORY_TIME_PREFIX + state.sessionId, String(Date.now()));
    // On a full quota, drop the oldest messages until it fits (or nothing is left).
    while (list.length) {
      if (storageSet(HISTORY_PREFIX + state.sessionId, JSON.stringify(list))) return;
      list = list.slice(Math.ceil(list.length / 4));
    }
    storageRemove(HISTORY_PREFIX + state.sessionId);
  }

  // The server deletes a conversation RETENTION_DAYS after its last message (bot/retention.py); so does the browser
  // with its copy: a history last saved longer ago than the period is removed with its time. A history saved before
  // times were kept is as old as its last message's ts (none: removed).
  function lastMessageTime(id) {
    var list = loadHistory(id);
    return list.length ? Number(list[list.length - 1].ts) || 0 : 0;
  }

  function expireHistory() {
    if (!(config.retentionDays > 0)) return;
    var oldest = Date.now() - config.retentionDays * DAY_MS;
    var keys = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) keys.push(window.localStorage.key(i));
    } catch (e) { return; }
    keys.forEach(function (key) {
      var id = key && key.indexOf(HISTORY_PREFIX) === 0 ? key.slice(HISTORY_PREFIX.length)
        : key && key.indexOf(HISTORY_TIME_PREFIX) === 0 ? key.slice(HISTORY_TIME_PREFIX.length) : null;
      if (id === null) return;
      var savedAt = Number(storageGet(HISTORY_TIME_PREFIX + id)) || lastMessageTime(id);
      if (savedAt >= oldest) return;
      storageRemove(HISTORY_PREFIX + id);
      storageRemove(HISTORY_TIME_PREFIX + id);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Small DOM helpers
  // ---------------------------------------------------------------------------------------------

  var uid = 0;
  function nextId(prefix) { uid += 1; return prefix + '-' + uid; }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'className') node.className = v;
        else if (k === 'text') node.textContent = v;
        else if (k === 'hidden') node.hidden = !!v;
        else node.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function isSafeUrl(url, allowDataImage) {
    if (typeof url !== 'string') return false;
    var u = url.trim();
    if (allowDataImage && /^data:image\/(png|jpe?g|gif|webp|svg\+xml);base64,[a-z0-9+/=\s]+$/i.test(u)) return true;
    return /^https?:\/\//i.test(u);
  }

  // ---------------------------------------------------------------------------------------------
  // Text formatting: everything becomes text nodes or elements built here (never innerHTML), so
  // HTML in a message is shown as text. Supported: [text](https://...), bare http(s) URLs,
  // **bold**, and newlines as line breaks.
  // ---------------------------------------------------------------------------------------------

  var INLINE_RE = /\[([^\]\n]+)\]\((https?:\/\/[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)\)|\*\*([^*\n](?:[^*\n]|\*(?!\*))*?)\*\*|(https?:\/\/[^\s<>"'`]+)/g;
  var newTabHintId = null;

  function makeLink(text, href) {
    var a = el('a', { href: href, target: '_blank', rel: 'noopener', className: 'cee-link' }, [text]);
    if (newTabHintId) a.setAttribute('aria-describedby', newTabHintId);
    return a;
  }

  function trimUrl(url) {
    // Leave trailing punctuation and unbalanced closing brackets outside a bare URL.
    var trailing = '';
    for (;;) {
      var last = url.charAt(url.length - 1);
      if (/[.,;:!?*]/.test(last)) {
        trailing = last + trailing; url = url.slice(0, -1);
      } else if (last === ')' && (url.split('(').length < url.split(')').length)) {
        trailing = last + trailing; url = url.slice(0, -1);
      } else if (last === ']' && (url.split('[').length < url.split(']').length)) {
        trailing = last + trailing; url = url.slice(0, -1);
      } else {
        break;
      }
    }
    return { url: url, trailing: trailing };
  }

  function appendInline(parent, text, inBold) {
    var re = new RegExp(INLINE_RE.source, 'g');
    var last = 0;
    var m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[1] !== undefined) {
        parent.appendChild(makeLink(m[1], m[2]));
      } else if (m[3] !== undefined) {
        if (inBold) {
          appendInline(parent, m[3], true);
        } else {
          var strong = el('strong');
          appendInline(strong, m[3], true);
          parent.appendChild(strong);
        }
      } else if (m[4] !== undefined) {
        var t = trimUrl(m[4]);
        if (t.url.length > 'https://'.length) parent.appendChild(makeLink(t.url, t.url));
        else parent.appendChild(document.createTextNode(t.url));
        if (t.trailing) parent.appendChild(document.createTextNode(t.trailing));
      }
      last = re.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function formatText(text) {
    var frag = document.createDocumentFragment();
    String(text).replace(/\r\n?/g, '\n').split('\n').forEach(function (line, i) {
      if (i > 0) frag.appendChild(el('br'));
      appendInline(frag, line, false);
    });
    return frag;
  }

  // ---------------------------------------------------------------------------------------------
  // Normalising what Rasa sends on bot_uttered into a plain, storable record
  // ---------------------------------------------------------------------------------------------

  var CUSTOM_TYPES = { table: 1, list: 1, chart: 1, download: 1 };

  function normButtons(list) {
    if (!Array.isArray(list)) return null;
    var out = [];
    list.forEach(function (b) {
      if (!b) return;
      var title = b.title !== undefined ? b.title : b.payload;
      var payload = b.payload !== undefined ? b.payload : b.title;
      if (title === undefined || title === null || payload === undefined || payload === null) return;
      out.push({ title: String(title), payload: String(payload) });
    });
    return out.length ? out : null;
  }

  function normCustom(c) {
    if (typeof c === 'string') {
      try { c = JSON.parse(c); } catch (e) { return null; }
    }
    if (!c || typeof c !== 'object' || !CUSTOM_TYPES[c.type]) return null;
    return c;
  }

  function normBotMessage(data) {
    if (typeof data === 'string') data = { text: data };
    if (!data || typeof data !== 'object') return null;
    // Rasa 3 emits custom JSON (json_message / "custom:" in a response) as the bare object; older
    // channels and other servers may wrap it as {custom: {...}}. Accept both.
    var custom = normCustom(data.custom) || normCustom(data);
    var msg = { from: 'bot', ts: Date.now() };
    // A download's "text" is the file content, not a message; for other custom types it may be an
    // intro line shown above the table, list or chart.
    var text = custom === data && custom.type === 'download' ? undefined : data.text;
    if (text === undefined && custom && custom.type !== 'download' && typeof custom.text === 'string') text = custom.text;
    if (typeof text === 'string' && text.trim() !== '') msg.text = text;
    var buttons = normButtons(data.quick_replies) || normButtons(data.buttons) ||
      (custom && (normButtons(custom.quick_replies) || normButtons(custom.buttons)));
    if (buttons) msg.buttons = buttons;
    var image = null;
    var attachmentLink = null;
    if (typeof data.image === 'string') image = data.image;
    var att = data.attachment;
    if (typeof att === 'string') {
      image = image || att;
    } else if (att && typeof att === 'object') {
      var src = att.payload && (att.payload.src || att.payload.url);
      if (typeof src === 'string') {
        if (!att.type || att.type === 'image') image = image || src;
        else attachmentLink = src;
      } else if (att.type === 'template' && att.payload && att.payload.elements) {
        var els = [].concat(att.payload.elements);
        var items = els.map(function (e) {
          if (!e) return '';
          return [e.title ? '**' + e.title + '**' : '', e.subtitle || ''].filter(Boolean).join(': ');
        }).filter(Boolean);
        if (items.length && !custom) custom = { type: 'list', items: items };
      }
    }
    if (image && isSafeUrl(image, true)) msg.image = image;
    if (attachmentLink && isSafeUrl(attachmentLink, false)) msg.link = attachmentLink;
    if (custom) msg.custom = custom;
    if (!msg.text && !msg.buttons && !msg.image && !msg.link && !msg.custom) return null;
    // The server's id of the message (its answers' ref for feedback); one message may come in several parts.
    if (typeof data.message_id === 'string' && data.message_id.length <= MAX_MESSAGE_ID) msg.mid = data.message_id;
    // The language the server wrote it in (none named: the widget's).
    if (knownLanguage(data.lang)) msg.lang = data.lang;
    return msg;
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering records
  // ---------------------------------------------------------------------------------------------

  function renderTable(c) {
    var columns = Array.isArray(c.columns) ? c.columns : [];
    var rows = Array.isArray(c.rows) ? c.rows : [];
    var table = el('table', { className: 'cee-table' });
    if (c.caption) table.appendChild(el('caption', null, [formatText(String(c.caption))]));
    if (columns.length) {
      var tr = el('tr');
      columns.forEach(function (col) { tr.appendChild(el('th', { scope: 'col' }, [formatText(String(col))])); });
      table.appendChild(el('thead', null, [tr]));
    }
    var tbody = el('tbody');
    rows.forEach(function (row) {
      var r = el('tr');
      (Array.isArray(row) ? row : [row]).forEach(function (cell) {
        r.appendChild(el('td', null, [formatText(cell === null || cell === undefined ? '' : String(cell))]));
      });
      tbody.appendChild(r);
    });
    table.appendChild(tbody);
    // A focusable, named scroll region so keyboard users can scroll wide tables.
    return el('div', {
      className: 'cee-table-wrap', role: 'region', tabindex: '0',
      'aria-label': c.caption ? String(c.caption) : t('table')
    }, [table]);
  }

  function renderList(c) {
    var items = Array.isArray(c.items) ? c.items : [];
    var list = el(c.ordered ? 'ol' : 'ul', { className: 'cee-list' });
    items.forEach(function (item) {
      var text = item && typeof item === 'object' ? (item.text || item.title || '') : item;
      list.appendChild(el('li', null, [formatText(String(text === null || text === undefined ? '' : text))]));
    });
    var wrap = el('div', { className: 'cee-list-wrap' });
    if (c.title) wrap.appendChild(el('p', { className: 'cee-list-title' }, [formatText(String(c.title))]));
    wrap.appendChild(list);
    return wrap;
  }

  function renderImage(src, alt, caption) {
    var fig = el('figure', { className: 'cee-figure' });
    var img = el('img', { src: src, alt: alt || '', loading: 'lazy', decoding: 'async' });
    img.addEventListener('load', function () { scrollToEnd(); });
    fig.appendChild(img);
    if (caption) fig.appendChild(el('figcaption', null, [formatText(String(caption))]));
    return fig;
  }

  function safeFilename(name) {
    var n = String(name || 'download.txt').replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').replace(/^[.\s]+/, '').trim();
    return n || 'download.txt';
  }

  function renderDownload(c) {
    var filename = safeFilename(c.filename);
    var mime = typeof c.mime === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(c.mime) ? c.mime : 'text/plain';
    var a = el('a', { className: 'cee-download', download: filename }, [t('download', { name: filename })]);
    if (c.label) a.textContent = String(c.label);
    try {
      var blob = new Blob([c.text === undefined || c.text === null ? '' : String(c.text)], { type: mime + ';charset=utf-8' });
      a.href = URL.createObjectURL(blob);
    } catch (e) {
      a.href = 'data:' + mime + ';charset=utf-8,' + encodeURIComponent(String(c.text || ''));
    }
    return el('p', { className: 'cee-download-wrap' }, [a]);
  }

  function renderCustom(c) {
    switch (c.type) {
      case 'table': return renderTable(c);
      case 'list': return renderList(c);
      case 'chart':
        if (!isSafeUrl(c.src, true)) return null;
        return renderImage(c.src.trim(), c.alt ? String(c.alt) : 'Chart', c.caption || c.title);
      case 'download': return renderDownload(c);
      default: return null;
    }
  }

  function renderButtons(msg, index) {
    var group = el('div', { className: 'cee-btns', role: 'group', 'aria-label': t('suggested', null, msg.lang) });
    var buttons = [];
    msg.buttons.forEach(function (b, i) {
      var btn = el('button', { type: 'button', className: 'cee-btn' }, [b.title]);
      if (msg.used) {
        btn.disabled = true;
        if (msg.chosen === i) btn.className += ' cee-btn-chosen';
      }
      btn.addEventListener('click', function () {
        if (msg.used) return;
        msg.used = true;
        msg.chosen = i;
        buttons.forEach(function (other) { other.disabled = true; });
        btn.className += ' cee-btn-chosen';
        saveHistory();
        sendMessage(b.payload, b.title);
        if (ui.input) ui.input.focus();
      });
      buttons.push(btn);
      group.appendChild(btn);
    });
    group.setAttribute('data-index', String(index));
    return group;
  }

  // ---------------------------------------------------------------------------------------------
  // Feedback on answers: "Helpful" / "Not helpful" after an answer the server offered it for
  // ---------------------------------------------------------------------------------------------

  // The question an answer replied to (the user's message before it), for the buttons' accessible names.
  function questionBefore(msg) {
    var i = state.history.indexOf(msg);
    for (i = i - 1; i >= 0; i--) {
      if (state.history[i].from === 'user') return String(state.history[i].text || '');
    }
    return '';
  }

  function shorten(text, max) {
    text = String(text).replace(/\s+/g, ' ').trim();
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  function renderFeedback(msg) {
    var box = el('div', { className: 'cee-feedback', lang: uiLang() });
    var status = el('p', { className: 'cee-feedback-status', role: 'status', tabindex: '-1' });
    if (msg.feedback === 'given') {
      status.textContent = t('feedbackThanks');
      box.appendChild(status);
      return box;
    }
    var promptId = nextId('cee-fb-prompt');
    var group = el('div', { className: 'cee-feedback-group', role: 'group', 'aria-labelledby': promptId }, [
      el('span', { id: promptId, className: 'cee-feedback-prompt' }, [t('feedbackPrompt')])
    ]);
    var question = shorten(questionBefore(msg), 80);
    var context = question ? t('answerTo', { question: question }) : '';
    var busy = false;
    [true, false].forEach(function (helpful) {
      var label = t(helpful ? 'helpful' : 'notHelpful');
      // The accessible name starts with the visible label, then says which answer it rates.
      var btn = el('button', {
        type: 'button', className: 'cee-fb-btn', 'data-helpful': String(helpful), 'aria-label': label + context
      }, [label]);
      btn.addEventListener('click', function () {
        if (busy || msg.feedback !== 'offered') return;
        busy = true;
        sendFeedback(msg, helpful, function (result) {
          busy = false;
          var hadFocus = group.contains(document.activeElement);
          if (result === 'stored' || result === 'already' || result === 'unknown') {
            msg.feedback = result === 'unknown' ? 'closed' : 'given';
            saveHistory();
            box.removeChild(group);
            status.textContent = t(result === 'unknown' ? 'feedbackClosed' : 'feedbackThanks');
            if (hadFocus) status.focus(); // the buttons are gone: keep the keyboard where it was
          } else {
            status.textContent = t('feedbackFailed');
          }
        });
      });
      group.appendChild(btn);
    });
    box.appendChild(group);
    box.appendChild(status); // present (empty) before it is filled, so that the thanks is announced
    return box;
  }

  // Send one feedback; `done` gets the server's status ('stored', 'already', 'unknown', ...) or 'failed'.
  function sendFeedback(msg, helpful, done) {
    var finished = false;
    function finish(result) {
      if (finished) return;
      finished = true;
      done(result);
    }
    if (!canSend()) { finish('failed'); return; }
    var timer = setTimeout(function () { finish('failed'); }, FEEDBACK_TIMEOUT_MS);
    state.socket.emit('feedback', { answer: msg.mid, helpful: helpful }, function (ack) {
      clearTimeout(timer);
      finish(ack && typeof ack === 'object' && typeof ack.status === 'string' ? ack.status : 'failed');
    });
  }

  // The server offers feedback on the answer whose last message has the id `ref`.
  function offerFeedback(ref) {
    if (typeof ref !== 'string' || !ref) return;
    for (var i = state.history.length - 1; i >= 0; i--) {
      var msg = state.history[i];
      if (msg.from !== 'bot' || msg.mid !== ref) continue;
      if (msg.feedback) return; // once per answer
      msg.feedback = 'offered';
      saveHistory();
      var nodes = ui.log.querySelectorAll('.cee-msg-bot');
      for (var j = nodes.length - 1; j >= 0; j--) {
        if (nodes[j].ceeRecord === msg) { nodes[j].appendChild(renderFeedback(msg)); break; }
      }
      return;
    }
  }

  function renderMessage(msg, index) {
    var isUser = msg.from === 'user';
    // The message in its language; what the widget adds (who said it, the feedback) in the widget's.
    var node = el('div', { className: 'cee-msg ' + (isUser ? 'cee-msg-user' : 'cee-msg-bot'), lang: msgLang(msg) });
    node.ceeRecord = msg;
    node.appendChild(el('span', { className: 'cee-sr-only', lang: uiLang() }, [t(isUser ? 'youSaid' : 'botSaid')]));
    var body = el('div', { className: 'cee-msg-body' });
    if (msg.text) body.appendChild(el('div', { className: 'cee-msg-text' }, [formatText(msg.text)]));
    if (msg.image) body.appendChild(renderImage(msg.image, msg.alt || t('image', null, msgLang(msg))));
    if (msg.link) body.appendChild(el('p', null, [makeLink(t('attachment', null, msgLang(msg)), msg.link)]));
    if (msg.custom) {
      var c = renderCustom(msg.custom);
      if (c) body.appendChild(c);
    }
    node.appendChild(body);
    if (msg.buttons && !isUser) node.appendChild(renderButtons(msg, index));
    if (!isUser && (msg.feedback === 'offered' || msg.feedback === 'given')) node.appendChild(renderFeedback(msg));
    return node;
  }

  // A message's language: the one it was sent or received in (the widget's for a message kept from before).
  function msgLang(msg) { return knownLanguage(msg.lang) || uiLang(); }

  // ---------------------------------------------------------------------------------------------
  // State and UI
  // ---------------------------------------------------------------------------------------------

  var state = {
    sessionId: storageGet(SESSION_KEY) || null,
    history: [],
    pending: [],          // user messages typed before a session was confirmed or while offline
    socket: null,
    connected: false,
    confirmed: false,
    waiting: false,
    typingTimer: null,
    errorShown: false,
    unreachableCount: 0,
    language: knownLanguage(storageGet(LANGUAGE_KEY)) // chosen with the switch; null: none chosen
  };
  var ui = {};

  function scrollToEnd() {
    if (!ui.log) return;
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function appendRecord(msg, persist) {
    if (msg.from !== 'user' && knownLanguage(msg.lang)) settleUserLanguage(msg.lang);
    if (!msg.lang) {
      msg.lang = uiLang();
      if (msg.from === 'user' && !state.language) msg.langUnsure = true; // its answer will say which it was
    }
    if (persist !== false) {
      state.history.push(msg);
      if (state.history.length > MAX_HISTORY) state.history = state.history.slice(-MAX_HISTORY);
      saveHistory();
    }
    if (ui.empty) ui.empty.hidden = true;
    ui.log.appendChild(renderMessage(msg, state.history.length - 1));
    scrollToEnd();
  }

  // The oldest user's message still unanswered, sent with no language chosen, is in the language its answer names
  // (the server read its words): "¿qué centro maneja el acero?" in the English widget is marked Spanish once the
  // answer comes. Answers come in the order of the questions.
  function settleUserLanguage(lang) {
    for (var i = 0; i < state.history.length; i++) {
      var rec = state.history[i];
      if (rec.from !== 'user' || !rec.langUnsure) continue;
      delete rec.langUnsure;
      rec.lang = lang;
      saveHistory();
      var nodes = ui.log ? ui.log.querySelectorAll('.cee-msg-user') : [];
      for (var j = nodes.length - 1; j >= 0; j--) {
        if (nodes[j].ceeRecord === rec) { nodes[j].setAttribute('lang', lang); break; }
      }
      return;
    }
  }

  function renderHistory() {
    var nodes = ui.log.querySelectorAll('.cee-msg');
    for (var i = 0; i < nodes.length; i++) nodes[i].parentNode.removeChild(nodes[i]);
    state.history.forEach(function (msg, i) { ui.log.appendChild(renderMessage(msg, i)); });
    if (ui.empty) ui.empty.hidden = state.history.length > 0;
    scrollToEnd();
  }

  function showError() {
    if (state.errorShown) return;
    state.errorShown = true;
    setTyping(false);
    var node = el('div', { className: 'cee-msg cee-msg-bot cee-msg-error', 'data-status': 'unreachable' }, [
      el('span', { className: 'cee-sr-only' }, [t('botSaid')]),
      el('div', { className: 'cee-msg-body' }, [el('div', { className: 'cee-msg-text' }, [formatText(t('unreachable'))])])
    ]);
    ui.error = node;
    ui.log.appendChild(node);
    scrollToEnd();
    ui.root.setAttribute('data-status', 'offline');
  }

  function clearError() {
    state.errorShown = false;
    if (ui.error && ui.error.parentNode) ui.error.parentNode.removeChild(ui.error);
    ui.error = null;
    if (ui.empty) ui.empty.hidden = state.history.length > 0;
  }

  function setTyping(on) {
    state.waiting = !!on;
    if (state.typingTimer) { clearTimeout(state.typingTimer); state.typingTimer = null; }
    if (!ui.typing) return;
    ui.typing.hidden = !on;
    ui.typingText.textContent = on ? t('typing') : '';
    if (on) {
      state.typingTimer = setTimeout(function () { setTyping(false); }, TYPING_TIMEOUT_MS);
      scrollToEnd();
    }
  }

  function emitUser(payload) {
    var data = { message: payload, session_id: state.sessionId };
    if (state.language) data.metadata = { language: state.language }; // the chosen language wins over the words
    state.socket.emit('user_uttered', data);
  }

  function canSend() {
    return !!(state.socket && state.connected && state.confirmed && state.sessionId);
  }

  function sendMessage(payload, shownText) {
    payload = String(payload || '').slice(0, MAX_INPUT);
    if (!payload.trim()) return false;
    appendRecord({ from: 'user', text: shownText !== undefined ? String(shownText) : payload, ts: Date.now() });
    if (canSend()) {
      emitUser(payload);
      setTyping(true);
    } else {
      state.pending.push(payload);
      if (!state.connected) showError();
    }
    return true;
  }

  function flushPending() {
    if (!canSend() || !state.pending.length) return;
    var queue = state.pending.splice(0);
    queue.forEach(emitUser);
    setTyping(true);
  }

  function updateCounter() {
    var n = ui.input.value.length;
    ui.counter.textContent = n + ' / ' + MAX_INPUT;
    ui.counter.className = 'cee-chat-counter' + (n >= MAX_INPUT ? ' cee-at-limit' : n >= MAX_INPUT - 100 ? ' cee-near-limit' : '');
    // Announce only when crossing a threshold, never on every keystroke.
    var level = n >= MAX_INPUT ? 2 : n >= MAX_INPUT - 100 ? 1 : 0;
    if (level !== ui.counterLevel) {
      ui.counterLevel = level;
      ui.counterLive.textContent = level === 2 ? t('limit', { n: MAX_INPUT })
        : level === 1 ? t('left', { n: MAX_INPUT - n }) : '';
    }
  }

  function isOpen() { return ui.root && ui.root.classList.contains('cee-open'); }

  function openPanel(focusInput) {
    ui.panel.hidden = false;
    ui.root.classList.add('cee-open');
    ui.launcher.setAttribute('aria-expanded', 'true');
    scrollToEnd();
    if (focusInput !== false) ui.input.focus();
  }

  function closePanel(returnFocus) {
    ui.panel.hidden = true;
    ui.root.classList.remove('cee-open');
    ui.launcher.setAttribute('aria-expanded', 'false');
    if (returnFocus !== false) ui.launcher.focus();
  }

  function newConversation() {
    if (state.sessionId) storageRemove(HISTORY_PREFIX + state.sessionId);
    storageRemove(SESSION_KEY);
    state.sessionId = null;
    state.history = [];
    state.pending = [];
    state.confirmed = false;
    setTyping(false);
    renderHistory();
    if (state.socket && state.connected) state.socket.emit('session_request', { session_id: null });
    ui.input.focus();
  }

  // The widget's own words, its `lang` and the switch's state in the current language; the messages drawn again.
  function applyLanguage() {
    var lang = uiLang();
    ui.root.setAttribute('lang', lang);
    ui.root.setAttribute('aria-label', t('region'));
    ui.hint.textContent = t('newTab');
    ui.launcherText.textContent = config.launcherText || t('launcher');
    ui.subtitle.textContent = config.subtitle || t('subtitle');
    ui.closeBtn.setAttribute('aria-label', t('close'));
    ui.newBtn.textContent = t('newChat');
    ui.langGroup.setAttribute('aria-label', t('languages'));
    ui.langButtons.forEach(function (btn) {
      btn.setAttribute('aria-pressed', String(btn.getAttribute('data-lang') === lang));
    });
    ui.log.setAttribute('aria-label', t('log'));
    ui.empty.textContent = '';
    ui.empty.appendChild(document.createTextNode(t('emptyBefore')));
    ui.empty.appendChild(el('em', null, [t('emptyExample')]));
    ui.empty.appendChild(document.createTextNode(t('emptyAfter')));
    ui.label.textContent = t('label');
    ui.input.setAttribute('placeholder', t('placeholder'));
    ui.send.textContent = t('send');
    ui.counterLevel = -1; // announce the limit again in the new language
    if (ui.counter) updateCounter();
    if (state.waiting) ui.typingText.textContent = t('typing');
  }

  // Use `lang` from now on (remembered across reloads); false when it already was the chosen one.
  function setLanguage(lang) {
    if (!knownLanguage(lang) || state.language === lang) return false;
    state.language = lang;
    storageSet(LANGUAGE_KEY, lang);
    applyLanguage();
    renderHistory();
    return true;
  }

  // The switch: the widget's words change at once, and the bot is told ("/es", "/en"); it confirms in that language.
  function chooseLanguage(lang) {
    if (!setLanguage(lang)) return;
    if (canSend()) {
      emitUser('/' + lang);
      setTyping(true);
    } else {
      state.pending.push('/' + lang);
    }
  }

  var CHAT_ICON = '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="22" height="22">' +
    '<path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5A1.5 1.5 0 1 0 7 12.5 1.5 1.5 0 0 0 7 9.5zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>';

  function buildUi() {
    // The root is a named complementary landmark, so everything of the widget (launcher included) sits in one.
    var root = el('div', {
      id: 'cee-chat', className: 'cee-chat', role: 'complementary', 'data-status': 'connecting'
    });
    root.style.visibility = 'hidden'; // until the stylesheet has loaded

    var hint = el('span', { id: 'cee-chat-newtab', className: 'cee-sr-only' });
    newTabHintId = hint.id;

    var launcher = el('button', {
      id: 'cee-chat-launcher', type: 'button', className: 'cee-chat-launcher',
      'aria-expanded': 'false', 'aria-controls': 'cee-chat-panel'
    });
    launcher.innerHTML = CHAT_ICON; // static markup defined above, no message content
    var launcherText = el('span', { className: 'cee-chat-launcher-text' });
    launcher.appendChild(launcherText);

    var titleId = 'cee-chat-title';
    var panel = el('div', {
      id: 'cee-chat-panel', className: 'cee-chat-panel', role: 'dialog', 'aria-modal': 'false',
      'aria-labelledby': titleId, 'aria-describedby': 'cee-chat-subtitle'
    });
    panel.hidden = true;

    var closeBtn = el('button', { type: 'button', className: 'cee-chat-close' });
    closeBtn.innerHTML = '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20" height="20">' +
      '<path fill="currentColor" d="M18.3 5.7a1 1 0 0 0-1.4 0L12 10.6 7.1 5.7a1 1 0 1 0-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 1 0 1.4 1.4l4.9-4.9 4.9 4.9a1 1 0 0 0 1.4-1.4L13.4 12l4.9-4.9a1 1 0 0 0 0-1.4z"/></svg>';
    var newBtn = el('button', { type: 'button', className: 'cee-chat-new' });

    // The language switch: two toggle buttons, each named in its own language; the pressed one is in use.
    var langGroup = el('div', { className: 'cee-lang', role: 'group' });
    var langButtons = LANGUAGE_NAMES.map(function (pair, i) {
      var btn = el('button', { type: 'button', className: 'cee-lang-btn', lang: pair[0], 'data-lang': pair[0] }, [pair[1]]);
      btn.addEventListener('click', function () { chooseLanguage(pair[0]); });
      if (i) langGroup.appendChild(el('span', { className: 'cee-lang-sep', 'aria-hidden': 'true' }, ['|']));
      langGroup.appendChild(btn);
      return btn;
    });
    var subtitle = el('p', { id: 'cee-chat-subtitle', className: 'cee-chat-subtitle' });

    var header = el('div', { className: 'cee-chat-header' }, [
      el('div', { className: 'cee-chat-heading' }, [
        el('h2', { id: titleId, className: 'cee-chat-title' }, [config.title]),
        subtitle,
        langGroup
      ]),
      newBtn,
      closeBtn
    ]);

    var log = el('div', {
      id: 'cee-chat-log', className: 'cee-chat-log', role: 'log', 'aria-live': 'polite',
      'aria-relevant': 'additions', tabindex: '0'
    });
    var empty = el('p', { className: 'cee-chat-empty' });
    log.appendChild(empty);

    var typingText = el('span', { className: 'cee-typing-text' });
    var typing = el('div', { className: 'cee-chat-typing', role: 'status' }, [
      el('span', { className: 'cee-typing-dots', 'aria-hidden': 'true' }, [el('span'), el('span'), el('span')]),
      typingText
    ]);
    typing.hidden = true;

    var input = el('input', {
      id: 'cee-chat-input', type: 'text', className: 'cee-chat-input', maxlength: String(MAX_INPUT),
      autocomplete: 'off', enterkeyhint: 'send', 'aria-describedby': 'cee-chat-counter'
    });
    var label = el('label', { 'for': 'cee-chat-input', className: 'cee-chat-label' });
    var counter = el('span', { id: 'cee-chat-counter', className: 'cee-chat-counter' }, ['0 / ' + MAX_INPUT]);
    var counterLive = el('span', { className: 'cee-sr-only', 'aria-live': 'polite' });
    var send = el('button', { id: 'cee-chat-send', type: 'submit', className: 'cee-chat-send' });
    var form = el('form', { className: 'cee-chat-form', novalidate: true }, [
      el('div', { className: 'cee-chat-form-top' }, [label, counter]),
      el('div', { className: 'cee-chat-form-row' }, [input, send]),
      counterLive
    ]);

    panel.appendChild(header);
    panel.appendChild(log);
    panel.appendChild(typing);
    panel.appendChild(form);
    root.appendChild(hint);
    root.appendChild(panel);
    root.appendChild(launcher);

    ui = {
      root: root, launcher: launcher, panel: panel, log: log, empty: empty, typing: typing,
      typingText: typingText, input: input, send: send, form: form, counter: counter,
      counterLive: counterLive, counterLevel: 0, closeBtn: closeBtn, newBtn: newBtn, hint: hint,
      launcherText: launcherText, subtitle: subtitle, label: label, langGroup: langGroup, langButtons: langButtons
    };
    applyLanguage();

    launcher.addEventListener('click', function () {
      if (isOpen()) closePanel(false); else openPanel(true);
    });
    closeBtn.addEventListener('click', function () { closePanel(true); });
    newBtn.addEventListener('click', newConversation);
    root.addEventListener('keydown', function (ev) {
      if ((ev.key === 'Escape' || ev.key === 'Esc') && isOpen()) {
        ev.preventDefault();
        closePanel(true);
      }
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var text = input.value;
      if (!text.trim()) { input.focus(); return; }
      if (sendMessage(text)) {
        input.value = '';
        updateCounter();
      }
      input.focus();
    });
    input.addEventListener('input', updateCounter);

    document.body.appendChild(root);
  }

  function loadCss(done) {
    var href = config.css;
    if (href === 'false' || href === 'none') { done(); return; }
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (links[i].href === href) { done(); return; }
    }
    var link = el('link', { rel: 'stylesheet', href: href });
    var finished = false;
    function finish() { if (!finished) { finished = true; done(); } }
    link.addEventListener('load', finish);
    link.addEventListener('error', finish);
    setTimeout(finish, 3000);
    document.head.appendChild(link);
  }

  function loadSocketIo(done) {
    if (typeof window.io === 'function') { done(true); return; }
    var s = el('script', { src: config.socketioSrc, async: true });
    s.addEventListener('load', function () { done(typeof window.io === 'function'); });
    s.addEventListener('error', function () { done(false); });
    document.head.appendChild(s);
  }

  // ---------------------------------------------------------------------------------------------
  // socket.io connection to Rasa
  // ---------------------------------------------------------------------------------------------

  function serverUrl() {
    // socket.io reads a URL path as a namespace; Rasa's default namespace is "/", so keep only the
    // origin and add data-namespace when one is configured.
    var origin;
    try { origin = new URL(config.server, location.href).origin; } catch (e) { origin = config.server; }
    var ns = config.namespace;
    if (ns && ns.charAt(0) !== '/') ns = '/' + ns;
    return origin + (ns && ns !== '/' ? ns : '');
  }

  function connect() {
    var socket;
    try {
      socket = window.io(serverUrl(), {
        path: config.socketPath,
        transports: ['websocket', 'polling'],
        tryAllTransports: true
      });
    } catch (e) {
      showError();
      return;
    }
    state.socket = socket;

    socket.on('connect', function () {
      state.connected = true;
      state.confirmed = false;
      state.unreachableCount = 0;
      clearError();
      ui.root.setAttribute('data-status', 'connected');
      socket.emit('session_request', { session_id: state.sessionId || null });
    });

    socket.on('session_confirm', function (data) {
      var id = data && typeof data === 'object' ? data.session_id : data;
      if (id === undefined || id === null || id === '') return;
      id = String(id);
      var isNew = !state.sessionId && state.history.length === 0;
      if (state.sessionId !== id) {
        // The server issues (and signs) session ids and confirms only those it issued: another id than ours means
        // it did not accept ours (an id from an older version, or a changed SESSION_SECRET), so the conversation on
        // screen is over; start the new one afresh. With no id yet, what is on screen is kept under the new one.
        if (state.sessionId) {
          storageRemove(HISTORY_PREFIX + state.sessionId);
          state.history = [];
          renderHistory();
        }
        state.sessionId = id;
        storageSet(SESSION_KEY, id);
        saveHistory();
      } else {
        storageSet(SESSION_KEY, id);
      }
      state.confirmed = true;
      ui.root.setAttribute('data-status', 'ready');
      if (isNew && config.initPayload && !state.pending.length) {
        emitUser(config.initPayload);
        setTyping(true);
      }
      flushPending();
    });

    socket.on('bot_uttered', function (data) {
      var msg = normBotMessage(data);
      setTyping(false);
      if (msg) appendRecord(msg);
    });

    // A message that chose a language ("español", "answer in English please", as the server reads it): the widget's
    // words follow, and its later messages carry the choice.
    socket.on('language_chosen', function (data) {
      if (data && knownLanguage(data.language)) setLanguage(data.language);
    });

    socket.on('feedback_offer', function (data) {
      offerFeedback(data && typeof data === 'object' ? data.answer : null);
    });

    socket.on('connect_error', function () {
      state.connected = false;
      state.unreachableCount += 1;
      showError();
    });

    socket.on('disconnect', function (reason) {
      state.connected = false;
      state.confirmed = false;
      ui.root.setAttribute('data-status', 'offline');
      if (reason === 'io client disconnect') return;
      showError();
      // socket.io reconnects by itself except when the server closed the connection on purpose.
      if (reason === 'io server disconnect') {
        setTimeout(function () { if (!state.connected) socket.connect(); }, 2000);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Start
  // ---------------------------------------------------------------------------------------------

  function start() {
    if (document.getElementById('cee-chat')) return;
    buildUi();
    expireHistory();
    state.history = loadHistory(state.sessionId);
    renderHistory();
    updateCounter();
    loadCss(function () { ui.root.style.visibility = ''; });
    if (config.open) openPanel(false);
    loadSocketIo(function (ok) {
      if (!ok) { showError(); return; }
      connect();
    });
  }

  window.CEEChat = {
    version: VERSION,
    open: function () { if (ui.root) openPanel(true); },
    close: function () { if (ui.root) closePanel(false); },
    send: function (text) { return ui.root ? sendMessage(text) : false; },
    newConversation: function () { if (ui.root) newConversation(); },
    get sessionId() { return state.sessionId; },
    get history() { return state.history.slice(); },
    // For tests and embedding pages: render a bot message object as if Rasa had sent it.
    receive: function (data) { var m = normBotMessage(data); if (m && ui.root) { setTyping(false); appendRecord(m); } return !!m; }
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
