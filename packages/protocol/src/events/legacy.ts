/**
 * reference §3.1 deserialization of older payloads: renamed and dropped keys. Works on a shallow copy; never
 * mutates its input.
 */
export function upgradeLegacyKeys(event: Record<string, unknown>): Record<string, unknown> {
  const out = { ...event };
  if (isRecord(out.args)) {
    const args = { ...out.args };
    if ('is_confirmed' in args) {
      if (!('confirmation_state' in args)) args.confirmation_state = args.is_confirmed;
      delete args.is_confirmed;
    }
    if ('images_urls' in args) {
      if (!('image_urls' in args)) args.image_urls = args.images_urls;
      delete args.images_urls;
    }
    delete args.keep_prompt;
    delete args.task_completed;
    delete args.translated_ipython_code;
    out.args = args;
  }
  if (isRecord(out.extras)) {
    const extras = { ...out.extras };
    if ('exit_code' in extras || 'command_id' in extras) {
      const metadata = isRecord(extras.metadata) ? { ...extras.metadata } : {};
      if ('exit_code' in extras && !('exit_code' in metadata)) metadata.exit_code = extras.exit_code;
      if ('command_id' in extras && !('pid' in metadata)) metadata.pid = extras.command_id;
      delete extras.exit_code;
      delete extras.command_id;
      extras.metadata = metadata;
    }
    delete extras.formatted_output_and_error;
    out.extras = extras;
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
