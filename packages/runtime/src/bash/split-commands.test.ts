import { describe, expect, it } from 'vitest';
import { splitTopLevelCommands } from './split-commands.js';

describe('splitting top-level commands (reference §4.3 multiple-commands rule)', () => {
  it('treats chains, pipes and background as one command', () => {
    expect(splitTopLevelCommands('a && b; c | d & e || f')).toEqual(['a && b; c | d & e || f']);
  });
  it('splits on newlines outside quotes', () => {
    expect(splitTopLevelCommands('echo a\necho b')).toEqual(['echo a', 'echo b']);
    expect(splitTopLevelCommands('echo "a\nb"')).toEqual(['echo "a\nb"']);
    expect(splitTopLevelCommands("echo 'a\nb'\nls")).toEqual(["echo 'a\nb'", 'ls']);
  });
  it('keeps heredocs, continuations, groups and trailing operators together', () => {
    expect(splitTopLevelCommands('cat <<EOF\nx\nEOF')).toEqual(['cat <<EOF\nx\nEOF']);
    expect(splitTopLevelCommands("cat <<-'END' > f\n\tx\n\tEND\nls")).toEqual([
      "cat <<-'END' > f\n\tx\n\tEND",
      'ls',
    ]);
    expect(splitTopLevelCommands('echo a \\\n  b')).toEqual(['echo a \\\n  b']);
    expect(splitTopLevelCommands('if true; then\n  echo y\nfi')).toEqual(['if true; then\n  echo y\nfi']);
    expect(splitTopLevelCommands('for f in a b; do\n  echo $f\ndone\nls')).toEqual([
      'for f in a b; do\n  echo $f\ndone',
      'ls',
    ]);
    expect(splitTopLevelCommands('echo "if"\necho done')).toEqual(['echo "if"', 'echo done']);
    expect(splitTopLevelCommands('{\n echo a\n echo b\n}')).toEqual(['{\n echo a\n echo b\n}']);
    expect(splitTopLevelCommands('make &&\n  make test')).toEqual(['make &&\n  make test']);
  });
  it('ignores blank lines and comments', () => {
    expect(splitTopLevelCommands('\n  echo a  \n\n# just a note')).toEqual(['echo a']);
  });
});
