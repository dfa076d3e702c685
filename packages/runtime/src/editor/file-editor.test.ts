import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileEditor } from './file-editor.js';
import { EditorError } from './messages.js';

const CLIPPED =
  '<response clipped><NOTE>Due to the max output limit, only part of this file has been shown to you. You should retry this tool after you have searched inside the file with `grep -n` in order to find the line numbers of what you are looking for.</NOTE>';

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EditorError);
    return (error as Error).message;
  }
  throw new Error('expected the editor to refuse');
}

describe('str_replace_editor (reference §4.4), exact messages', () => {
  let root: string;
  let editor: FileEditor;
  const p = (name: string) => join(root, name);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'deft-editor-'));
    editor = new FileEditor({ workspaceRoot: root });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('§4.4 path checks: relative (with hint), create over existing, missing, directory, binary extension', async () => {
    writeFileSync(p('a.py'), 'x = 1\n');
    expect(await failure(editor.run({ command: 'view', path: 'nowhere.txt' }))).toBe(
      'Invalid `path` parameter: nowhere.txt. The path should be an absolute path, starting with `/`.',
    );
    const hinted = await failure(
      new FileEditor({ workspaceRoot: root }).run({ command: 'view', path: 'a.py' }),
    );
    expect(hinted).toBe(
      `Invalid \`path\` parameter: a.py. The path should be an absolute path, starting with \`/\`. Maybe you meant ${p('a.py')}?`,
    );
    expect(await failure(editor.run({ command: 'create', path: p('a.py'), file_text: 'y' }))).toBe(
      `Invalid \`path\` parameter: ${p('a.py')}. File already exists at: ${p('a.py')}. Cannot overwrite files using command \`create\`.`,
    );
    expect(await failure(editor.run({ command: 'str_replace', path: p('none.py'), old_str: 'a' }))).toBe(
      `Invalid \`path\` parameter: ${p('none.py')}. The path ${p('none.py')} does not exist. Please provide a valid path.`,
    );
    expect(await failure(editor.run({ command: 'insert', path: root, insert_line: 0, new_str: 'x' }))).toBe(
      `Invalid \`path\` parameter: ${root}. The path ${root} is a directory and only the \`view\` command can be used on directories.`,
    );
    writeFileSync(p('doc.pdf'), '%PDF');
    expect(await failure(editor.run({ command: 'str_replace', path: p('doc.pdf'), old_str: 'a' }))).toBe(
      `Invalid \`path\` parameter: ${p('doc.pdf')}. The path ${p('doc.pdf')} points to a binary file (.pdf) and only the \`view\` command can be used on supported binary files.`,
    );
  });

  it('§4.4 unknown command and missing parameters', async () => {
    writeFileSync(p('a.txt'), 'a\n');
    expect(await failure(editor.run({ command: 'delete', path: p('a.txt') }))).toBe(
      'Unrecognized command delete. The allowed commands for the oh_editor tool are: view, create, str_replace, insert, undo_edit',
    );
    expect(await failure(editor.run({ command: 'create', path: p('b.txt') }))).toBe(
      'Parameter `file_text` is required for command: create.',
    );
    expect(await failure(editor.run({ command: 'str_replace', path: p('a.txt') }))).toBe(
      'Parameter `old_str` is required for command: str_replace.',
    );
    expect(await failure(editor.run({ command: 'insert', path: p('a.txt'), new_str: 'x' }))).toBe(
      'Parameter `insert_line` is required for command: insert.',
    );
    expect(await failure(editor.run({ command: 'insert', path: p('a.txt'), insert_line: 1 }))).toBe(
      'Parameter `new_str` is required for command: insert.',
    );
    expect(
      await failure(editor.run({ command: 'insert', path: p('a.txt'), insert_line: 'two', new_str: 'x' })),
    ).toBe("Invalid insert_line value: 'two'. Expected an integer.");
  });

  it('§4.4 view of a file: cat -n numbering, view_range rules, clamping note and clipping', async () => {
    writeFileSync(p('f.txt'), 'one\ntwo\nthree');
    expect((await editor.run({ command: 'view', path: p('f.txt') })).output).toBe(
      `Here's the result of running \`cat -n\` on ${p('f.txt')}:\n     1\tone\n     2\ttwo\n     3\tthree\n`,
    );
    expect((await editor.run({ command: 'view', path: p('f.txt'), view_range: [2, -1] })).output).toBe(
      `Here's the result of running \`cat -n\` on ${p('f.txt')}:\n     2\ttwo\n     3\tthree\n`,
    );
    expect((await editor.run({ command: 'view', path: p('f.txt'), view_range: [2, 9] })).output).toBe(
      `NOTE: We only show up to 3 since there're only 3 lines in this file.\nHere's the result of running \`cat -n\` on ${p('f.txt')}:\n     2\ttwo\n     3\tthree\n`,
    );
    expect(await failure(editor.run({ command: 'view', path: p('f.txt'), view_range: [1] }))).toBe(
      'Invalid `view_range` parameter: [1]. It should be a list of two integers.',
    );
    expect(await failure(editor.run({ command: 'view', path: p('f.txt'), view_range: [0, 2] }))).toBe(
      'Invalid `view_range` parameter: [0, 2]. Its first element `0` should be within the range of lines of the file: [1, 3].',
    );
    expect(await failure(editor.run({ command: 'view', path: p('f.txt'), view_range: [3, 2] }))).toBe(
      'Invalid `view_range` parameter: [3, 2]. Its second element `2` should be greater than or equal to the first element `3`.',
    );
    writeFileSync(p('big.txt'), 'x'.repeat(20_000));
    const big = (await editor.run({ command: 'view', path: p('big.txt') })).output;
    expect(big).toBe(
      `Here's the result of running \`cat -n\` on ${p('big.txt')}:\n     1\t${'x'.repeat(16_000)}${CLIPPED}\n`,
    );
  });

  it('§4.4 view of a directory: two levels, hidden entries excluded and counted', async () => {
    mkdirSync(p('src/lib'), { recursive: true });
    mkdirSync(p('.git'));
    writeFileSync(p('src/main.ts'), '');
    writeFileSync(p('src/lib/deep.ts'), '');
    writeFileSync(p('README.md'), '');
    writeFileSync(p('.env'), '');
    const output = (await editor.run({ command: 'view', path: root })).output;
    expect(output).toBe(
      `Here's the files and directories up to 2 levels deep in ${root}, excluding hidden items:\n${root}/\n${p('README.md')}\n${p('src')}/\n${p('src/lib')}/\n${p('src/main.ts')}\n\n2 hidden files/directories in this directory are excluded. You can use 'ls -la ${root}' to see them.`,
    );
    expect(await failure(editor.run({ command: 'view', path: root, view_range: [1, 2] }))).toBe(
      'Invalid `view_range` parameter: [1, 2]. The `view_range` parameter is not allowed when `path` points to a directory.',
    );
  });

  it('§4.4 create, then str_replace with the Appendix A snippet, multiple/no match and equal strings', async () => {
    expect((await editor.run({ command: 'create', path: p('new/a.py'), file_text: 'x = 1' })).output).toBe(
      `File created successfully at: ${p('new/a.py')}`,
    );
    const replaced = await editor.run({
      command: 'str_replace',
      path: p('new/a.py'),
      old_str: 'x = 1',
      new_str: 'x = 2',
    });
    expect(replaced.output).toBe(
      `The file ${p('new/a.py')} has been edited. Here's the result of running \`cat -n\` on a snippet of ${p('new/a.py')}:\n     1\tx = 2\nReview the changes and make sure they are as expected. Edit the file again if necessary.`,
    );
    expect(readFileSync(p('new/a.py'), 'utf8')).toBe('x = 2');
    writeFileSync(p('m.txt'), 'a\nb\na\nc\na');
    expect(
      await failure(editor.run({ command: 'str_replace', path: p('m.txt'), old_str: 'a', new_str: 'z' })),
    ).toBe(
      'No replacement was performed. Multiple occurrences of old_str `a` in lines [1, 3, 5]. Please ensure it is unique.',
    );
    expect(
      await failure(editor.run({ command: 'str_replace', path: p('m.txt'), old_str: ' q ', new_str: 'z' })),
    ).toBe(`No replacement was performed, old_str \`q\` did not appear verbatim in ${p('m.txt')}.`);
    expect(
      await failure(editor.run({ command: 'str_replace', path: p('m.txt'), old_str: 'b', new_str: 'b' })),
    ).toBe(
      'Invalid `new_str` parameter: b. No replacement was performed. `new_str` and `old_str` must be different.',
    );
    await editor.run({ command: 'str_replace', path: p('m.txt'), old_str: '  c  ' });
    expect(readFileSync(p('m.txt'), 'utf8')).toBe('a\nb\na\n\na');
  });

  it('§4.4 insert within [0, n] with a snippet, and undo_edit per file', async () => {
    writeFileSync(p('i.txt'), 'l1\nl2\nl3');
    expect(
      await failure(editor.run({ command: 'insert', path: p('i.txt'), insert_line: 7, new_str: 'x' })),
    ).toBe('Invalid `insert_line` parameter: 7. It should be within the range of allowed values: [0, 3]');
    const inserted = await editor.run({
      command: 'insert',
      path: p('i.txt'),
      insert_line: 1,
      new_str: 'new',
    });
    expect(inserted.output).toBe(
      `The file ${p('i.txt')} has been edited. Here's the result of running \`cat -n\` on a snippet of the edited file:\n     1\tl1\n     2\tnew\n     3\tl2\n     4\tl3\nReview the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary.`,
    );
    expect(readFileSync(p('i.txt'), 'utf8')).toBe('l1\nnew\nl2\nl3');
    const undone = await editor.run({ command: 'undo_edit', path: p('i.txt') });
    expect(undone.output).toBe(
      `Last edit to ${p('i.txt')} undone successfully. Here's the result of running \`cat -n\` on ${p('i.txt')}:\n     1\tl1\n     2\tl2\n     3\tl3\n`,
    );
    expect(readFileSync(p('i.txt'), 'utf8')).toBe('l1\nl2\nl3');
    expect(await failure(editor.run({ command: 'undo_edit', path: p('i.txt') }))).toBe(
      `No edit history found for ${p('i.txt')}.`,
    );
  });

  it('§4.4 refuses binary, huge and non-UTF-8 files with clear messages', async () => {
    writeFileSync(p('bin.dat'), Buffer.from([1, 2, 0, 3]));
    expect(await failure(editor.run({ command: 'view', path: p('bin.dat') }))).toBe(
      `File validation failed for ${p('bin.dat')}: File appears to be binary and this file type cannot be read or edited by this tool.`,
    );
    writeFileSync(p('huge.txt'), Buffer.alloc(11 * 1024 * 1024, 97));
    expect(await failure(editor.run({ command: 'view', path: p('huge.txt') }))).toBe(
      `File validation failed for ${p('huge.txt')}: File is too large (11.0MB). Maximum allowed size is 10MB.`,
    );
    writeFileSync(p('latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(await failure(editor.run({ command: 'view', path: p('latin1.txt') }))).toContain(
      'is not valid UTF-8',
    );
  });
});
