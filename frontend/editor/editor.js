// The co-drafters' editor: Quill 2 (loaded before this file as /pkg/quill.js), set up for a
// policy text and driven by Baraza's WebAssembly (app/src/collab/quill.rs), which owns the yrs
// document. This file only adapts Quill: it never changes the document itself. Every change a
// writer makes reaches the document through `onChange`; every change from elsewhere comes back
// through `apply`.
(function () {
  'use strict';
  const Quill = window.Quill;
  if (!Quill) return;

  // An article: a numbered paragraph. Its number is not in the text; the page counts articles
  // (CSS counters here, `domain::document` on the server), so numbers follow when one moves.
  const Block = Quill.import('blots/block');
  class Article extends Block {
    static blotName = 'article';
    static tagName = 'P';
    static className = 'ql-article';
    static formats() {
      return true;
    }
  }
  Quill.register(Article, true);

  // The formats a draft may hold (app/src/domain/document/format.rs); Quill drops the rest,
  // also from what is pasted.
  const FORMATS = ['header', 'article', 'list', 'indent', 'blockquote', 'bold', 'italic', 'link'];
  const MAX_HEADER = 3;
  const MAX_INDENT = 4;
  const SAFE_LINK = /^(https?:\/\/|mailto:)[^\s]+$/i;

  /** Clamps what was pasted to the shapes a draft holds: headings of three levels at most,
   * lists four deep, links only to web and mail addresses. */
  function clampPasted(_node, delta) {
    delta.ops.forEach((op) => {
      const a = op.attributes;
      if (!a) return;
      if (typeof a.header === 'number' && a.header > MAX_HEADER) a.header = MAX_HEADER;
      if (typeof a.indent === 'number' && a.indent > MAX_INDENT) a.indent = MAX_INDENT;
      if (a.link !== undefined && !SAFE_LINK.test(String(a.link))) delete a.link;
      if (a.list !== undefined && a.list !== 'ordered' && a.list !== 'bullet') a.list = 'bullet';
    });
    return delta;
  }

  /**
   * Creates the editor in `host`, with the toolbar `toolbar` (buttons rendered by the server in
   * the reader's language). `words.linkPrompt` asks for a link's address; `words.label` names the text.
   */
  function create(host, toolbar, lang, words) {
    const handlers = { undo: () => {}, redo: () => {}, change: () => {}, selection: () => {}, composing: () => {} };
    const quill = new Quill(host, {
      formats: FORMATS,
      readOnly: true,
      modules: {
        toolbar: {
          container: toolbar,
          handlers: {
            link(value) {
              if (!value) {
                this.quill.format('link', false, 'user');
                return;
              }
              const address = window.prompt(words.linkPrompt, 'https://');
              if (address && SAFE_LINK.test(address.trim())) {
                this.quill.format('link', address.trim(), 'user');
              }
            },
            undo: () => handlers.undo(),
            redo: () => handlers.redo(),
          },
        },
        keyboard: {
          // Before Quill's own history: undo and redo are the document's, and touch only this
          // writer's changes, never the others'.
          bindings: {
            undo: { key: 'z', shortKey: true, handler: () => { handlers.undo(); return false; } },
            redo: { key: ['z', 'Z'], shortKey: true, shiftKey: true, handler: () => { handlers.redo(); return false; } },
            redoY: { key: 'y', shortKey: true, handler: () => { handlers.redo(); return false; } },
            chapter: { key: '1', shortKey: true, altKey: true, handler: (range) => toggleLine(range, 'header', 1) },
            section: { key: '2', shortKey: true, altKey: true, handler: (range) => toggleLine(range, 'header', 2) },
            article: { key: '3', shortKey: true, altKey: true, handler: (range) => toggleLine(range, 'article', true) },
            indentListOnly: {
              key: 'Tab',
              format: ['list'],
              handler: (range, context) => {
                if ((context.format.indent || 0) >= MAX_INDENT) return false;
                return true;
              },
            },
          },
        },
        clipboard: { matchers: [[Node.ELEMENT_NODE, clampPasted]] },
        history: { userOnly: true, maxStack: 0 },
      },
    });
    function toggleLine(range, format, value) {
      const current = quill.getFormat(range)[format];
      quill.formatLine(range.index, range.length, format, current === value ? false : value, 'user');
      return false;
    }
    quill.root.setAttribute('lang', lang);
    quill.root.setAttribute('aria-label', words.label);
    quill.root.setAttribute('spellcheck', 'true');
    quill.root.setAttribute('role', 'textbox');
    quill.root.setAttribute('aria-multiline', 'true');
    // The browser's own undo (menu, gesture) goes to the document too.
    host.addEventListener(
      'beforeinput',
      (event) => {
        if (event.inputType === 'historyUndo' || event.inputType === 'historyRedo') {
          event.preventDefault();
          event.stopPropagation();
          if (event.inputType === 'historyUndo') handlers.undo();
          else handlers.redo();
        }
      },
      true,
    );
    quill.on('text-change', (delta, _old, source) => {
      if (source === 'user') handlers.change(JSON.stringify(delta.ops));
    });
    quill.on('selection-change', (range) => {
      if (range) handlers.selection(range.index, range.length);
      else handlers.selection(-1, 0);
    });
    // Quill leaves out carets moved by the keyboard (arrows, Home, End): the document's own
    // event reports every move, so the others' view of this caret and selection follows.
    let selectionPending = false;
    document.addEventListener('selectionchange', () => {
      if (selectionPending || !quill.hasFocus()) return;
      selectionPending = true;
      setTimeout(() => {
        selectionPending = false;
        const range = quill.getSelection();
        if (range) handlers.selection(range.index, range.length);
      }, 30);
    });
    quill.root.addEventListener('compositionstart', () => handlers.composing(true));
    quill.root.addEventListener('compositionend', () => handlers.composing(false));

    // Commented passages and the others' carets, drawn over the text (never in it: they are
    // not part of the document).
    const writers = quill.addContainer('ql-writers');
    writers.setAttribute('aria-hidden', 'true');
    const selections = quill.addContainer('ql-selections');
    selections.setAttribute('aria-hidden', 'true');
    const marks = quill.addContainer('ql-marks');
    marks.setAttribute('aria-hidden', 'true');
    const carets = quill.addContainer('ql-carets');
    carets.setAttribute('aria-hidden', 'true');

    /** Draws boxes over the stretches `[{start, end, …}]` of the text in `container`, each
     * made by `dress(box, stretch)`; stretches beyond the text (it changed meanwhile) are skipped. */
    function drawStretches(container, stretches, dress) {
      container.replaceChildren();
      const length = quill.getLength();
      for (const stretch of stretches) {
        if (stretch.end > length || stretch.start >= stretch.end) continue;
        for (const r of rectangles(stretch.start, stretch.end - stretch.start)) {
          const box = document.createElement('span');
          dress(box, stretch);
          Object.assign(box.style, { left: `${r.left}px`, top: `${r.top}px`, width: `${r.width}px`, height: `${r.height}px` });
          container.appendChild(box);
        }
      }
    }

    /** The rectangles a stretch of the text covers on screen, relative to the editor. */
    function rectangles(index, length) {
      const [first, firstOffset] = quill.getLeaf(index);
      const [last, lastOffset] = quill.getLeaf(index + length);
      if (!first || !last || !first.position || !last.position) return [];
      const [startNode, startOffset] = first.position(firstOffset, true);
      const [endNode, endOffset] = last.position(lastOffset, true);
      const range = document.createRange();
      try {
        range.setStart(startNode, startOffset);
        range.setEnd(endNode, endOffset);
      } catch {
        return [];
      }
      const origin = quill.container.getBoundingClientRect();
      return Array.from(range.getClientRects())
        .filter((r) => r.width > 0)
        .map((r) => ({ left: r.left - origin.left, top: r.top - origin.top, width: r.width, height: r.height }));
    }

    return {
      onChange(f) { handlers.change = f; },
      onSelection(f) { handlers.selection = f; },
      onComposition(f) { handlers.composing = f; },
      onUndo(f) { handlers.undo = f; },
      onRedo(f) { handlers.redo = f; },
      /** A change from elsewhere (JSON delta ops); the writer's selection moves with it. */
      apply(ops) { quill.updateContents(JSON.parse(ops), 'api'); },
      /** The whole document (JSON delta ops), replacing what is shown. */
      setContents(ops) {
        const range = quill.getSelection();
        quill.setContents(JSON.parse(ops), 'silent');
        if (range) quill.setSelection(range, 'silent');
      },
      setReadOnly(readOnly) { quill.enable(!readOnly); },
      /** `[index, length]` of the selection, or an empty array. */
      selection() {
        const range = quill.getSelection();
        return range ? [range.index, range.length] : [];
      },
      /** The plain text, as the document holds it. */
      text() { return quill.getText(); },
      /** Puts the caret at `index` and shows that line (the outline's links). */
      goTo(index) {
        quill.setSelection(index, 0, 'user');
        const [line] = quill.getLine(index);
        if (line && line.domNode.scrollIntoView) line.domNode.scrollIntoView({ block: 'center' });
      },
      /** Highlights the commented passages: JSON `[{start, end, threads}]`. */
      setMarks(json) {
        drawStretches(marks, JSON.parse(json), (box, mark) => {
          box.className = 'passage-mark';
          box.dataset.threads = mark.threads;
        });
      },
      /** Colours the text by who wrote it: JSON `[{start, end, group, name}]`. */
      setWriters(json) {
        drawStretches(writers, JSON.parse(json), (box, stretch) => {
          box.className = `writer-mark by-${stretch.group}`;
          box.title = stretch.name;
        });
      },
      /** Draws the others' carets and what they have selected: JSON `[{index, anchor, name,
       * colour}]` (`anchor` is where a selection started; the caret is at `index`). */
      setCarets(json) {
        const all = JSON.parse(json);
        const selected = all
          .filter((c) => c.anchor !== undefined && c.anchor !== c.index)
          .map((c) => ({ start: Math.min(c.anchor, c.index), end: Math.max(c.anchor, c.index), colour: c.colour, name: c.name }));
        drawStretches(selections, selected, (box, selection) => {
          box.className = 'remote-selection';
          box.style.backgroundColor = selection.colour;
          box.title = selection.name;
        });
        carets.replaceChildren();
        for (const caret of all) {
          if (caret.index > quill.getLength()) continue;
          const bounds = quill.getBounds(caret.index, 0);
          if (!bounds) continue;
          const mark = document.createElement('span');
          mark.className = 'remote-caret';
          mark.style.left = `${bounds.left}px`;
          mark.style.top = `${bounds.top}px`;
          mark.style.height = `${bounds.height}px`;
          mark.style.borderColor = caret.colour;
          mark.dataset.name = caret.name;
          carets.appendChild(mark);
        }
      },
    };
  }

  window.BarazaEditor = { create };
})();
