/**
 * The code editor: CodeMirror 6 with its basic setup, the language's grammar swapped in
 * a compartment as the language changes, and Mod-Enter handed to the page (run or judge).
 */
import { basicSetup } from 'codemirror';
import { indentWithTab } from '@codemirror/commands';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import type { Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';

export class CodeEditor {
  private readonly view: EditorView;
  private readonly language = new Compartment();
  /** the grammar asked for last: a slower earlier load must not replace it */
  private wanted: Promise<Extension> | undefined;

  constructor(parent: HTMLElement, onRun: () => void, onChange: () => void) {
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        extensions: [
          basicSetup,
          keymap.of([indentWithTab]),
          Prec.highest(
            keymap.of([
              {
                key: 'Mod-Enter',
                run: () => {
                  onRun();
                  return true;
                },
              },
            ]),
          ),
          this.language.of([]),
          EditorView.updateListener.of((u) => u.docChanged && onChange()),
          EditorView.contentAttributes.of({ 'aria-label': 'code' }),
        ],
      }),
    });
  }

  get code(): string {
    return this.view.state.doc.toString();
  }

  set code(text: string) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  async setGrammar(load: (() => Promise<Extension>) | undefined): Promise<void> {
    const wanted = load ? load() : Promise.resolve([]);
    this.wanted = wanted;
    const grammar = await wanted;
    if (this.wanted === wanted) this.view.dispatch({ effects: this.language.reconfigure(grammar) });
  }

  focus(): void {
    this.view.focus();
  }
}
