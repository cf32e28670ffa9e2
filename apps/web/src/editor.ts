/**
 * A code editor: CodeMirror 6 with its basic setup, the language's grammar swapped in a
 * compartment as the language changes, and the page's own shortcuts (Mod-Enter runs or
 * judges the program; Mod-s saves a session's file) above CodeMirror's.
 */
import { basicSetup } from 'codemirror';
import { indentWithTab } from '@codemirror/commands';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import type { Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';

export interface EditorOptions {
  /** CodeMirror key names (Mod-Enter, Mod-s) to the page's actions */
  readonly keys: Readonly<Record<string, () => void>>;
  readonly onChange?: () => void;
  /** the editor's accessible name */
  readonly label: string;
}

export class CodeEditor {
  private readonly view: EditorView;
  private readonly language = new Compartment();
  /** the grammar asked for last: a slower earlier load must not replace it */
  private wanted: Promise<Extension> | undefined;

  constructor(parent: HTMLElement, options: EditorOptions) {
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        extensions: [
          basicSetup,
          keymap.of([indentWithTab]),
          Prec.highest(
            keymap.of(
              Object.entries(options.keys).map(([key, action]) => ({
                key,
                run: () => {
                  action();
                  return true;
                },
              })),
            ),
          ),
          this.language.of([]),
          EditorView.updateListener.of((u) => u.docChanged && options.onChange?.()),
          EditorView.contentAttributes.of({ 'aria-label': options.label }),
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
