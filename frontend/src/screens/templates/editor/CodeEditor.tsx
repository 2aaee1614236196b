/**
 * The template source editor: CodeMirror 6 with HTML highlighting (MJML is XML-shaped
 * and reads well with it), bracket matching, search, completion of template variables
 * after `{{`, and the server's validation errors as diagnostics on their line.
 * Loaded on demand (it is most of the editor's code): see TemplateEditor.
 *
 * Tab is left to the browser so keyboard users can leave the editor (indent with the
 * editor's own commands); Escape then Tab works as in any CodeMirror.
 */

import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  type CompletionContext,
  type CompletionResult,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, foldGutter, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Compartment, EditorState } from '@codemirror/state';
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder as placeholderExtension,
} from '@codemirror/view';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { markup } from './markupLanguage.ts';

export interface EditorProblem {
  /** 1-based. */
  line: number;
  message: string;
}

export interface CodeEditorHandle {
  /** Insert text at the cursor (replacing the selection) and focus the editor. */
  insert: (text: string) => void;
  /** Move the cursor to the start of `line` (1-based), scroll there and focus. */
  goToLine: (line: number) => void;
  focus: () => void;
}

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  language: 'html' | 'mjml' | 'text';
  /** The accessible name of the editing area. */
  label: string;
  problems?: readonly EditorProblem[];
  /** Names offered after `{{` (e.g. first_name, attributes.plan). */
  variables?: readonly string[];
  placeholder?: string;
  readOnly?: boolean;
  onFocus?: () => void;
  height?: number;
}

function toDiagnostics(state: EditorState, problems: readonly EditorProblem[]): Diagnostic[] {
  return problems.map((problem) => {
    const line = state.doc.line(Math.min(Math.max(problem.line, 1), state.doc.lines));
    return { from: line.from, to: Math.max(line.from, line.to), severity: 'error', message: problem.message };
  });
}

/** Completes variable names inside `{{ ... }}` and `{% ... %}`. */
export function variableCompletions(names: () => readonly string[]) {
  return (context: CompletionContext): CompletionResult | null => {
    const before = context.state.sliceDoc(Math.max(0, context.pos - 200), context.pos);
    const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
    if (open < 0 || before.lastIndexOf('}}') > open || before.lastIndexOf('%}') > open) return null;
    const word = context.matchBefore(/[\w.]*/);
    if (!word || (word.from === word.to && !context.explicit && !/\{[{%]\s*$/.test(before))) return null;
    return {
      from: word.from,
      options: names().map((name) => ({ label: name, type: 'variable' })),
      validFor: /^[\w.]*$/,
    };
  };
}

const theme = EditorView.theme({
  '&': { fontSize: '13px', backgroundColor: '#fff' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', lineHeight: '1.55', overflow: 'auto' },
  '.cm-gutters': { backgroundColor: '#f8fafc', color: '#94a3b8', borderRight: '1px solid #e2e8f0' },
  '.cm-activeLine': { backgroundColor: '#eef2ff55' },
  '.cm-activeLineGutter': { backgroundColor: '#eef2ff' },
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy #e11d48', textUnderlineOffset: '3px' },
  '.cm-tooltip': { borderRadius: '8px', border: '1px solid #e2e8f0' },
});

export const CodeEditor = forwardRef<CodeEditorHandle, CodeEditorProps>(function CodeEditor(
  { value, onChange, language, label, problems = [], variables = [], placeholder, readOnly = false, onFocus, height = 520 },
  ref,
) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacks = useRef({ onChange, onFocus });
  callbacks.current = { onChange, onFocus };
  const names = useRef(variables);
  names.current = variables;
  const editable = useRef(new Compartment());
  const languageSlot = useRef(new Compartment());

  useEffect(() => {
    const state = EditorState.create({
      doc: value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        foldGutter(),
        lintGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        autocompletion({ override: null, activateOnTyping: true }),
        EditorState.languageData.of(() => [{ autocomplete: variableCompletions(() => names.current) }]),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap]),
        languageSlot.current.of(language === 'text' ? [] : markup()),
        editable.current.of([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true' }),
        placeholder ? placeholderExtension(placeholder) : [],
        theme,
        EditorView.updateListener.of((update) => {
          if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          if (update.focusChanged && update.view.hasFocus) callbacks.current.onFocus?.();
        }),
      ],
    });
    const created = new EditorView({ state, parent: host.current! });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
    // The editor is created once; the effects below follow the props.
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  // A value set from outside (a restored revision, a switch of format) replaces the text.
  useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== value) {
      current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: languageSlot.current.reconfigure(language === 'text' ? [] : markup()) });
  }, [language]);

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.current.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
    });
  }, [readOnly]);

  const problemKey = JSON.stringify(problems);
  useEffect(() => {
    const current = view.current;
    if (current) current.dispatch(setDiagnostics(current.state, toDiagnostics(current.state, problems)));
    // problemKey stands for the problems' content
  }, [problemKey, value]); // eslint-disable-line react-hooks/exhaustive-deps

  useImperativeHandle(ref, () => ({
    insert: (text) => {
      const current = view.current;
      if (!current) return;
      const { from, to } = current.state.selection.main;
      current.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length }, scrollIntoView: true });
      current.focus();
    },
    goToLine: (line) => {
      const current = view.current;
      if (!current) return;
      const target = current.state.doc.line(Math.min(Math.max(line, 1), current.state.doc.lines));
      current.dispatch({ selection: { anchor: target.from }, effects: EditorView.scrollIntoView(target.from, { y: 'center' }) });
      current.focus();
    },
    focus: () => view.current?.focus(),
  }));

  return (
    <div
      ref={host}
      className="overflow-hidden rounded-lg border border-slate-300 focus-within:border-indigo-500 focus-within:ring-3 focus-within:ring-indigo-500/20 [&_.cm-editor]:h-full"
      style={{ height }}
      data-testid={`code-editor-${language}`}
    />
  );
});

export default CodeEditor;
