import { type ActionEvent, createObservation, type ObservationEvent } from '@deft/protocol';
import { FileEditor } from '../editor/file-editor.js';
import { EditorError } from '../editor/messages.js';
import { unifiedDiff } from '../editor/unified-diff.js';
import { readDefault, writeDefault } from './read-write.js';

export { resolveInside } from './paths.js';
export { createDownloadZip, listFiles, receiveUpload, type TransferContext } from './transfer.js';

/** read / write / edit actions (reference §4.4); one instance per runtime keeps the editor's undo history. */
export class FileActions {
  readonly #editor: FileEditor;

  constructor(options: { workspaceRoot: string }) {
    this.#editor = new FileEditor(options);
  }

  async execute(
    action: ActionEvent<'read' | 'write' | 'edit'>,
    ctx: { cwd: string },
  ): Promise<ObservationEvent> {
    if (action.action === 'write') return writeDefault(action as ActionEvent<'write'>, ctx.cwd);
    if (action.action === 'read') {
      const read = action as ActionEvent<'read'>;
      if (read.args.impl_source !== 'oh_aci') return readDefault(read, ctx.cwd);
      const output = await this.#editorOutput({
        command: 'view',
        path: read.args.path,
        view_range: read.args.view_range,
      });
      return createObservation('read', output.text, { path: read.args.path, impl_source: 'oh_aci' });
    }
    const edit = action as ActionEvent<'edit'>;
    const { args } = edit;
    const output = await this.#editorOutput({
      command: args.command,
      path: args.path,
      file_text: args.file_text,
      old_str: args.old_str,
      new_str: args.new_str,
      insert_line: args.insert_line,
    });
    return createObservation('edit', output.text, {
      path: args.path,
      prev_exist: output.prevExist,
      old_content: args.old_str,
      new_content: args.new_str,
      impl_source: 'oh_aci',
      diff:
        output.before !== undefined && output.after !== undefined
          ? unifiedDiff(args.path, output.before, output.after)
          : null,
      _diff_cache: null,
    });
  }

  async #editorOutput(
    command: Parameters<FileEditor['run']>[0],
  ): Promise<{ text: string; prevExist: boolean; before?: string; after?: string }> {
    try {
      const result = await this.#editor.run(command);
      return { text: result.output, prevExist: result.prevExist, before: result.before, after: result.after };
    } catch (error) {
      if (error instanceof EditorError) return { text: `ERROR:\n${error.message}`, prevExist: false };
      throw error;
    }
  }
}
