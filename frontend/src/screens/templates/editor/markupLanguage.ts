/**
 * HTML (and MJML, which has the same shape) for CodeMirror, built from the Lezer
 * grammars directly: highlighting, CSS inside <style>, indentation and folding of
 * elements. @codemirror/lang-html would add JavaScript support for <script>, which email
 * never runs, at three times the size.
 */

import { parser as cssParser } from '@lezer/css';
import { configureNesting, parser as htmlParser } from '@lezer/html';
import { LRLanguage, LanguageSupport, foldNodeProp, indentNodeProp, type TreeIndentContext } from '@codemirror/language';

function elementIndent(context: TreeIndentContext): number | null {
  const after = /^(\s*)(<\/)?/.exec(context.textAfter)!;
  if (context.node.to <= context.pos + after[0].length) return context.continue();
  return context.lineIndent(context.node.from) + (after[2] ? 0 : context.unit);
}

export const markupLanguage = LRLanguage.define({
  name: 'html',
  parser: htmlParser.configure({
    wrap: configureNesting([{ tag: 'style', parser: cssParser }]),
    props: [
      indentNodeProp.add({
        Element: elementIndent,
        'OpenTag CloseTag SelfClosingTag': (context) => context.column(context.node.from) + context.unit,
        Document: (context) => {
          if (context.pos + /\s*/.exec(context.textAfter)![0].length < context.node.to) return context.continue();
          let last = null;
          for (let child = context.node.lastChild; child; child = child.prevSibling) {
            if (child.name === 'Element') {
              last = child;
              break;
            }
          }
          if (last && !last.lastChild?.type.isError) return context.lineIndent(last.from) + context.unit;
          return null;
        },
      }),
      foldNodeProp.add({
        Element: (node) => {
          const first = node.firstChild;
          const last = node.lastChild;
          if (!first || first.name !== 'OpenTag') return null;
          return { from: first.to, to: last && last.name === 'CloseTag' ? last.from : node.to };
        },
      }),
    ],
  }),
  languageData: {
    commentTokens: { block: { open: '<!--', close: '-->' } },
    indentOnInput: /^\s*<\/\w+\W$/,
    wordChars: '-._',
  },
});

export function markup(): LanguageSupport {
  return new LanguageSupport(markupLanguage);
}
