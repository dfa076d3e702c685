import type { EventLine } from './event-text.js';

/** Writes progress for a person: colours and a spinner on a TTY, plain lines anywhere else (pipes, CI logs). */
export class TerminalOutput {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  #spinner: NodeJS.Timeout | null = null;
  #spinnerText = '';
  #frame = 0;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY) && process.env.TERM !== 'dumb';
  }

  get isTty(): boolean {
    return this.#tty;
  }

  line(line: EventLine): void {
    const indent = (text: string) =>
      text
        .split('\n')
        .map((row) => `    ${row}`)
        .join('\n');
    const text = this.#render(line, indent);
    if (text !== null) this.write(text);
  }

  #render(line: EventLine, indent: (text: string) => string): string | null {
    switch (line.kind) {
      case 'user':
        return `${this.#style('1', '›')} ${line.text}`;
      case 'agent':
        return `${this.#style('36', 'agent:')} ${line.text}`;
      case 'command':
        return `${this.#style('33', '$')} ${line.text}`;
      case 'output': {
        const parts: string[] = [];
        if (line.block) parts.push(this.#style('2', indent(line.block)));
        if (line.text) parts.push(this.#style('31', `    (${line.text})`));
        return parts.length > 0 ? parts.join('\n') : null;
      }
      case 'file':
        return `${this.#style('35', '✎')} ${line.text}`;
      case 'thought':
        return this.#style('2', `· ${line.text}`);
      case 'error':
        return `${this.#style('31', '✖')} ${line.text}`;
      case 'finish':
        return `${this.#style('32', '✔')} ${line.text}`;
    }
  }

  /** A line of text, clearing the spinner first so the two never mix. */
  write(text: string): void {
    this.#clearSpinner();
    this.#out.write(`${text}\n`);
    this.#drawSpinner();
  }

  /** Shows (TTY only) a spinner with the given text below the output until `stopSpinner`. */
  spin(text: string): void {
    if (!this.#tty) return;
    this.#spinnerText = text;
    if (this.#spinner) return;
    this.#spinner = setInterval(() => {
      this.#frame++;
      this.#drawSpinner();
    }, 100);
    this.#drawSpinner();
  }

  stopSpinner(): void {
    if (!this.#spinner) return;
    this.#clearSpinner();
    clearInterval(this.#spinner);
    this.#spinner = null;
    this.#spinnerText = '';
  }

  #drawSpinner(): void {
    if (!this.#spinner || !this.#tty) return;
    const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
    this.#out.write(
      `\r\x1b[2K${this.#style('36', frames[this.#frame % frames.length]!)} ${this.#spinnerText}`,
    );
  }

  #clearSpinner(): void {
    if (this.#spinner && this.#tty) this.#out.write('\r\x1b[2K');
  }

  #style(code: string, text: string): string {
    return this.#tty ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}
