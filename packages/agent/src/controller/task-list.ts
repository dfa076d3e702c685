import { type ActionEvent, createObservation, type ObservationEvent } from '@deft/protocol';

/** reference §4.2: task_tracking is handled by the backend; the list lives with the conversation. */
export class TaskList {
  #tasks: { id: string; title: string; status: string; notes: string }[] | null = null;

  handle(action: ActionEvent<'task_tracking'>): ObservationEvent {
    const { command, task_list: list } = action.args;
    if (command === 'plan') {
      this.#tasks = list.map((task) => ({
        id: task.id,
        title: task.title,
        status: task.status,
        notes: task.notes ?? '',
      }));
      return createObservation(
        'task_tracking',
        `Task list has been updated with ${this.#tasks.length} items.\n${this.#render()}`,
        { command, task_list: this.#tasks },
      );
    }
    if (!this.#tasks)
      return createObservation('task_tracking', 'No task list found. Use the "plan" command to create one.', {
        command,
        task_list: [],
      });
    return createObservation('task_tracking', this.#render(), { command, task_list: this.#tasks });
  }

  #render(): string {
    return (this.#tasks ?? [])
      .map(
        (task, index) =>
          `${index + 1}. [${task.status}] ${task.title}${task.notes ? ` — ${task.notes}` : ''}`,
      )
      .join('\n');
  }
}
